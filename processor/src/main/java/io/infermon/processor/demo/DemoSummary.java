package io.infermon.processor.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.infermon.processor.alerts.AlertsFile;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.TreeMap;

/**
 * What the demo showed, read back from the processor's own outputs ({@code metrics.jsonl} and {@code alerts.jsonl}),
 * phase by phase: only buckets wholly inside a phase count for it, so a bucket that straddles a switch does not blur
 * the picture.
 *
 * @param phases per phase, its buckets' drift share and label metrics, and what the callers saw
 * @param alerts every alert event, with the phase its bucket falls in (0: between phases)
 */
public record DemoSummary(List<PhaseResult> phases, List<Alert> alerts) {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

    /** A phase as the traffic generator reported it: when it sent its first and last request, what it saw. */
    public record PhaseRun(DemoScenario.Phase phase, Properties sent) {
    }

    /**
     * One bucket of a phase.
     *
     * @param start        epoch seconds
     * @param driftShare   {@code drift_share}, null if the bucket was not compared
     * @param accuracy     {@code accuracy} of the demo's label window, null before the window is emitted
     * @param coverage     {@code label_coverage} of that window
     * @param labeledRows  {@code labeled_rows} of that window
     */
    public record BucketResult(long start, Double driftShare, Double accuracy, Double coverage, long labeledRows) {
    }

    /**
     * @param callersDigits  digits the callers sent in the phase
     * @param callersCorrect of them, answered with the true digit (the callers' own accuracy, for comparison)
     */
    public record PhaseResult(int number, String title, String version, long firstMillis, long lastMillis,
                              long callersDigits, long callersCorrect, List<BucketResult> buckets) {

        public long driftedBuckets() {
            return buckets.stream().filter(b -> b.driftShare() != null
                    && b.driftShare() > DemoScenario.DRIFT_SHARE_ALERT).count();
        }

        public Double meanDriftShare() {
            return buckets.stream().filter(b -> b.driftShare() != null).mapToDouble(BucketResult::driftShare)
                    .average().stream().boxed().findFirst().orElse(null);
        }

        /** Accuracy over every labelled row of the phase's labelled buckets. */
        public Double accuracy() {
            double correct = 0;
            long rows = 0;
            for (BucketResult b : buckets) {
                if (b.accuracy() != null) {
                    correct += b.accuracy() * b.labeledRows();
                    rows += b.labeledRows();
                }
            }
            return rows == 0 ? null : correct / rows;
        }

        public Double meanCoverage() {
            return buckets.stream().filter(b -> b.coverage() != null).mapToDouble(BucketResult::coverage)
                    .average().stream().boxed().findFirst().orElse(null);
        }

        public long labelledBuckets() {
            return buckets.stream().filter(b -> b.accuracy() != null).count();
        }

        public double callersAccuracy() {
            return callersDigits == 0 ? Double.NaN : (double) callersCorrect / callersDigits;
        }
    }

    /** An alert event of {@code alerts.jsonl}. */
    public record Alert(String alert, String state, String version, String metric, double value, String condition,
                        long bucket, int phase) {
    }

