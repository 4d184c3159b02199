package io.infermon.processor.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code infermon} command line. */
@Command(name = "infermon", mixinStandardHelpOptions = true, version = "infermon 0.1.0",
        description = "Monitor machine-learning inference captured by the infermon agent.",
        subcommands = {RunCommand.class, ReferenceCommand.class, MergeCommand.class, SendCommand.class,
                TailCommand.class, DashboardCommand.class, LabelsCommand.class})
public final class InfermonCli {

    public static void main(String[] args) {
        System.exit(new CommandLine(new InfermonCli()).execute(args));
    }
}
