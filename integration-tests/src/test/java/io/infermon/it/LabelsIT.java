package io.infermon.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Ground truth end to end: the digits and breast-cancer classifiers serve requests in child JVMs with the agent, the
 * request id taken from the handler's argument; every fifth label comes back through a feedback method (agent label
 * records), the rest are posted over HTTP to the live processor, shuffled, hours (of event time) after the bucket's
 * end, with unknown ids and malformed rows among them; the processor is killed with SIGKILL between batches and
 * restarted. Every label window then equals an independent computation from the apps' own reports: counts and
 * ratios exactly, log loss and Brier to 1e-9, AUC exactly.
 */
class LabelsIT {
    private static final Path WORK = Path.of(System.getProperty("infermon.it.work"), "labels");
    private static final String APP = "io.infermon.examples.digits.LabelledRequestsApp";
    private static final long HOUR = 3_600_000L;
    private static final long DAY = 24 * HOUR;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Bucket width of the run: short, so that buckets close (and checkpoints are written) while it runs. */
    private static final long WIDTH = 2_000L;

    /**
     * One request as the app reported it, with the capture times the agent gave its call and (for labels through the
     * feedback method) its label record.
     */
    private record Served(String model, int n, String id, int label, double[] p, long captureMillis,
                          long agentLabelMillis) {
        long bucketStart() {
            return Math.floorDiv(captureMillis, WIDTH) * WIDTH;
        }

        long bucketEnd() {
            return bucketStart() + WIDTH;
        }

        /** When its label is known, or Long.MIN_VALUE when it never gets one. */
        long labelMillis() {
            long offset = labelOffset(n);
            return offset == -1 ? agentLabelMillis : offset == Long.MIN_VALUE ? Long.MIN_VALUE : bucketEnd() + offset;
        }
    }

    private static String config(String model) {
        return """
                model:
                  name: %s
                methods:
                  - name: handler
                    class: io.infermon.examples.digits.LabelledRequestsApp$Handler
                    method: handle
                    arguments:
                      0: {role: id, getter: getRequestId}
                  - name: feedback
                    class: io.infermon.examples.digits.LabelledRequestsApp$Feedback
                    method: outcome
                    arguments: {0: id, 1: label}
                """.formatted(model);
    }

    /**
     * When request n's label is known, after its bucket's end; Long.MIN_VALUE for never, -1 for through the feedback
     * method (just after the call). Posted labels come 30 minutes to 30 hours late, so the label grace is 31 hours.
     */
    private static long labelOffset(int n) {
        if (n % 5 == 0) {
            return -1;
        }
        if (n == 7) {
            return 4 * DAY; // the label that moves the label clock past every maturity (2 days + the grace)
        }
        if (n % 7 == 0) {
            return Long.MIN_VALUE;
        }
        return switch (n % 3) {
            case 0 -> 30 * 60_000L;
            case 1 -> 5 * HOUR;
            default -> 30 * HOUR;
        };
    }