    /**
     * @param window      the demo's {@code label_window}
     * @param widthMillis the bucket width
     */
    public static DemoSummary read(Path out, List<PhaseRun> runs, String window, long widthMillis)
            throws IOException {
        ObjectMapper json = new ObjectMapper();
        TreeMap<Long, Double> drift = new TreeMap<>();
        TreeMap<Long, Double> accuracy = new TreeMap<>();
        TreeMap<Long, Double> coverage = new TreeMap<>();
        TreeMap<Long, Long> labeled = new TreeMap<>();
        try (BufferedReader r = Files.newBufferedReader(out.resolve("metrics.jsonl"))) {
            for (String line; (line = r.readLine()) != null; ) {
                JsonNode m = json.readTree(line);
                JsonNode p = m.path("properties");
                if (!"digits".equals(p.path("model").asText()) || p.has("class")) {
                    continue;
                }
                long t = m.path("timestamp").asLong();
                double v = m.path("value").asDouble();
                String what = p.path("what").asText();
                boolean inWindow = window.equals(p.path("label_window").asText(null));
                if (what.equals("drift_share") && !p.has("label_window")) {
                    drift.put(t, v);
                } else if (inWindow && what.equals("accuracy")) {
                    accuracy.put(t, v);
                } else if (inWindow && what.equals("label_coverage")) {
                    coverage.put(t, v);
                } else if (inWindow && what.equals("labeled_rows")) {
                    labeled.put(t, (long) v);
                }
            }
        }
        List<PhaseResult> phases = new ArrayList<>();
        for (PhaseRun run : runs) {
            long first = Long.parseLong(run.sent().getProperty("first_request_ms"));
            long last = Long.parseLong(run.sent().getProperty("last_request_ms"));
            List<BucketResult> buckets = new ArrayList<>();
            for (long start = Math.floorDiv(first + widthMillis - 1, widthMillis) * widthMillis;
                 start + widthMillis <= last; start += widthMillis) {
                long t = start / 1000;
                buckets.add(new BucketResult(t, drift.get(t), accuracy.get(t), coverage.get(t),
                        labeled.getOrDefault(t, 0L)));
            }
            phases.add(new PhaseResult(run.phase().number(), run.phase().title(), run.phase().version(), first, last,
                    Long.parseLong(run.sent().getProperty("digits")), Long.parseLong(run.sent().getProperty("correct")),
                    buckets));
        }
        List<Alert> alerts = new ArrayList<>();
        Path alertsFile = out.resolve(AlertsFile.NAME);
        if (Files.exists(alertsFile)) {
            for (String line : Files.readAllLines(alertsFile)) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode e = json.readTree(line);
                long b = e.path("bucket").asLong();
                int phase = 0;
                for (PhaseResult p : phases) {
                    if (b * 1000 >= Math.floorDiv(p.firstMillis(), widthMillis) * widthMillis && b * 1000 <= p.lastMillis()) {
                        phase = p.number();
                    }
                }
                alerts.add(new Alert(e.path("alert").asText(), e.path("state").asText(),
                        e.path("series").path("model_version").asText(""), e.path("metric").asText(),
                        e.path("value").asDouble(), e.path("condition").asText(), b, phase));
            }
        }
        return new DemoSummary(phases, alerts);
    }

    /** The first alert event of {@code name} that opened in a phase, or null. */
    public Alert firstOpened(String name) {
        return alerts.stream().filter(a -> a.alert().equals(name) && a.state().equals("open")).findFirst()
                .orElse(null);
    }

    public void print(PrintStream print, URI dashboard, Path out) {
        print.println();
        print.println("==> Summary (from " + out.resolve("metrics.jsonl") + " and " + out.resolve(AlertsFile.NAME)
                + "; buckets wholly inside each phase)");
        String format = "    %-48s %7s %8s %9s %9s %9s %9s%n";
        print.printf(Locale.ROOT, format, "phase", "buckets", "drifted", "drift", "accuracy", "labelled",
                "callers'");
        print.printf(Locale.ROOT, format, "", "", "", "share", "(infermon)", "", "accuracy");
        for (PhaseResult p : phases) {
            print.printf(Locale.ROOT, format, p.number() + ". " + p.title(), p.buckets().size(),
                    p.driftedBuckets() + "/" + p.buckets().stream().filter(b -> b.driftShare() != null).count(),
                    number(p.meanDriftShare()), number(p.accuracy()),
                    p.meanCoverage() == null ? "-" : Math.round(100 * p.meanCoverage()) + "%",
                    number(p.callersAccuracy()));
        }
        print.println();
        if (alerts.isEmpty()) {
            print.println("    No alert was raised.");
        }
        for (Alert a : alerts) {
            print.printf(Locale.ROOT, "    %s  alert %-8s %-15s digits v%s: %s %.3f (%s)%s%n",
                    TIME.format(Instant.ofEpochSecond(a.bucket())), a.state(), a.alert(), a.version(), a.metric(),
                    a.value(), a.condition(), a.phase() == 0 ? "" : ", phase " + a.phase());
        }
        Alert drift = firstOpened("inputs drifted");
        PhaseResult first = phases.get(0);
        PhaseResult last = phases.get(phases.size() - 1);
        print.println();
        if (drift != null) {
            PhaseResult in = phases.stream().filter(p -> p.number() == drift.phase()).findFirst().orElse(null);
            // the alert opens with the last of its consecutive buckets, so it names that bucket and the phase start
            print.printf(Locale.ROOT, "    Input drift: the alert 'inputs drifted' opened with the bucket of %s UTC%s.%n",
                    TIME.format(Instant.ofEpochSecond(drift.bucket())),
                    in == null ? "" : " (phase " + in.number() + ", " + in.title() + ", began at "
                            + TIME.format(Instant.ofEpochMilli(in.firstMillis())) + ")");
        } else {
            print.println("    Input drift was not flagged.");
        }
        if (first.accuracy() != null && last.accuracy() != null) {
            print.printf(Locale.ROOT, "    Accuracy (from the late labels) fell from %.3f in phase %d to %.3f in phase "
                    + "%d, when model version %s was served.%n", first.accuracy(), first.number(), last.accuracy(),
                    last.number(), last.version());
        }
        print.println("    Dashboard: " + dashboard + "   Outputs: " + out);
        print.flush();
    }

    public void write(Path file) throws IOException {
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), this);
    }

    private static String number(Double v) {
        return v == null || v.isNaN() ? "-" : String.format(Locale.ROOT, "%.3f", v);
    }
}
