package io.infermon.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.infermon.processor.fleet.KafkaBroker;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A fleet as a user runs one: three services (the digits example, no infermon code) with the agent attached, each
 * with its own processor publishing to a real Kafka broker (KRaft, from the Maven artifacts), one
 * {@code infermon fleet} with a reference. The services serve clean digits, then inverted ones (a second run of the
 * service on the same queue: a second agent). Faults, each at a random moment: in the clean phase one host's
 * processor is killed with SIGKILL and started again (it continues from its checkpoint and publishes again what the
 * fleet may have had already); in the inverted phase the aggregator is killed with SIGKILL and started again, then
 * the Kafka broker is stopped and started again.
 *
 * <p>Every fleet bucket equals what one processor computes over the three queues with the same reference: counts,
 * every exact statistic (the pixels' distributions are exact value tables), drift measures and flags (none while
 * clean, most features in the inverted phase). The quantiles of the prediction distributions, KLL sketches merged in
 * another order, are instead each held to the stated rank error against the bucket's true values, read back from the
 * three queues. Every bucket has three hosts reporting, none missing.
 */
class FleetIT {
    private static final Path WORK = Path.of(System.getProperty("infermon.it.work"), "fleet");
    /**
     * The sketched prediction distributions (continuous, beyond 256 distinct values in a bucket of the 100-row calls):
     * a merge of sketches equals a sketch of all only within a bound, so their quantiles are held to it against the
     * true values.
     */
    private static final Set<String> SKETCHED = Set.of("max_prediction_proba", "spread12_prediction_proba",
            "prediction_entropy", "prediction_value");
    private static final Set<String> QUANTILES = Set.of("median", "q01", "q05", "q25", "q50", "q75", "q95", "q99",
            "iqr");
    private final List<ChildJvm.Running> children = new ArrayList<>();

    @AfterEach
    void stopChildren() {
        children.forEach(c -> c.process().destroyForcibly());
    }

