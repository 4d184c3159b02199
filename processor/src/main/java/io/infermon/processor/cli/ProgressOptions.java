package io.infermon.processor.cli;

import java.io.PrintStream;
import picocli.CommandLine.Option;

/**
 * {@code --progress} / {@code --no-progress} for the commands that can run long. By default a bar is shown only when
 * there is a terminal to watch it ({@link System#console()}), so scripts, pipes and tests get clean output.
 */
public final class ProgressOptions {
    @Option(names = "--progress", negatable = true,
            description = "Show a progress bar on stderr (--no-progress: never). Default: only on a terminal.")
    Boolean progress;

    boolean enabled() {
        return progress != null ? progress : System.console() != null;
    }

    /** A bar on {@code stderr} counting {@code unit}s, of {@code max} of them (-1: not known in advance). */
    Progress start(PrintStream stderr, String task, long max, String unit) {
        return enabled() ? Progress.bar(stderr, task, max, unit, System.console() != null) : Progress.NONE;
    }
}
