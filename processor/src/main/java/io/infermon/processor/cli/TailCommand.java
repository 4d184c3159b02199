package io.infermon.processor.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.infermon.processor.history.BucketView;
import io.infermon.processor.history.MetricGroup;
import io.infermon.processor.history.MetricsLog;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
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
    static final Duration POLL = Duration.ofMillis(250);
    /** The file must be quiet this long before its last bucket counts as complete (see MetricsLog). */
    static final Duration SETTLE = Duration.ofMillis(750);

    @Parameters(paramLabel = "OUT", description = "The processor's output directory (--out of infermon run).")
    Path out;

    @Option(names = "--json", description = "One JSON object per bucket and line (docs/dashboard.md, the bucket "
            + "object of /api/v1/buckets) instead of the table.")
    boolean json;

    @Option(names = "--once", description = "Print the buckets written so far and exit.")
    boolean once;

    @Option(names = "--model", paramLabel = "NAME", description = "Only this model's buckets.")
    String model;

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
        MetricsLog log = new MetricsLog(out.resolve("metrics.jsonl"));
        Table table = json ? null : new Table(print);
        ObjectMapper mapper = new ObjectMapper();
        boolean waiting = false;
        while (!stop.getAsBoolean()) {
            try {
                for (MetricGroup g : log.poll(once ? Duration.ZERO : SETTLE)) {
                    if (!g.isModelBucket() || (model != null && !model.equals(g.model().model()))) {
                        continue;
                    }
                    BucketView b = BucketView.of(g);
                    if (table != null) {
                        table.row(b);
                    } else {
                        print.println(mapper.writeValueAsString(b));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            print.flush();
            if (once) {
                return;
            }
            if (!waiting && !log.file().toFile().exists()) {
                System.err.println("infermon: waiting for " + log.file());
                waiting = true;
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    /** The human table: fixed columns, a header before the first row. */
    static final class Table {
        private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
                .withZone(ZoneOffset.UTC);
        static final String FORMAT = "%-19s  %-28s %-8s %7s %8s %8s %8s  %-26s %6s %6s %7s%n";
        private final PrintStream print;
        private boolean headerDone;

        Table(PrintStream print) {
            this.print = print;
        }

        void row(BucketView b) {
            if (!headerDone) {
                print.printf(Locale.ROOT, FORMAT, "time (UTC)", "model", "version", "calls", "rows", "p50 ms",
                        "p99 ms", "top classes", "pred1", "drift", "drifted");
                headerDone = true;
            }
            String name = b.model().model() + (b.model().signature().isEmpty() ? "" : "[" + b.model().signature() + "]");
            print.printf(Locale.ROOT, FORMAT, TIME.format(Instant.ofEpochSecond(b.start())), name,
                    b.model().version().isEmpty() ? "-" : b.model().version(), b.calls(), b.rows(),
                    number(b.latencyMs().get("p50"), "%.2f"), number(b.latencyMs().get("p99"), "%.2f"),
                    topClasses(b), number(b.pred1().get("mean"), "%.3f"), number(b.driftShare(), "%.2f"),
                    b.comparedFeatures() == 0 ? "-" : b.driftedFeatures() + "/" + b.comparedFeatures());
        }

        /** The three most predicted classes and their shares, e.g. {@code 3:31% 7:12% 1:10%}. */
        static String topClasses(BucketView b) {
            if (b.classShares().isEmpty()) {
                return "-";
            }
            return b.topClasses(3).stream().map(Table::share).collect(Collectors.joining(" "));
        }

        private static String share(Map.Entry<String, Double> e) {
            String cls = e.getKey().startsWith("class_") ? e.getKey().substring(6) : e.getKey();
            return cls + ":" + Math.round(100 * e.getValue()) + "%";
        }

        private static String number(Double v, String format) {
            return v == null ? "-" : String.format(Locale.ROOT, format, v);
        }
    }
}
