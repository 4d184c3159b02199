package io.infermon.processor.cli;

import picocli.CommandLine.Command;

/** {@code infermon labels}: ground truth for the processor. */
@Command(name = "labels", mixinStandardHelpOptions = true,
        description = "Give the processor true labels for predictions (joined by id).",
        subcommands = {LabelsImportCommand.class})
public final class LabelsCommand {
}