    @Test
    void threeHostsMakeTheBucketsOneProcessorMakesOfTheirThreeQueues() throws Exception {
        CapturedRun.deleteRecursively(WORK);
        Path model = TestModels.digits();
        Files.createDirectories(WORK);
        Path csv = WORK.resolve("digits.csv.gz");
        try (InputStream in = FleetIT.class.getResourceAsStream("/datasets/digits.csv.gz")) {
            Files.copy(in, csv, StandardCopyOption.REPLACE_EXISTING);
        }
        Path reference = WORK.resolve("digits-reference.profile");
        ChildJvm.processor().args("reference", "build", "--csv", csv.toString(), "--columns", "0-63",
                "--model", "digits", "--out", reference.toString()).log(WORK.resolve("reference.log")).runOk();

        try (KafkaBroker broker = KafkaBroker.start(WORK.resolve("kafka"))) {
            Path fleetOut = WORK.resolve("fleet");
            // a host timeout past the faults' length: after its SIGKILL and the broker's restart the aggregator's
            // exactly-once tasks are rebuilt, and meanwhile one partition's host (its outbox's backlog) runs more than
            // the default 30 s of event time ahead of the others, which the lag rule then counts missing (seen twice
            // in clean-clone runs on 2 cores; a weakness of FleetMerge's host-lag rule, not of the hosts)
            String[] fleetArgs = {"fleet", "--kafka", broker.bootstrap(), "--out", fleetOut.toString(), "--bucket",
                "2s", "--reference", reference.toString(), "--no-dashboard", "--fleet-partitions", "2",
                "--host-timeout", "120s"};
            ChildJvm.Running aggregator = ChildJvm.processor().args(fleetArgs).log(WORK.resolve("fleet.log")).start();
            children.add(aggregator);
            List<Path> queues = new ArrayList<>();
            List<ChildJvm> hosts = new ArrayList<>();
            for (int h = 1; h <= 3; h++) {
                Path queue = WORK.resolve("queue-" + h); // the agent makes it; the processor waits for it
                queues.add(queue);
                hosts.add(ChildJvm.processor().args("run", "--queue", queue.toString(), "--out",
                        WORK.resolve("out-" + h).toString(), "--bucket", "2s", "--no-dashboard", "--quiet",
                        "--publish-kafka", broker.bootstrap(), "--fleet-host", "host-" + h, "--fleet-partitions", "2")
                        .log(WORK.resolve("processor-" + h + ".log")));
            }
            List<ChildJvm.Running> processors = new ArrayList<>();
            for (ChildJvm host : hosts) {
                processors.add(host.start());
            }
            children.addAll(processors);
            broker.awaitHosts("infermon.profiles", Set.of("host-1", "host-2", "host-3"));

            long calls = serve(model, queues, "clean", () -> {
                // once host 2's first buckets are out, at a random moment of the next two seconds, whatever its
                // processor is doing: killed with SIGKILL and started again
                await().atMost(Duration.ofMinutes(2)).until(() -> Files.exists(WORK.resolve("out-2/metrics.jsonl"))
                        && Files.size(WORK.resolve("out-2/metrics.jsonl")) > 0);
                Thread.sleep(new Random(seed("host 2's processor killed")).nextInt(2_000)); // the fault's moment
                processors.get(1).process().destroyForcibly().waitFor();
                children.add(hosts.get(1).start());
            });
            calls += serve(model, queues, "inverted", () -> {
                // at a random moment of the phase's first two seconds the aggregator is killed with SIGKILL and
                // started again, then Kafka is stopped and started again while the services go on (the hosts'
                // publishers keep what they owe in their outboxes meanwhile)
                Thread.sleep(new Random(seed("the aggregator killed")).nextInt(2_000)); // the fault's moment
                aggregator.process().destroyForcibly().waitFor();
                children.add(ChildJvm.processor().args(fleetArgs).log(WORK.resolve("fleet-restarted.log")).start());
                broker.stop();
                broker.start();
            });
            long total = calls;
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
                    .ignoreExceptions() // a line being written: read again
                    .until(() -> Files.exists(fleetOut.resolve("metrics.jsonl"))
                            && MetricLines.read(fleetOut.resolve("metrics.jsonl")).sum("what", "inference_calls")
                            >= total);
            MetricLines fleet = MetricLines.read(fleetOut.resolve("metrics.jsonl"));
            assertThat(fleet.sum("what", "inference_calls")).isEqualTo(total);
            assertThat(fleet.all().stream().filter(m -> m.what().equals("fleet_hosts_reporting"))
                    .map(MetricLines.Metric::value)).isNotEmpty().containsOnly(3.0);
            assertThat(fleet.all().stream().filter(m -> m.what().equals("fleet_hosts_missing"))
                    .map(MetricLines.Metric::value)).containsOnly(0.0);

            Path single = WORK.resolve("single");
            List<String> args = new ArrayList<>(List.of("run", "--out", single.toString(), "--bucket", "2s",
                    "--reference", reference.toString(), "--drain", "--quiet", "--no-checkpoint"));
            queues.forEach(q -> args.addAll(List.of("--queue", q.toString())));
            ChildJvm.processor().args(args.toArray(String[]::new)).log(WORK.resolve("single.log")).runOk();
            MetricLines one = MetricLines.read(single.resolve("metrics.jsonl"));

            Map<String, Double> expected = series(one, false);
            Map<String, Double> actual = series(fleet, true);
            assertThat(actual.keySet()).isEqualTo(expected.keySet());
            expected.forEach((series, v) -> assertThat(actual.get(series)).as(series)
                    .isCloseTo(v, Offset.offset(1e-9 * Math.max(1, Math.abs(v)))));
            assertSketchedQuantilesWithinRankBound(fleet, truth(queues));
            // the drift the fleet reports: none in the clean phase, most features in the inverted one
            assertThat(fleet.all().stream().filter(m -> m.what().equals("drift_share")).map(MetricLines.Metric::value))
                    .anyMatch(v -> v > 0.5).anyMatch(v -> v < 0.1);
        }
    }

    /** Something that goes wrong while the services run. */
    private interface Fault {
        void happen() throws Exception;
    }

