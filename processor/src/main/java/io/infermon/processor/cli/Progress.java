package io.infermon.processor.cli;

import java.io.PrintStream;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress of a long command, drawn by the progressbar library (me.tongfei) on stderr, or nothing at all
 * ({@link #NONE}). Commands step it as they work and close it when done; closing draws the final count once more,
 * so the last thing on stderr is the total.
 */
class Progress implements AutoCloseable {
    /** Shows nothing: progress is off (no terminal, or --no-progress). */
    static final Progress NONE = new Progress(null);
    /** Width when there is no terminal to ask (a forced bar into a file or a pipe). */
    private static final int WIDTH_WITHOUT_TERMINAL = 100;

    private final ProgressBar bar;

    private Progress(ProgressBar bar) {
        this.bar = bar;
    }

    static Progress bar(PrintStream stderr, String task, long max, String unit, boolean terminal) {
        ProgressBar bar = new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(max)
                .setUnit(" " + unit, 1)
                // ASCII: the block characters of the default style need a terminal font; a log file gets '='
                .setStyle(terminal ? ProgressBarStyle.COLORFUL_UNICODE_BLOCK : ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(250)
                .showSpeed()
                // without a terminal, the library would probe for its width; a fixed width avoids that
                .setConsumer(new ConsoleProgressBarConsumer(stderr, terminal ? -1 : WIDTH_WITHOUT_TERMINAL))
                .build();
        return new Progress(bar);
    }

    void step() {
        if (bar != null) {
            bar.step();
        }
    }

    void stepTo(long n) {
        if (bar != null) {
            bar.stepTo(n);
        }
    }

    /** A note for the task's line (e.g. what is being read now). */
    void message(String text) {
        if (bar != null) {
            bar.setExtraMessage(text);
        }
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
