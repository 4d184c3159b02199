package io.infermon.processor.cli;

import io.infermon.processor.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code infermon} command line. */
@Command(name = "infermon", mixinStandardHelpOptions = true, version = "infermon 0.1.0",
        description = "Monitor machine-learning inference captured by the infermon agent.",
        subcommands = {RunCommand.class, ReferenceCommand.class, MergeCommand.class, SendCommand.class,
                TailCommand.class, DashboardCommand.class, LabelsCommand.class, ValidateCommand.class,
                DemoCommand.class})
public final class InfermonCli {

    public static void main(String[] args) {
        System.exit(create().execute(args));
    }

    /**
     * The command line as {@code main} runs it: configuration problems are printed alone (each with its file and
     * line), without the usage help that follows other parameter errors.
     */
    public static CommandLine create() {
        CommandLine cmd = new CommandLine(new InfermonCli());
        cmd.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println(ex.getMessage());
            if (!(ex instanceof ConfigException) && !CommandLine.UnmatchedArgumentException.printSuggestions(ex,
                    c.getErr())) {
                c.usage(c.getErr(), c.getColorScheme());
            }
            return c.getCommandSpec().exitCodeOnInvalidInput();
        });
        return cmd;
    }
}