    /**
     * Runs the three services for about six seconds (inverted digits with {@code phase} "inverted"), with
     * {@code fault} happening meanwhile; returns the calls they made.
     */
    private long serve(Path model, List<Path> queues, String phase, Fault fault) throws Exception {
        List<ChildJvm.Running> services = new ArrayList<>();
        List<Path> reports = new ArrayList<>();
        for (int h = 0; h < queues.size(); h++) {
            Path report = WORK.resolve(phase + "-report-" + (h + 1) + ".txt");
            reports.add(report);
            ChildJvm service = ChildJvm.app("io.infermon.examples.digits.DigitsApp").withAgent(queues.get(h))
                    .args("predict", "--model", model.toString(), "--batch", "100", "--seconds", "6", "--rate", "20",
                            "--report", report.toString())
                    .log(WORK.resolve(phase + "-service-" + (h + 1) + ".log"));
            if (phase.equals("inverted")) {
                service.args("--invert");
            }
            services.add(service.start());
        }
        children.addAll(services);
        fault.happen();
        long calls = 0;
        for (int h = 0; h < services.size(); h++) {
            assertThat(services.get(h).process().waitFor()).as(services.get(h).output()).isZero();
            calls += TestData.report(reports.get(h)).get("calls");
        }
        return calls;
    }

    /** A seed for a fault's random moment, printed: {@code -Dinfermon.it.seed=N} repeats a run's moment. */
    private static long seed(String what) {
        long seed = Long.getLong("infermon.it.seed", System.nanoTime());
        System.out.println("FleetIT: " + what + " at a moment drawn with -Dinfermon.it.seed=" + seed);
        return seed;
    }

    /**
     * The model metrics by bucket and series (every property but {@code scope}), leaving out the fleet's own, the
     * agents' and the processor's, and the quantiles of sketched distributions; up to the last bucket with calls
     * (a live fleet goes on with empty buckets after it, a drain stops at its data).
     */
    private static Map<String, Double> series(MetricLines lines, boolean fleet) {
        long last = lines.all().stream().filter(m -> m.what().equals("inference_calls") && m.value() > 0)
                .mapToLong(MetricLines.Metric::timestamp).max().orElseThrow();
        Map<String, Double> out = new TreeMap<>();
        for (MetricLines.Metric m : lines.all()) {
            Map<String, String> p = new TreeMap<>(m.properties());
            if (!p.containsKey("model") || m.timestamp() > last || m.what().startsWith("fleet_")
                    || (SKETCHED.contains(m.what()) && QUANTILES.contains(p.get("stat")))) {
                continue;
            }
            if (fleet) {
                assertThat(p.remove("scope")).isEqualTo("fleet");
            }
            out.put(m.timestamp() + " " + p, m.value());
        }
        return out;
    }

    /**
     * The probability rows of the queues' calls by the start (epoch seconds) of their 2 s bucket: the model's one
     * output, float32 {@code [batch, 10]}, little-endian as the wire format has it.
     */
    private static Map<Long, List<double[]>> truth(List<Path> queues) throws Exception {
        Map<Long, List<double[]>> rows = new TreeMap<>();
        for (Path queue : queues) {
            for (io.infermon.capture.CaptureRecord call : QueueRecords.read(queue).calls()) {
                io.infermon.capture.CapturedTensor out = call.tensors().stream()
                        .filter(t -> t.role() == io.infermon.capture.TensorRole.OUTPUT).findFirst().orElseThrow();
                assertThat(out.dtypeCode()).isEqualTo(io.infermon.capture.DType.FLOAT.code());
                java.nio.ByteBuffer b = out.data().duplicate().order(java.nio.ByteOrder.LITTLE_ENDIAN);
                int width = (int) out.shape()[1];
                List<double[]> bucket = rows.computeIfAbsent(
                        Math.floorDiv(call.captureTimeEpochNanos(), 2_000_000_000L) * 2, k -> new ArrayList<>());
                for (int r = 0; r < out.shape()[0]; r++) {
                    double[] p = new double[width];
                    for (int c = 0; c < width; c++) {
                        p[c] = b.getFloat(b.position() + 4 * (r * width + c));
                    }
                    bucket.add(p);
                }
            }
        }
        return rows;
    }

