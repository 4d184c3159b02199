package io.infermon.processor.cli;

import picocli.CommandLine.Command;

/** {@code infermon reference}: groups the commands that make reference profiles. */
@Command(name = "reference", mixinStandardHelpOptions = true,
        description = "Make reference profiles that buckets are compared with for drift.",
        subcommands = {ReferenceBuildCommand.class})
public final class ReferenceCommand {
}