    @Test
    void labelWindowsEqualAnIndependentComputationAfterKills() throws Exception {
        Path dir = WORK.resolve("run");
        CapturedRun.deleteRecursively(dir);
        Files.createDirectories(dir);
        List<Served> served = new ArrayList<>();
        Path digitsQueue = dir.resolve("queue-digits");
        Path cancerQueue = dir.resolve("queue-cancer");
        for (String model : List.of("digits", "cancer")) {
            Path config = dir.resolve(model + ".yaml");
            Files.writeString(config, config(model));
            Path report = dir.resolve(model + ".csv");
            Path queue = dir.resolve("queue-" + model);
            ChildJvm.app(APP).args("--data", model, "--requests", model.equals("digits") ? "400" : "300",
                            "--report", report.toString(), "--feedback-every", "5")
                    .jvmArg("-javaagent:" + ChildJvm.AGENT_JAR + "=config=" + config + ",queue.dir=" + queue)
                    .log(dir.resolve(model + ".log")).runOk();
            QueueRecords q = QueueRecords.read(queue);
            Map<String, Long> captured = new HashMap<>();
            q.calls().forEach(c -> captured.put(c.requestId(), c.captureTimeEpochNanos() / 1_000_000L));
            Map<String, Long> fedBack = new HashMap<>();
            q.labels().forEach(c -> fedBack.put(c.requestId(), c.captureTimeEpochNanos() / 1_000_000L));
            for (String line : Files.readAllLines(report)) {
                String[] f = line.split(",");
                double[] p = java.util.Arrays.stream(f[3].split(";")).mapToDouble(Float::parseFloat).toArray();
                int n = Integer.parseInt(f[0].substring(f[0].indexOf('-') + 1));
                assertThat(captured).as("the call of " + f[0]).containsKey(f[0]);
                served.add(new Served(model, n, f[0], Integer.parseInt(f[2]), p, captured.get(f[0]),
                        fedBack.getOrDefault(f[0], Long.MIN_VALUE)));
            }
            assertThat(fedBack).hasSize((int) served.stream().filter(x -> x.model().equals(model) && x.n() % 5 == 0)
                    .count());
        }

        // the posted labels: shuffled over both models, in batches, each with an unknown id and a malformed row
        List<Served> posted = new ArrayList<>(served.stream().filter(s -> labelOffset(s.n()) > 0 && s.n() != 7)
                .toList());
        Collections.shuffle(posted, new Random(6));
        List<String> bodies = new ArrayList<>();
        int batches = 8;
        for (int b = 0; b < batches; b++) {
            ArrayNode rows = JSON.createArrayNode();
            for (int k = b; k < posted.size(); k += batches) {
                Served s = posted.get(k);
                rows.addObject().put("id", s.id()).put("label", s.label())
                        .put("time", Instant.ofEpochMilli(s.labelMillis()).toString());
            }
            rows.addObject().put("id", "ghost-" + b).put("label", 1)
                    .put("time", served.get(0).captureMillis() / 1000); // long before the watermark: unknown
            rows.addObject().put("id", "digits-1").put("label", "seven");
            bodies.add(JSON.writeValueAsString(rows));
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path out = dir.resolve("out");
        // one log per processor run (each start would overwrite a shared one), all shown when a window is missing
        String[] run = {"run", "--queue", digitsQueue.toString(), "--queue", cancerQueue.toString(), "--out",
                out.toString(), "--bucket", "2s", "--label-maturity", "1h,1d,2d", "--label-grace", "31h",
                "--max-future", "5d", "--dashboard-port", Integer.toString(port)};
        for (int b = 0; b < batches; b += 2) {
            ChildJvm.Running p = ChildJvm.processor().args(run).log(dir.resolve("processor-" + b + ".log"))
                    .start();
            post(port, bodies.get(b));
            post(port, bodies.get(b + 1));
            if (b >= 2) {
                // let it take the batches (and, once, pass a bucket boundary) before the kill; the first time it
                // dies as soon as the batches are on disk, before it has read anything much
                // (a bucket boundary shows as lines in metrics.jsonl; its checkpoint, in OUT/state, follows them)
                await().atMost(Duration.ofSeconds(60)).until(() -> inboxEmpty(out)
                        && Files.exists(out.resolve("metrics.jsonl")) && Files.size(out.resolve("metrics.jsonl")) > 0);
            }
            p.process().destroyForcibly(); // SIGKILL
            assertThat(p.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        Served clock = served.stream().filter(s -> s.model().equals("digits") && s.n() == 7).findFirst()
                .orElseThrow();
        ChildJvm.Running p = ChildJvm.processor().args(run).log(dir.resolve("processor-clock.log")).start();
        post(port, "[{\"id\": \"" + clock.id() + "\", \"label\": " + clock.label() + ", \"time\": "
                + clock.labelMillis() / 1000.0 + "}]");
        p.process().destroyForcibly();
        assertThat(p.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        // the last buckets close at the end of a drain; the label clock is past every maturity by then
        String last = ChildJvm.processor().args(run).args("--drain", "--no-dashboard")
                .log(dir.resolve("processor-drain.log")).runOk();
        assertThat(last).contains("continuing from checkpoint");

        MetricLines all = MetricLines.read(out.resolve("metrics.jsonl"));
        int windows = 0;
        for (String model : List.of("digits", "cancer")) {
            for (long start : served.stream().filter(x -> x.model().equals(model)).map(Served::bucketStart)
                    .collect(java.util.stream.Collectors.toCollection(TreeSet::new))) {
                List<Served> rows = served.stream().filter(x -> x.model().equals(model) && x.bucketStart() == start)
                        .toList();
                for (String window : List.of("1h", "1d", "2d")) {
                    long maturity = window.equals("1h") ? HOUR : window.equals("1d") ? DAY : 2 * DAY;
                    Path file = out.resolve("anodot").resolve(model + ".labels_" + window + "-" + start / 1000
                            + ".json");
                    assertThat(file).as(() -> processorLogs(dir)).exists();
                    List<Served> labelled = rows.stream().filter(x -> x.labelMillis() != Long.MIN_VALUE
                            && x.labelMillis() < start + WIDTH + maturity).toList();
                    checkWindow(MetricLines.of(MetricLines.readArray(file)), rows.size(), labelled, start / 1000);
                    assertThat(all.where("what", "accuracy", "model", model, "label_window", window)
                            .stream().filter(x -> x.timestamp() == start / 1000)).hasSize(1);
                    windows++;
                }
            }
        }
        assertThat(windows).isGreaterThanOrEqualTo(2 * 3);
        long agentLabels = served.stream().filter(s -> s.n() % 5 == 0).count();
        assertThat(all.sum("what", "processor_labels", "event", "joined"))
                .isEqualTo(agentLabels + posted.size() + 1);
        assertThat(all.sum("what", "processor_labels", "event", "unknown_id")).isEqualTo(batches);
        assertThat(all.sum("what", "processor_labels", "event", "rejected_rows")).isEqualTo(batches);
        assertThat(all.where("what", "processor_labels", "event", "replaced")).isEmpty();
        assertThat(all.where("what", "processor_labels", "event", "late")).isEmpty();
    }

    /** Every processor run's output, in the order the runs came (processor-0 to -6, then -clock and -drain). */
    private static String processorLogs(Path dir) {
        StringBuilder all = new StringBuilder();
        try (var files = Files.list(dir)) {
            for (Path log : files.filter(f -> f.getFileName().toString().matches("processor-.*\\.log")).sorted()
                    .toList()) {
                all.append("== ").append(log.getFileName()).append('\n').append(Files.readString(log));
            }
        } catch (java.io.IOException e) {
            all.append("cannot read the processor logs in ").append(dir).append(": ").append(e);
        }
        return all.toString();
    }

    private static boolean inboxEmpty(Path out) throws java.io.IOException {
        try (var files = Files.list(out.resolve("labels").resolve("inbox"))) {
            return files.noneMatch(f -> f.getFileName().toString().endsWith(".labels"));
        }
    }

    /** Posts until the (re)started processor answers 200. */
    private static void post(int port, String body) {
        URI uri = URI.create("http://127.0.0.1:" + port + "/v1/labels");
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            return true;
        });
    }

    /** The processor's predicted class: class 1 when p1 > 0.5 for two classes, else the argmax (lowest on ties). */
    private static int predicted(double[] p) {
        if (p.length == 2) {
            return p[1] > 0.5 ? 1 : 0;
        }
        int best = 0;
        for (int c = 1; c < p.length; c++) {
            if (p[c] > p[best]) {
                best = c;
            }
        }
        return best;
    }

    private static double single(MetricLines m, String what) {
        return m.where("what", what).stream().filter(x -> !x.properties().containsKey("class")
                && !x.properties().containsKey("stat")).findFirst().orElseThrow(() -> new AssertionError(what))
                .value();
    }

    private static void checkWindow(MetricLines m, int predictions, List<Served> rows, long bucketStartSeconds) {
        int n = rows.size();
        assertThat(single(m, "labeled_rows")).isEqualTo(n);
        assertThat(single(m, "label_coverage")).isEqualTo((double) n / predictions);
        if (n == 0) {
            return;
        }
        int width = rows.get(0).p().length;
        double[] delays = rows.stream().mapToDouble(x -> (x.labelMillis() - x.captureMillis()) / 1000.0).sorted()
                .toArray();
        assertThat(m.value("what", "label_delay_seconds", "stat", "max")).isEqualTo(delays[n - 1]);
        assertThat(m.value("what", "label_delay_seconds", "stat", "p50"))
                .isEqualTo(delays[(int) Math.ceil(0.5 * n) - 1]);
        long right = rows.stream().filter(s -> predicted(s.p()) == s.label()).count();
        assertThat(single(m, "accuracy")).isEqualTo((double) right / n);
        TreeSet<Integer> classes = new TreeSet<>();
        rows.forEach(s -> {
            classes.add(s.label());
            classes.add(predicted(s.p()));
        });
        double macro = 0;
        double weighted = 0;
        for (int c : classes) {
            long tp = rows.stream().filter(s -> s.label() == c && predicted(s.p()) == c).count();
            long fp = rows.stream().filter(s -> s.label() != c && predicted(s.p()) == c).count();
            long fn = rows.stream().filter(s -> s.label() == c && predicted(s.p()) != c).count();
            String cls = "class_" + c;
            assertThat(m.value("what", "support", "class", cls)).isEqualTo(tp + fn);
            assertThat(m.value("what", "precision", "class", cls))
                    .isEqualTo(tp + fp == 0 ? 0 : (double) tp / (tp + fp));
            assertThat(m.value("what", "recall", "class", cls)).isEqualTo(tp + fn == 0 ? 0 : (double) tp / (tp + fn));
            double f1 = 2.0 * tp / (2 * tp + fp + fn);
            assertThat(m.value("what", "f1", "class", cls)).isEqualTo(f1);
            assertThat(m.value("what", "confusion_count", "class", cls, "predicted_class", cls)).isEqualTo(tp);
            assertThat(m.value("what", "label_share", "class", cls)).isEqualTo((double) (tp + fn) / n);
            macro += f1;
            weighted += (tp + fn) * f1;
        }
        assertThat(single(m, "f1_macro")).isCloseTo(macro / classes.size(), within(1e-15));
        assertThat(single(m, "f1_weighted")).isCloseTo(weighted / n, within(1e-15));
        double logLoss = 0;
        double brier = 0;
        for (Served s : rows) {
            logLoss -= Math.log(Math.max(s.p()[s.label()], 1e-15));
            for (int c = 0; c < width; c++) {
                if (width == 2 && c == 0) {
                    continue;
                }
                brier += Math.pow(s.p()[c] - (s.label() == c ? 1 : 0), 2);
            }
        }
        assertThat(single(m, "log_loss")).isCloseTo(logLoss / n, within(1e-9));
        assertThat(single(m, "brier_score")).isCloseTo(brier / n, within(1e-9));
        double aucSum = 0;
        int defined = 0;
        for (int c = width == 2 ? 1 : 0; c < width; c++) {
            long pos = 0;
            long neg = 0;
            long halves = 0;
            for (Served a : rows) {
                if (a.label() != c) {
                    neg++;
                    continue;
                }
                pos++;
                for (Served b : rows) {
                    if (b.label() != c) {
                        halves += a.p()[c] > b.p()[c] ? 2 : a.p()[c] == b.p()[c] ? 1 : 0;
                    }
                }
            }
            if (pos > 0 && neg > 0) {
                aucSum += halves / (2.0 * pos * neg);
                defined++;
            }
        }
        if (defined > 0) {
            assertThat(single(m, "roc_auc")).isEqualTo(aucSum / defined);
        } else {
            // a window whose labelled rows are all of one class (a bucket the wall clock cut small): no AUC is defined
            assertThat(m.where("what", "roc_auc")).isEmpty();
        }
        double ece = 0;
        for (int b = 0; b < 10; b++) {
            long count = 0;
            long correct = 0;
            double confidence = 0;
            for (Served s : rows) {
                double top = java.util.Arrays.stream(s.p()).max().orElseThrow();
                if (Math.min(9, (int) Math.floor(top * 10)) == b) {
                    count++;
                    confidence += top;
                    correct += predicted(s.p()) == s.label() ? 1 : 0;
                }
            }
            if (count > 0) {
                ece += (double) count / n * Math.abs((double) correct / count - confidence / count);
            }
        }
        assertThat(single(m, "expected_calibration_error")).isCloseTo(ece, within(1e-12));
        assertThat(m.all()).allSatisfy(x -> assertThat(x.timestamp()).isEqualTo(bucketStartSeconds));
    }
}