    /** One prediction distribution's values over probability rows, as docs/metrics.md defines them. */
    private static double[] values(List<double[]> rows, String what) {
        return rows.stream().mapToDouble(p -> {
            double[] sorted = p.clone();
            java.util.Arrays.sort(sorted);
            double h = 0;
            for (double v : p) {
                h -= v > 0 ? v * Math.log(v) : 0;
            }
            return switch (what) {
                case "max_prediction_proba" -> sorted[p.length - 1];
                case "spread12_prediction_proba" -> sorted[p.length - 1] - sorted[p.length - 2];
                case "prediction_entropy" -> h;
                default -> throw new IllegalArgumentException(what);
            };
        }).toArray();
    }

    /**
     * Every quantile of a sketched prediction distribution the fleet reports lies within the stated bounds against
     * the bucket's true values: {@code q} in {@code [lo - ε, hi + ε]}, {@code lo}, {@code hi} the true shares of
     * values {@code < v - δ} and {@code <= v + δ}, with ε the KLL rank error and δ = (max - min) / 2^17 the compact sketch
     * form's value error (docs/profile-format.md); each bucket's rows, minimum and maximum equal the truth's, and
     * some buckets have more distinct values than the exact tables hold, so the quantiles are the sketches'.
     */
    private static void assertSketchedQuantilesWithinRankBound(MetricLines fleet, Map<Long, List<double[]>> truth) {
        Map<String, Double> quantiles = Map.of("q01", 0.01, "q05", 0.05, "q25", 0.25, "q50", 0.5, "median", 0.5,
                "q75", 0.75, "q95", 0.95, "q99", 0.99);
        int checked = 0;
        int sketched = 0;
        for (Map.Entry<Long, List<double[]>> bucket : truth.entrySet()) {
            long t = bucket.getKey();
            assertThat(fleet.all().stream().filter(m -> m.timestamp() == t && m.what().equals("buffer_count"))
                    .mapToDouble(MetricLines.Metric::value).sum()).as("%s rows", t).isEqualTo(bucket.getValue().size());
            for (String what : List.of("max_prediction_proba", "spread12_prediction_proba", "prediction_entropy")) {
                double[] values = values(bucket.getValue(), what);
                if (java.util.Arrays.stream(values).distinct().count() > 256) {
                    sketched++;
                }
                Map<String, Double> stats = new TreeMap<>();
                fleet.all().stream().filter(m -> m.timestamp() == t && m.what().equals(what))
                        .forEach(m -> stats.put(m.properties().get("stat"), m.value()));
                assertThat(stats.get("min")).as("%s %s min", t, what).isCloseTo(
                        java.util.Arrays.stream(values).min().orElseThrow(), Offset.offset(1e-12));
                assertThat(stats.get("max")).as("%s %s max", t, what).isCloseTo(
                        java.util.Arrays.stream(values).max().orElseThrow(), Offset.offset(1e-12));
                for (Map.Entry<String, Double> q : quantiles.entrySet()) {
                    double v = stats.get(q.getKey());
                    // the fleet's sketches crossed Kafka in profiles' compact form: items within (max - min) / 2^17
                    double[] ranks = TestData.rankInterval(values, v,
                            (stats.get("max") - stats.get("min")) / (1 << 17));
                    assertThat(q.getValue()).as("%s %s %s = %s has true ranks [%s, %s] of %s values", t, what,
                            q.getKey(), v, ranks[0], ranks[1], values.length)
                            .isBetween(ranks[0] - MetricAssertions.RANK_ERROR, ranks[1] + MetricAssertions.RANK_ERROR);
                    checked++;
                }
                assertThat(stats.get("iqr")).isEqualTo(stats.get("q75") - stats.get("q25"));
            }
        }
        // the services' 100-row calls fill buckets with several hundred to thousands of rows (fewer on a loaded
        // machine, where loading the model eats into their six seconds): at least one bucket holds the sketches
        assertThat(sketched).as("distributions that outgrew the exact tables").isGreaterThanOrEqualTo(3);
        assertThat(checked).isEqualTo(truth.size() * 3 * quantiles.size());
    }
}
