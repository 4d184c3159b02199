package io.infermon.processor.tail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.infermon.processor.alerts.AlertsFile;
import io.infermon.processor.history.BucketView;
import io.infermon.processor.history.LabelWindowView;
import io.infermon.processor.history.MetricGroup;
import io.infermon.processor.history.MetricsLog;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * Follows a processor's output directory like {@code tail -f}: each closed bucket of each model as a table row (or
 * one JSON object per line), and on request its label windows and the alert events of {@code alerts.jsonl}. The
 * {@code tail} command and the demo's terminal both print through it (its own package, so that the demo need not
 * reach into the command line).
 */
public final class OutputTail {
    static final Duration POLL = Duration.ofMillis(250);
    /** The file must be quiet this long before its last bucket counts as complete (see MetricsLog). */
    static final Duration SETTLE = Duration.ofMillis(750);

    /**
     * @param json   one JSON object per bucket and line instead of the table
     * @param once   print what there is and return
     * @param model  only this model's buckets, or null for all
     * @param labels also each label window
     * @param alerts also each alert event
     */
    public record Options(boolean json, boolean once, String model, boolean labels, boolean alerts) {
    }

    private final Path out;
    private final boolean json;
    private final boolean once;
    private final String model;
    private final boolean labels;
    private final boolean alerts;

    public OutputTail(Path out, Options options) {
        this.out = out;
        this.json = options.json();
        this.once = options.once();
        this.model = options.model();
        this.labels = options.labels();
        this.alerts = options.alerts();
    }

    /** The demo's terminal: buckets, label windows and alerts of a live output directory, until {@code stop}. */
    public static void followAll(Path out, PrintStream print, BooleanSupplier stop) throws InterruptedException {
        new OutputTail(out, new Options(false, false, null, true, true)).follow(print, stop);
    }

    /** Prints buckets until {@code stop} says so (or, with --once, until the end of the file). */
    public void follow(PrintStream print, BooleanSupplier stop) throws InterruptedException {
        MetricsLog log = new MetricsLog(out.resolve("metrics.jsonl"));
        Table table = json ? null : new Table(print);
        ObjectMapper mapper = new ObjectMapper();
        AlertLines alertLines = alerts ? new AlertLines(out.resolve(AlertsFile.NAME)) : null;
        boolean waiting = false;
        while (!stop.getAsBoolean()) {
            try {
                for (MetricGroup g : log.poll(once ? Duration.ZERO : SETTLE)) {
                    if (g.model() == null || (model != null && !model.equals(g.model().model()))) {
                        continue;
                    }
                    if (g.isLabelWindow()) {
                        if (labels) {
                            LabelWindowView w = LabelWindowView.of(g);
                            print.println(table != null ? Table.labelLine(w) : mapper.writeValueAsString(w));
                        }
                        continue;
                    }
                    BucketView b = BucketView.of(g);
                    if (table != null) {
                        table.row(b);
                    } else {
                        print.println(mapper.writeValueAsString(b));
                    }
                }
                if (alertLines != null) {
                    for (JsonNode event : alertLines.poll(mapper)) {
                        print.println(table != null ? Table.alertLine(event) : event.toString());
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

    /** New complete lines of alerts.jsonl since the last poll. */
    static final class AlertLines {
        private final Path file;
        private long offset;

        AlertLines(Path file) {
            this.file = file;
        }

        List<JsonNode> poll(ObjectMapper mapper) throws IOException {
            if (!Files.exists(file)) {
                return List.of();
            }
            long size = Files.size(file);
            if (size < offset) {
                offset = 0; // cut back by a restarted processor: it writes the same events again
                return List.of();
            }
            List<JsonNode> events = new ArrayList<>();
            for (AlertsFile.Line line : AlertsFile.wholeLines(file, offset, size, 1 << 20)) {
                if (!line.text().isBlank()) {
                    events.add(mapper.readTree(line.text()));
                }
                offset = line.end();
            }
            return events;
        }
    }

    /** The human table: fixed columns, a header before the first row. */
    public static final class Table {
        private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
                .withZone(ZoneOffset.UTC);
        public static final String FORMAT = "%-19s  %-28s %-8s %7s %8s %8s %8s  %-26s %6s %6s %7s%n";
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

        /**
         * A label window under the bucket rows, e.g.
         * {@code   (bucket 19:53:10)  digits  1  labels after 5s: accuracy 0.442 over 1375 labelled rows (coverage 90%)}.
         */
        static String labelLine(LabelWindowView w) {
            String quality = w.accuracy() != null ? "accuracy " + number(w.accuracy(), "%.3f")
                    : w.mae() != null ? "mae " + number(w.mae(), "%.4g") : null;
            String coverage = w.coverage() == null ? "-" : Math.round(100 * w.coverage()) + "%";
            return String.format(Locale.ROOT, "%-19s  %-28s %-8s labels after %s: %s",
                    "  (bucket " + TIME.format(Instant.ofEpochSecond(w.start())).substring(11) + ")",
                    w.model().model(), w.model().version().isEmpty() ? "-" : w.model().version(), w.window(),
                    quality == null || w.labeledRows() == 0 ? "none yet (coverage " + coverage + ")"
                            : quality + " over " + w.labeledRows() + " labelled rows (coverage " + coverage + ")");
        }

        /** An alert event, e.g. {@code ALERT open: inputs drifted: digits v1 drift_share 0.81 (above 0.3, 2 buckets)}. */
        static String alertLine(JsonNode e) {
            JsonNode series = e.path("series");
            StringBuilder where = new StringBuilder(series.path("model").asText("?"));
            if (!series.path("model_version").asText("").isEmpty()) {
                where.append(" v").append(series.path("model_version").asText());
            }
            for (String key : new String[] {"feature", "stat", "label_window", "class"}) {
                if (series.hasNonNull(key)) {
                    where.append(' ').append(key).append('=').append(series.get(key).asText());
                }
            }
            return String.format(Locale.ROOT, "%-19s  ALERT %s: %s: %s %s %.3f (%s, %d bucket%s)",
                    TIME.format(Instant.ofEpochSecond(e.path("bucket").asLong())),
                    e.path("state").asText().toUpperCase(Locale.ROOT), e.path("alert").asText(), where,
                    e.path("metric").asText(), e.path("value").asDouble(), e.path("condition").asText(),
                    e.path("buckets").asInt(), e.path("buckets").asInt() == 1 ? "" : "s");
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
