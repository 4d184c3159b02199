package io.infermon.processor.cli;

import io.infermon.processor.tail.OutputTail;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code infermon tail OUT}: closed buckets as they are written, one table row (or JSON line) per model bucket. */
@Command(name = "tail", mixinStandardHelpOptions = true,
        description = "Follow a processor's output directory (OUT/metrics.jsonl) like tail -f and print each closed "
                + "bucket of each model as a table row, or as one JSON object per line. Works on a live directory: "
                + "waits for the file to appear and prints buckets as the processor closes them.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:--once printed what there is, or stopped with Ctrl-C", "1:the file cannot be read",
                "2:bad options"})
public final class TailCommand implements Callable<Integer> {
    @Parameters(paramLabel = "OUT", description = "The processor's output directory (--out of infermon run).")
    Path out;

    @Option(names = "--json", description = "One JSON object per bucket and line (docs/dashboard.md, the bucket "
            + "object of /api/v1/buckets) instead of the table.")
    boolean json;

    @Option(names = "--once", description = "Print the buckets written so far and exit.")
    boolean once;

    @Option(names = "--model", paramLabel = "NAME", description = "Only this model's buckets.")
    String model;

    @Option(names = "--labels", description = "Also print each label window (a bucket's accuracy and label coverage "
            + "at a maturity) when the processor emits it, after the bucket itself.")
    boolean labels;

    @Option(names = "--alerts", description = "Also print each alert event of OUT/alerts.jsonl as it is written.")
    boolean alerts;

    @Override
    public Integer call() throws Exception {
        try {
            follow(System.out, () -> false);
        } catch (UncheckedIOException e) {
            System.err.println("infermon: cannot read " + out.resolve("metrics.jsonl") + ": " + e.getCause());
            return 1;
        }
        return 0;
    }

    /** Prints buckets until {@code stop} says so (or, with --once, until the end of the file). */
    void follow(PrintStream print, BooleanSupplier stop) throws InterruptedException {
        new OutputTail(out, new OutputTail.Options(json, once, model, labels, alerts)).follow(print, stop);
    }
}
