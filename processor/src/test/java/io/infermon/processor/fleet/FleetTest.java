package io.infermon.processor.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.infermon.processor.Datasets;
import io.infermon.processor.ProcessorCommand;
import io.infermon.processor.Records;
import io.infermon.processor.history.BucketHistory;
import io.infermon.processor.history.LabelWindowView;
import io.infermon.processor.history.MetricsLog;
import io.infermon.processor.history.ModelRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fleet end to end on a real Kafka broker: two host processors (child JVMs) publish the buckets of their queues,
 * written live as agents write them (calls of the digits model spread over both hosts, with watermark records); one
 * {@code infermon fleet} merges them. Every fleet bucket equals what one processor computes over both queues, and
 * says two hosts reported; the quantiles of the prediction distributions, sketched (KLL) on the hosts and merged, are
 * each within the stated rank error of their rank in the bucket's true values, which the test keeps as it writes
 * them. A host killed is reported missing once it lags by the host timeout, and the fleet goes on without it; the
 * fleet's alert rule on {@code fleet_hosts_missing} opens then, once, and resolves once the host is back.
 */
class FleetTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final List<Process> children = new ArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        children.forEach(Process::destroyForcibly);
    }

    private Process child(Path log, String... args) throws Exception {
        Process p = new ProcessBuilder(ProcessorCommand.of(args)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        children.add(p);
        return p;
    }

    /**
     * A seed for a fault's random moment, printed so that a failing run can be repeated with
     * {@code -Dinfermon.test.seed=N}.
     */
    private static long seed(String what) {
        long seed = Long.getLong("infermon.test.seed", System.nanoTime());
        System.out.println("FleetTest: " + what + " at a moment drawn with -Dinfermon.test.seed=" + seed);
        return seed;
    }

    /** Kills {@code p} with SIGKILL {@code delayMillis} from now, from a thread of its own, while the test goes on. */
    private static Thread killLater(Process p, long delayMillis) {
        Thread t = new Thread(() -> {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(delayMillis)); // the fault's moment, not a wait
            p.destroyForcibly();
        }, "fleet-test-killer");
        t.start();
        return t;
    }

    /** A queue written as an agent writes it: calls stamped now, a watermark record before each. */
    private static final class LiveQueue implements AutoCloseable {
        private final ChronicleQueue queue;
        private final ExcerptAppender appender;
        private final long agent = System.currentTimeMillis() * 1_000_000L;

        LiveQueue(Path dir) {
            this.queue = SingleChronicleQueueBuilder.binary(dir).build();
            this.appender = queue.createAppender();
        }

        void call(float[] pixels, float[] probabilities) {
            call(new float[][] {pixels}, new float[][] {probabilities});
        }

        void call(float[][] pixels, float[][] probabilities) {
            call(System.currentTimeMillis(), pixels, probabilities);
        }

        /** A call of several rows captured at {@code now} (epoch milliseconds; the clock's time, just read). */
        void call(long now, float[][] pixels, float[][] probabilities) {
            append(Records.watermark(now, agent, false));
            append(Records.encode(Records.call(now, "digits", pixels, probabilities)));
        }

        void watermark() {
            append(Records.watermark(System.currentTimeMillis(), agent, false));
        }

        /** A one-row call with a request id, captured at {@code now}. */
        void call(long now, String id, float[] pixels, float[] probabilities) {
            append(Records.watermark(now, agent, false));
            append(Records.encode(new io.infermon.capture.CaptureRecord(1, io.infermon.capture.RecordKind.INFERENCE,
                    0, now * 1_000_000L, 50_000L, "digits", "", "", "tensorflow.session", id, List.of(
                    Records.floats("x:0", io.infermon.capture.TensorRole.INPUT, new float[][] {pixels}),
                    Records.floats("probs", io.infermon.capture.TensorRole.OUTPUT,
                            new float[][] {probabilities})))));
        }

        /** An agent's label record: the true class of the call {@code id}, stamped {@code millis}. */
        void label(long millis, String id, long label) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                    .putLong(label);
            append(Records.encode(new io.infermon.capture.CaptureRecord(1, io.infermon.capture.RecordKind.LABEL, 0,
                    millis * 1_000_000L, 1000L, "digits", "", "", "feedback", id, List.of(
                    new io.infermon.capture.CapturedTensor("y", io.infermon.capture.TensorRole.INPUT,
                            io.infermon.capture.TensorMeaning.LABEL, io.infermon.capture.DType.INT64.code(),
                            new long[] {1}, b.flip().asReadOnlyBuffer())))));
        }

        /** The agent's health record: its counters, cumulative since it started, as the agent writes them. */
        void health(long now, Map<String, Long> counters) {
            java.nio.ByteBuffer b = io.infermon.capture.CaptureCodec.encodeHealth(new io.infermon.capture.AgentHealth(
                    now * 1_000_000L, 1_000_000_000L, "agent-" + agent, agent, counters));
            byte[] bytes = new byte[b.remaining()];
            b.get(bytes);
            append(bytes);
        }

        private void append(byte[] bytes) {
            try (DocumentContext dc = appender.writingDocument()) {
                dc.wire().bytes().write(bytes);
            }
        }

        @Override
        public void close() {
            queue.close();
        }
    }

    /** Probabilities that depend on the digit's label only: few distinct values, so every statistic is exact. */
    private static float[] probabilities(int label) {
        float[] p = new float[10];
        java.util.Arrays.fill(p, 0.02f);
        p[label] = 0.82f;
        return p;
    }

    @Test
    void twoHostsMakeOneFleetBucketEqualToOneProcessorOverBothQueuesAndAKilledHostIsReportedMissingUntilItIsBack()
            throws Exception {
        try (KafkaBroker broker = KafkaBroker.start(dir.resolve("kafka"))) {
            Path qa = dir.resolve("queue-a");
            Path qb = dir.resolve("queue-b");
            Path fleetOut = dir.resolve("fleet");
            try (LiveQueue a = new LiveQueue(qa); LiveQueue b = new LiveQueue(qb)) {
                a.watermark();
                b.watermark();
                // the hosts' processor.yaml, whose alert rules the fleet evaluates on its own metrics
                Path yaml = Files.writeString(dir.resolve("processor.yaml"), """
                        alerts:
                          - name: host missing
                            metric: fleet_hosts_missing
                            where: {scope: fleet}
                            above: 0
                        """);
                child(dir.resolve("fleet.log"), "fleet", "--kafka", broker.bootstrap(), "--out", fleetOut.toString(),
                        "--bucket", "2s", "--host-timeout", "6s", "--no-dashboard", "--fleet-partitions", "2",
                        "--config", yaml.toString());
                Process hostA = child(dir.resolve("host-a.log"), "run", "--queue", qa.toString(), "--out",
                        dir.resolve("out-a").toString(), "--bucket", "2s", "--no-dashboard", "--quiet",
                        "--publish-kafka", broker.bootstrap(), "--fleet-host", "a", "--fleet-partitions", "2");
                String[] runB = {"run", "--queue", qb.toString(), "--out", dir.resolve("out-b").toString(), "--bucket",
                        "2s", "--no-dashboard", "--quiet", "--publish-kafka", broker.bootstrap(), "--fleet-host", "b",
                        "--fleet-partitions", "2"};
                Process hostB = child(dir.resolve("host-b.log"), runB);
                broker.awaitHosts("infermon.profiles", Set.of("a", "b"));
                publishBadRecords(broker);

                Truth truth = new Truth();
                long total = traffic(a, b, 6_000, truth);
                // both agents idle: their watermarks close the hosts' last buckets, then the fleet's
                long idleUntil = System.currentTimeMillis() + 3_000;
                while (System.currentTimeMillis() < idleUntil) {
                    a.watermark();
                    b.watermark();
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(250));
                }
                await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                        .until(() -> sum(fleetOut, "inference_calls") == total);

                // one processor over both queues, as a reference
                Path single = dir.resolve("single");
                Process reference = child(dir.resolve("single.log"), "run", "--queue", qa.toString(), "--queue",
                        qb.toString(), "--out", single.toString(), "--bucket", "2s", "--drain", "--quiet",
                        "--no-checkpoint");
                assertThat(reference.waitFor(2, TimeUnit.MINUTES)).isTrue();
                assertSameBuckets(byBucket(fleetOut, true), byBucket(single, false));
                long last = truth.buckets.lastKey();
                assertSketchedQuantilesWithinRankBound(fleetOut, truth, last, PROFILE_VALUE_ERROR);
                assertSketchedQuantilesWithinRankBound(single, truth, last, 0);
                assertThat(hosts(fleetOut, "fleet_hosts_reporting")).containsOnly(2.0);
                assertThat(hosts(fleetOut, "fleet_hosts_missing")).containsOnly(0.0);

                // host b's processor is killed; a goes on
                hostB.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                long more = 0;
                long later = System.currentTimeMillis() + 12_000;
                for (int i = 0; System.currentTimeMillis() < later; i++) {
                    a.call(new float[64], probabilities(i % 10));
                    more++;
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
                }
                long all = total + more;
                await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                        .until(() -> sum(fleetOut, "inference_calls") == all
                                && hosts(fleetOut, "fleet_hosts_missing").contains(1.0));
                assertThat(hostA.isAlive()).isTrue();

                // host b's processor comes back (its checkpoint, its host id) and its agent goes on: b reports again
                child(dir.resolve("host-b.log"), runB);
                long back = System.currentTimeMillis() + 10_000;
                for (int i = 0; System.currentTimeMillis() < back; i++) {
                    (i % 2 == 0 ? a : b).call(new float[64], probabilities(i % 10));
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
                }
                await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                        .until(() -> backForThreeBuckets(fleetOut));
                // the alert rule opened on the first fleet bucket with a host missing and resolved on the first one
                // after it with none: once each, as the rule's definition applied to the series the fleet wrote says
                List<Map<String, Object>> expected = expectedAlertEvents(series(fleetOut, "fleet_hosts_missing"), 0);
                assertThat(expected).hasSize(2);
                assertThat(alertEvents(fleetOut)).isEqualTo(expected);
                List<JsonNode> events = new ArrayList<>();
                for (String l : Files.readAllLines(fleetOut.resolve("alerts.jsonl"))) {
                    events.add(JSON.readTree(l));
                }
                for (JsonNode event : events) {
                    assertThat(event.get("alert").asText()).isEqualTo("host missing");
                    assertThat(event.get("metric").asText()).isEqualTo("fleet_hosts_missing");
                    assertThat(event.get("series").get("scope").asText()).isEqualTo("fleet");
                    assertThat(event.get("series").get("model").asText()).isEqualTo("digits");
                }
                assertThat(events.get(1).get("opened_bucket").asLong()).isEqualTo(events.get(0).get("bucket").asLong());
            }
            // the bad records were counted and named, and stopped nothing
            assertThat(Files.readString(dir.resolve("fleet.log")))
                    .contains("infermon fleet: skipped a record on infermon.profiles that is not a fleet record of "
                            + "this version (not an infermon fleet record (no INFK magic))")
                    .contains("(fleet record format version 2 is not supported (this build reads 1))");
        }
    }

    /**
     * The fleet's exactly-once path under faults: while two hosts' calls flow, the aggregator's JVM is killed with
     * SIGKILL at a random moment and started again, and the broker is killed and started again (the hosts' publishers
     * wait in their outboxes meanwhile). Every call is counted once, and every fleet bucket still equals one processor
     * over both queues.
     */
    @Test
    void theAggregatorKilledAndKafkaRestartedMidRunLoseAndRepeatNothing() throws Exception {
        try (KafkaBroker broker = KafkaBroker.start(dir.resolve("kafka"))) {
            Path qa = dir.resolve("queue-a");
            Path qb = dir.resolve("queue-b");
            Path fleetOut = dir.resolve("fleet");
            try (LiveQueue a = new LiveQueue(qa); LiveQueue b = new LiveQueue(qb)) {
                a.watermark();
                b.watermark();
                // a rule whose series crosses its threshold at every bucket (the mean pred1 of a bucket, about 0.725
                // and 0.6 in turn): its events, written by an aggregator killed mid-run and restarted, must still be
                // those of the series
                Path yaml = Files.writeString(dir.resolve("processor.yaml"), """
                        alerts:
                          - name: confident
                            metric: max_prediction_proba
                            where: {stat: mean}
                            above: 0.66
                        """);
                String[] fleet = {"fleet", "--kafka", broker.bootstrap(), "--out", fleetOut.toString(), "--bucket",
                        "2s", "--no-dashboard", "--fleet-partitions", "2", "--config", yaml.toString()};
                Process aggregator = child(dir.resolve("fleet.log"), fleet);
                for (String h : List.of("a", "b")) {
                    child(dir.resolve("host-" + h + ".log"), "run", "--queue", (h.equals("a") ? qa : qb).toString(),
                            "--out", dir.resolve("out-" + h).toString(), "--bucket", "2s", "--no-dashboard",
                            "--quiet", "--publish-kafka", broker.bootstrap(), "--fleet-host", h,
                            "--fleet-partitions", "2");
                }
                broker.awaitHosts("infermon.profiles", Set.of("a", "b"));
                Truth truth = new Truth();
                long calls = traffic(a, b, 4_000, truth);
                await().atMost(Duration.ofMinutes(1)).until(() -> sum(fleetOut, "inference_calls") > 0);
                // mid-run, at a random moment of the next two seconds of traffic, whatever it is doing
                Thread killer = killLater(aggregator, new Random(seed("aggregator kill")).nextInt(2_000));
                calls += traffic(a, b, 2_000, truth);
                killer.join();
                assertThat(aggregator.waitFor(30, TimeUnit.SECONDS)).isTrue();
                child(dir.resolve("fleet.log"), fleet);
                calls += traffic(a, b, 2_000, truth);
                broker.stop();
                calls += traffic(a, b, 4_000, truth); // Kafka away: the hosts go on, their buckets wait
                broker.start();
                calls += traffic(a, b, 3_000, truth);
                long idleUntil = System.currentTimeMillis() + 3_000;
                while (System.currentTimeMillis() < idleUntil) {
                    a.watermark();
                    b.watermark();
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(250));
                }
                long total = calls;
                try {
                    await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200))
                            .until(() -> sum(fleetOut, "inference_calls") >= total);
                } catch (org.awaitility.core.ConditionTimeoutException e) {
                    throw new AssertionError(sum(fleetOut, "inference_calls") + " of " + total + " calls in the "
                            + "fleet's buckets; the logs:\n" + logs(), e);
                }
                assertThat(sum(fleetOut, "inference_calls")).isEqualTo(total);

                Path single = dir.resolve("single");
                Process reference = child(dir.resolve("single.log"), "run", "--queue", qa.toString(), "--queue",
                        qb.toString(), "--out", single.toString(), "--bucket", "2s", "--drain", "--quiet",
                        "--no-checkpoint");
                assertThat(reference.waitFor(2, TimeUnit.MINUTES)).isTrue();
                assertSameBuckets(byBucket(fleetOut, true), byBucket(single, false));
                long last = truth.buckets.lastKey();
                assertSketchedQuantilesWithinRankBound(fleetOut, truth, last, PROFILE_VALUE_ERROR);
                assertSketchedQuantilesWithinRankBound(single, truth, last, 0);
                assertThat(hosts(fleetOut, "fleet_hosts_missing")).containsOnly(0.0);
                // every alert event once, none lost and none repeated by the kill: as the series gives them
                List<Map<String, Object>> expected = expectedAlertEvents(
                        new TreeMap<>(stat(fleetOut, "max_prediction_proba", "mean").headMap(last, true)), 0.66);
                assertThat(expected.size()).as("events the series gives").isGreaterThanOrEqualTo(4);
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(alertEvents(fleetOut).stream()
                        .filter(e -> (long) e.get("bucket") <= last).toList()).isEqualTo(expected));
            }
        }
    }

    /**
     * Label windows and agent health across the fleet, each counted once across a host's {@code kill -9}: two hosts'
     * calls carry request ids, and a third of them get a label record (the digit's label, which the model puts on top,
     * in even 2 s buckets; in odd ones every other label is another class, so the accuracy falls to about 0.5); the
     * agents write health records. Every fleet label window (1s and 3s maturities) equals, metric by metric, the window
     * one processor computes over both queues with all the joined rows together; a fleet alert rule on accuracy opens
     * and resolves as its series says; each fleet bucket's summed agent counter equals the sum of the hosts' own; and a
     * label window record of an unknown statistics version and a record of an unknown kind are counted and skipped.
     * Host b's processor is killed with SIGKILL at a random moment mid-run and started again.
     */
    @Test
    void labelWindowsAndAgentHealthOfTwoHostsMergeIntoTheFleetsAndAnAlertOnFleetAccuracyOpens() throws Exception {
        try (KafkaBroker broker = KafkaBroker.start(dir.resolve("kafka"))) {
            Path qa = dir.resolve("queue-a");
            Path qb = dir.resolve("queue-b");
            Path fleetOut = dir.resolve("fleet");
            try (LiveQueue a = new LiveQueue(qa); LiveQueue b = new LiveQueue(qb)) {
                a.watermark();
                b.watermark();
                Path yaml = Files.writeString(dir.resolve("processor.yaml"), """
                        alerts:
                          - name: fleet accuracy
                            metric: accuracy
                            where: {scope: fleet, label_window: 1s}
                            below: 0.7
                        """);
                child(dir.resolve("fleet.log"), "fleet", "--kafka", broker.bootstrap(), "--out", fleetOut.toString(),
                        "--bucket", "2s", "--no-dashboard", "--fleet-partitions", "2", "--config", yaml.toString());
                Map<String, String[]> run = new TreeMap<>();
                for (String h : List.of("a", "b")) {
                    run.put(h, new String[] {"run", "--queue", (h.equals("a") ? qa : qb).toString(), "--out",
                            dir.resolve("out-" + h).toString(), "--bucket", "2s", "--no-dashboard", "--quiet",
                            "--label-maturity", "1s,3s", "--publish-kafka", broker.bootstrap(), "--fleet-host", h,
                            "--fleet-partitions", "2"});
                }
                child(dir.resolve("host-a.log"), run.get("a"));
                Process hostB = child(dir.resolve("host-b.log"), run.get("b"));
                broker.awaitHosts("infermon.profiles", Set.of("a", "b"));
                publishBadLabelRecords(broker);

                double[][] digits = Datasets.digits();
                int[] labels = Datasets.digitLabels();
                long[] captured = new long[2];
                long until = System.currentTimeMillis() + 8_000;
                long killAt = until - 6_000 + new Random(seed("host b kill")).nextInt(4_000); // 2 to 6 s in
                long nextHealth = 0;
                for (int i = 0; System.currentTimeMillis() < until; i++) {
                    long now = System.currentTimeMillis();
                    if (hostB != null && now >= killAt) {
                        // host b's processor is killed mid-run and started again (its checkpoint, its outbox): it
                        // publishes again windows and health the fleet may have, and the fleet keeps each once
                        hostB.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                        child(dir.resolve("host-b.log"), run.get("b"));
                        hostB = null;
                    }
                    int host = i % 3 == 0 ? 1 : 0;
                    LiveQueue q = host == 0 ? a : b;
                    float[] x = new float[64];
                    for (int j = 0; j < 64; j++) {
                        x[j] = (float) digits[i % digits.length][j];
                    }
                    int label = labels[i % labels.length]; // the model is right: the label is on top
                    String id = (host == 0 ? "a-" : "b-") + i;
                    q.call(now, id, x, probabilities(label, i, 0.4f));
                    captured[host]++;
                    if (i % 4 == 0) { // a quarter of the calls, on both hosts: under 200 labels a bucket
                        boolean odd = Math.floorDiv(now, 2_000L) % 2 == 1;
                        q.label(now + i % 7, id, odd && i % 8 == 0 ? (label + 1) % 10 : label);
                    }
                    if (now >= nextHealth) {
                        for (int h = 0; h < 2; h++) {
                            (h == 0 ? a : b).health(now, Map.of("calls_captured", captured[h],
                                    "dropped_ring_full", captured[h] / 7, "capture_enabled", 1L));
                        }
                        nextHealth = now + 300;
                    }
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
                }
                // every label window and agent health record the hosts sent so far, sent again as a host does when it
                // is killed between Kafka's acknowledgement and the outbox file's removal: the fleet keeps each once
                // (those still open are counted as repeated, those closed as late)
                assertThat(republishLabelWindowsAndHealth(broker)).as("records sent again").isGreaterThan(0);
                // the agents idle past the last bucket's end, its grace and the longest maturity
                long idleUntil = System.currentTimeMillis() + 8_000;
                while (System.currentTimeMillis() < idleUntil) {
                    long now = System.currentTimeMillis();
                    a.watermark();
                    b.watermark();
                    for (int h = 0; h < 2; h++) {
                        (h == 0 ? a : b).health(now, Map.of("calls_captured", captured[h],
                                "dropped_ring_full", captured[h] / 7, "capture_enabled", 1L));
                    }
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(250));
                }

                // one processor over both queues: every label window with all the joined rows together
                Path single = dir.resolve("single");
                Process reference = child(dir.resolve("single.log"), "run", "--queue", qa.toString(), "--queue",
                        qb.toString(), "--out", single.toString(), "--bucket", "2s", "--drain", "--quiet",
                        "--no-checkpoint", "--label-maturity", "1s,3s");
                assertThat(reference.waitFor(2, TimeUnit.MINUTES)).isTrue();
                Map<String, Map<String, Double>> expected = labelWindows(single, false);
                assertThat(expected.keySet().stream().filter(w -> w.endsWith(" 3s")).count())
                        .as("3s windows the single processor wrote").isGreaterThanOrEqualTo(3);
                try {
                    await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                            .until(() -> labelWindows(fleetOut, true).keySet().containsAll(expected.keySet())
                                    && sum(fleetOut, "agent_calls_captured") == captured[0] + captured[1]);
                } catch (org.awaitility.core.ConditionTimeoutException e) {
                    throw new AssertionError("fleet windows " + labelWindows(fleetOut, true).keySet() + ", expected "
                            + expected.keySet() + ", calls captured " + sum(fleetOut, "agent_calls_captured")
                            + " of " + (captured[0] + captured[1]) + "; the logs:\n" + logs(), e);
                }
                Map<String, Map<String, Double>> fleet = labelWindows(fleetOut, true);
                int withAuc = 0;
                for (String w : expected.keySet()) {
                    Map<String, Double> e = expected.get(w);
                    Map<String, Double> f = fleet.get(w);
                    assertThat(f.keySet()).as(w).isEqualTo(e.keySet());
                    e.forEach((series, v) -> assertThat(f.get(series)).as(w + " " + series)
                            .isCloseTo(v, org.assertj.core.data.Offset.offset(1e-9 * Math.max(1, Math.abs(v)))));
                    String window = "{label_window=" + w.substring(w.indexOf(' ') + 1) + ", model=digits, ";
                    // the sketch-merged statistics are among those compared: ROC AUC is in every window with rows of
                    // several classes (a window at the traffic's very start or end may hold a single labelled row,
                    // and a one-vs-rest AUC needs both sides)
                    if (e.getOrDefault(window + "target_type=counter, what=labeled_rows}", 0.0) >= 10) {
                        assertThat(e).as(w).containsKeys(window + "target_type=gauge, what=roc_auc}");
                        withAuc++;
                    }
                }
                assertThat(withAuc).as("windows with ROC AUC").isGreaterThanOrEqualTo(3);
                // the fleet's dashboard reads its metrics.jsonl as a host's does: its Labels panel has the windows
                BucketHistory history = new BucketHistory(1_000);
                MetricsLog.readAll(fleetOut.resolve("metrics.jsonl")).forEach(history::add);
                List<ModelRef> labelled = history.findLabelled("digits", null, null);
                assertThat(labelled).hasSize(1);
                List<LabelWindowView> shown = history.labelWindows(labelled.get(0), Long.MIN_VALUE);
                assertThat(shown).extracting(LabelWindowView::window).contains("1s", "3s");
                for (LabelWindowView v : shown) {
                    assertThat(v.accuracy()).as(v.start() + " " + v.window()).isEqualTo(fleet
                            .get(v.start() + " " + v.window()).get("{label_window=" + v.window()
                                    + ", model=digits, target_type=gauge, what=accuracy}"));
                }

                // the rule on fleet accuracy: its events are those its definition gives for the series written
                TreeMap<Long, Double> accuracy = new TreeMap<>();
                for (JsonNode m : lines(fleetOut)) {
                    JsonNode p = m.get("properties");
                    if (p.path("what").asText().equals("accuracy") && p.path("label_window").asText().equals("1s")) {
                        assertThat(p.path("scope").asText()).isEqualTo("fleet");
                        accuracy.put(m.get("timestamp").asLong(), m.get("value").asDouble());
                    }
                }
                List<Map<String, Object>> events = new ArrayList<>();
                boolean open = false;
                for (Map.Entry<Long, Double> e : accuracy.entrySet()) {
                    if (open != (e.getValue() < 0.7)) {
                        open = !open;
                        events.add(Map.of("state", open ? "open" : "resolved", "bucket", e.getKey(), "value",
                                e.getValue()));
                    }
                }
                assertThat(events.stream().filter(e -> e.get("state").equals("open")).count())
                        .as("openings the accuracy series gives").isGreaterThanOrEqualTo(1);
                // the events are written just after the metrics they come from
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(alertEvents(fleetOut).stream()
                        .filter(e -> (long) e.get("bucket") <= accuracy.lastKey()).toList()).isEqualTo(events));

                // agent health: per bucket, the fleet's sum is the hosts' sum
                for (String counter : List.of("agent_calls_captured", "agent_dropped_ring_full")) {
                    TreeMap<Long, Double> hosts = new TreeMap<>();
                    for (String h : List.of("a", "b")) {
                        for (JsonNode m : lines(dir.resolve("out-" + h))) {
                            if (m.path("properties").path("what").asText().equals(counter)) {
                                hosts.merge(m.get("timestamp").asLong(), m.get("value").asDouble(), Double::sum);
                            }
                        }
                    }
                    TreeMap<Long, Double> fleetSums = new TreeMap<>();
                    for (JsonNode m : lines(fleetOut)) {
                        if (m.path("properties").path("what").asText().equals(counter)) {
                            assertThat(m.path("properties").path("scope").asText()).isEqualTo("fleet");
                            assertThat(fleetSums.put(m.get("timestamp").asLong(), m.get("value").asDouble()))
                                    .as("one fleet value per bucket").isNull();
                        }
                    }
                    assertThat(fleetSums).as(counter).isEqualTo(new TreeMap<>(hosts.headMap(fleetSums.lastKey(),
                            true)));
                }
                assertThat(sum(fleetOut, "agent_dropped_ring_full")).isEqualTo(captured[0] / 7 + captured[1] / 7);
            }
            assertThat(Files.readString(dir.resolve("fleet.log")))
                    .contains("a damaged label window of host x (label window statistics version 9 is not supported")
                    .contains("record kind 99 is not one of the profiles topic");
        }
    }

    /**
     * Label window metrics by window ({@code <bucket seconds> <label_window>}), then by series (properties without
     * scope).
     */
    private static Map<String, Map<String, Double>> labelWindows(Path out, boolean fleet) throws Exception {
        Map<String, Map<String, Double>> windows = new TreeMap<>();
        for (JsonNode m : lines(out)) {
            Map<String, String> props = new TreeMap<>();
            m.get("properties").properties().forEach(e -> props.put(e.getKey(), e.getValue().asText()));
            if (!props.containsKey("label_window")) {
                continue;
            }
            if (fleet) {
                assertThat(props.remove("scope")).isEqualTo("fleet");
            }
            // each window written once: a window merged or written twice would show as a series seen twice
            assertThat(windows.computeIfAbsent(m.get("timestamp").asText() + " " + props.get("label_window"),
                    k -> new TreeMap<>()).put(props.toString(), m.get("value").asDouble())).as(props.toString()).isNull();
        }
        return windows;
    }

    /** Sends again every host label window and agent health record on the profiles topic; returns how many. */
    private static int republishLabelWindowsAndHealth(KafkaBroker broker) throws Exception {
        List<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> again = new ArrayList<>();
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]>(Map.of(
                "bootstrap.servers", broker.bootstrap()), new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            List<org.apache.kafka.common.TopicPartition> partitions = List.of(
                    new org.apache.kafka.common.TopicPartition("infermon.profiles", 0),
                    new org.apache.kafka.common.TopicPartition("infermon.profiles", 1));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<org.apache.kafka.common.TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                for (var r : consumer.poll(Duration.ofMillis(500))) {
                    FleetRecords.HostRecord h;
                    try {
                        h = FleetRecords.decodeHostRecord(r.value());
                    } catch (java.io.IOException e) {
                        continue; // the bad records this test sent
                    }
                    if (h instanceof FleetRecords.HostLabelWindow || h instanceof FleetRecords.HostAgentHealth) {
                        again.add(r);
                    }
                }
            }
        }
        try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]>(Map.of(
                "bootstrap.servers", broker.bootstrap()), new org.apache.kafka.common.serialization.ByteArraySerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            for (var r : again) {
                producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(r.topic(), r.partition(), r.key(),
                        r.value())).get();
            }
        }
        return again.size();
    }

    /**
     * A label window record whose statistics are of a future version, and a record of a kind this build does not
     * know, in every partition of the profiles topic.
     */
    private static void publishBadLabelRecords(KafkaBroker broker) throws Exception {
        byte[] statistics = new io.infermon.processor.labels.LabelWindowStatistics(1).encode();
        statistics[0] = 9; // the statistics' version
        byte[] future = FleetRecords.encode(new FleetRecords.HostLabelWindow("x",
                new io.infermon.processor.bucket.ModelKey("digits", "", ""), 0, 2_000, "1s", 1_000, statistics));
        byte[] unknown = FleetRecords.encode(new FleetRecords.HostWatermark("x", 0, 2_000, false));
        unknown[5] = 99; // the kind
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(unknown, 0, unknown.length - 4);
        java.nio.ByteBuffer.wrap(unknown).putInt(unknown.length - 4, (int) crc.getValue());
        try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]>(Map.of(
                "bootstrap.servers", broker.bootstrap()), new org.apache.kafka.common.serialization.ByteArraySerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            for (int partition = 0; partition < 2; partition++) {
                producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>("infermon.profiles", partition,
                        null, future)).get();
                producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>("infermon.profiles", partition,
                        null, unknown)).get();
            }
        }
    }

    /** One metric's values by bucket (epoch seconds); the fleet has one model key here. */
    private static TreeMap<Long, Double> series(Path out, String what) throws Exception {
        TreeMap<Long, Double> values = new TreeMap<>();
        for (JsonNode m : lines(out)) {
            if (m.path("properties").path("what").asText().equals(what)) {
                assertThat(values.put(m.get("timestamp").asLong(), m.get("value").asDouble())).isNull();
            }
        }
        return values;
    }

    /** One {@code stat} of a distribution metric by bucket (epoch seconds). */
    private static TreeMap<Long, Double> stat(Path out, String what, String stat) throws Exception {
        TreeMap<Long, Double> values = new TreeMap<>();
        for (JsonNode m : lines(out)) {
            JsonNode p = m.path("properties");
            if (p.path("what").asText().equals(what) && p.path("stat").asText().equals(stat)) {
                assertThat(values.put(m.get("timestamp").asLong(), m.get("value").asDouble())).isNull();
            }
        }
        return values;
    }

    /** The events of OUT/alerts.jsonl, each as state, bucket and value (whole lines only). */
    private static List<Map<String, Object>> alertEvents(Path out) throws Exception {
        List<Map<String, Object>> events = new ArrayList<>();
        Path f = out.resolve("alerts.jsonl");
        String text = Files.exists(f) ? Files.readString(f) : "";
        for (String l : text.substring(0, text.lastIndexOf('\n') + 1).split("\n")) {
            if (!l.isEmpty()) {
                JsonNode e = JSON.readTree(l);
                events.add(Map.of("state", e.get("state").asText(), "bucket", e.get("bucket").asLong(), "value",
                        e.get("value").asDouble()));
            }
        }
        return events;
    }

    /** Whether, after a bucket with a host missing, three buckets in a row have none. */
    private static boolean backForThreeBuckets(Path out) throws Exception {
        int zeros = -1;
        for (double v : series(out, "fleet_hosts_missing").values()) {
            zeros = v > 0 ? 0 : zeros >= 0 ? zeros + 1 : -1;
        }
        return zeros >= 3;
    }

    /**
     * The events docs/processor-yaml.md's rule definition gives for {@code above: X} with {@code for} and
     * {@code resolve_after} 1 on a series: open on each value above X while closed, resolved on each value not above
     * X while open.
     */
    private static List<Map<String, Object>> expectedAlertEvents(TreeMap<Long, Double> series, double above) {
        List<Map<String, Object>> events = new ArrayList<>();
        boolean open = false;
        for (Map.Entry<Long, Double> e : series.entrySet()) {
            if (open != (e.getValue() > above)) {
                open = !open;
                events.add(Map.of("state", open ? "open" : "resolved", "bucket", e.getKey(), "value", e.getValue()));
            }
        }
        return events;
    }

    /** The child JVMs' logs, their last lines, for a failure's message. */
    private String logs() throws java.io.IOException {
        StringBuilder sb = new StringBuilder();
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".log")).sorted().toList()) {
                List<String> lines = Files.readAllLines(f);
                sb.append("== ").append(f.getFileName()).append('\n');
                lines.subList(Math.max(0, lines.size() - 40), lines.size()).forEach(l -> sb.append(l).append('\n'));
            }
        }
        return sb.toString();
    }

    /** Garbage, and a record of a future format version, on the profiles topic of every partition. */
    private static void publishBadRecords(KafkaBroker broker) throws Exception {
        byte[] future = FleetRecords.encode(new FleetRecords.HostWatermark("x", 0, 2_000, false));
        future[4] = 2; // the version byte
        try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]>(Map.of(
                "bootstrap.servers", broker.bootstrap()), new org.apache.kafka.common.serialization.ByteArraySerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            for (int partition = 0; partition < 2; partition++) {
                producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>("infermon.profiles", partition,
                        null, "not a record".getBytes(java.nio.charset.StandardCharsets.UTF_8))).get();
                producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>("infermon.profiles", partition,
                        null, future)).get();
            }
        }
    }

    /** Rows per call in {@link #traffic}: enough that each host's buckets outgrow the exact tables. */
    private static final int ROWS = 3;

    /**
     * Calls of the digits model on both hosts (two on a, one on b) for {@code millis}, {@link #ROWS} rows each, with
     * probabilities of nearly every row distinct, more confident in even 2 s buckets than in odd ones; their
     * probability rows go to {@code truth}. Returns the calls.
     */
    private static long traffic(LiveQueue a, LiveQueue b, long millis, Truth truth) {
        double[][] digits = Datasets.digits();
        int[] labels = Datasets.digitLabels();
        long calls = 0;
        long until = System.currentTimeMillis() + millis;
        for (int i = 0; System.currentTimeMillis() < until; i++, calls++) {
            long now = System.currentTimeMillis();
            boolean even = Math.floorDiv(now, 2_000L) % 2 == 0;
            float[][] x = new float[ROWS][64];
            float[][] p = new float[ROWS][];
            for (int r = 0; r < ROWS; r++) {
                int row = i * ROWS + r;
                for (int j = 0; j < 64; j++) {
                    x[r][j] = (float) digits[row % digits.length][j];
                }
                p[r] = probabilities(labels[row % labels.length], truth.rows++, even ? 0.45f : 0.2f);
            }
            (i % 3 == 0 ? b : a).call(now, x, p);
            truth.add(now, p);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        return calls;
    }

    /**
     * Probabilities with the digit's label on top at one of 9,973 confidences between 0.5 and 0.5 + {@code spread},
     * the row counter stepping through them: rows within 9,973 of each other have different pred1, spread12 and
     * entropy, and a bucket's mean pred1 is about 0.5 + spread / 2.
     */
    private static float[] probabilities(int label, long row, float spread) {
        float top = 0.5f + spread * ((row * 7_919) % 9_973) / 9_973f;
        float[] p = new float[10];
        java.util.Arrays.fill(p, (1 - top) / 9);
        p[label] = top;
        return p;
    }

    /** The probability rows the test wrote, by the start (epoch seconds) of their 2 s bucket: the true data. */
    private static final class Truth {
        final TreeMap<Long, List<float[]>> buckets = new TreeMap<>();
        long rows;

        void add(long captureMillis, float[][] probabilities) {
            buckets.computeIfAbsent(Math.floorDiv(captureMillis, 2_000L) * 2, k -> new ArrayList<>())
                    .addAll(List.of(probabilities));
        }

        /** The bucket's values of one prediction distribution, computed from the rows as docs/metrics.md defines. */
        double[] values(long bucket, String what) {
            return buckets.get(bucket).stream().mapToDouble(p -> {
                double[] sorted = new double[p.length];
                double h = 0;
                for (int c = 0; c < p.length; c++) {
                    sorted[c] = p[c];
                    h -= p[c] > 0 ? p[c] * Math.log(p[c]) : 0;
                }
                java.util.Arrays.sort(sorted);
                return switch (what) {
                    case "max_prediction_proba" -> sorted[p.length - 1];
                    case "spread12_prediction_proba" -> sorted[p.length - 1] - sorted[p.length - 2];
                    case "prediction_entropy" -> h;
                    default -> throw new IllegalArgumentException(what);
                };
            }).toArray();
        }
    }

    /** The prediction distributions the traffic makes sketched (KLL) in a bucket: pred1, spread12, entropy. */
    private static final Set<String> SKETCHED = Set.of("max_prediction_proba", "spread12_prediction_proba",
            "prediction_entropy");
    /** Their quantile stats and the rank each stands for; {@code iqr} is {@code q75 - q25}. */
    private static final Map<String, Double> QUANTILES = Map.of("q01", 0.01, "q05", 0.05, "q25", 0.25, "q50", 0.5,
            "median", 0.5, "q75", 0.75, "q95", 0.95, "q99", 0.99);
    /** The bound docs/metrics.md states for sketched quantiles: KLL, k = 200, 99% confidence (1.33%). */
    private static final double RANK_ERROR = KllDoublesSketch.getNormalizedRankError(200, false);
    /** The fleet's sketches crossed Kafka in compact profiles: items within this share of [min, max]. */
    private static final double PROFILE_VALUE_ERROR = 1.0 / (1 << 17);

    private static boolean sketchedQuantile(String what, String stat) {
        return SKETCHED.contains(what) && (QUANTILES.containsKey(stat) || "iqr".equals(stat));
    }

    /**
     * Every sketched quantile {@code out} reports for a bucket of the traffic, up to {@code last} (epoch seconds),
     * lies within the stated rank error of its rank in the bucket's true values: if {@code v} is reported for
     * {@code q}, {@code q} is in {@code [lo - ε, hi + ε]} with {@code lo}, {@code hi} the true shares of values
     * {@code < v} and {@code <= v}, widened by {@code valueError × (max - min)} for quantiles read from profiles
     * (v is then within that much of a value of the rank bound). The bucket's rows, minimum and maximum equal the
     * truth's first, so that the truth
     * is the bucket's data; and at least two buckets have more distinct values than the exact tables hold, so the
     * quantiles checked are the sketches'.
     */
    private static void assertSketchedQuantilesWithinRankBound(Path out, Truth truth, long last, double valueError)
            throws Exception {
        Map<Long, Map<String, Double>> reported = new TreeMap<>();
        for (JsonNode m : lines(out)) {
            JsonNode p = m.get("properties");
            String what = p.path("what").asText();
            long bucket = m.get("timestamp").asLong();
            if (bucket <= last && p.has("model") && (SKETCHED.contains(what) || what.equals("buffer_count"))) {
                reported.computeIfAbsent(bucket, k -> new TreeMap<>()).put(what + " " + p.path("stat").asText(),
                        m.get("value").asDouble());
            }
        }
        reported.values().removeIf(r -> r.getOrDefault("buffer_count ", 0.0) == 0);
        assertThat(reported.keySet()).as("buckets with calls").isEqualTo(truth.buckets.keySet().stream()
                .filter(b -> b <= last).collect(java.util.stream.Collectors.toSet()));
        int sketchedBuckets = 0;
        for (Map.Entry<Long, Map<String, Double>> bucket : reported.entrySet()) {
            long start = bucket.getKey();
            Map<String, Double> r = bucket.getValue();
            assertThat(r.get("buffer_count ")).as("%s rows", start).isEqualTo(truth.buckets.get(start).size());
            for (String what : SKETCHED) {
                double[] values = truth.values(start, what);
                String at = start + " " + what;
                if (java.util.Arrays.stream(values).distinct().count() > 256) {
                    sketchedBuckets += what.equals("max_prediction_proba") ? 1 : 0;
                }
                assertThat(r.get(what + " min")).as("%s min", at).isCloseTo(
                        java.util.Arrays.stream(values).min().orElseThrow(), org.assertj.core.data.Offset.offset(1e-12));
                assertThat(r.get(what + " max")).as("%s max", at).isCloseTo(
                        java.util.Arrays.stream(values).max().orElseThrow(), org.assertj.core.data.Offset.offset(1e-12));
                double delta = valueError * (r.get(what + " max") - r.get(what + " min"));
                for (Map.Entry<String, Double> q : QUANTILES.entrySet()) {
                    double v = r.get(what + " " + q.getKey());
                    long below = java.util.Arrays.stream(values).filter(x -> x < v - delta).count();
                    long atOrBelow = java.util.Arrays.stream(values).filter(x -> x <= v + delta).count();
                    double lo = (double) below / values.length;
                    double hi = (double) atOrBelow / values.length;
                    assertThat(q.getValue()).as("%s %s = %s has true ranks [%s, %s] of %s values", at, q.getKey(), v,
                            lo, hi, values.length).isBetween(lo - RANK_ERROR, hi + RANK_ERROR);
                }
                assertThat(r.get(what + " iqr")).as("%s iqr", at).isEqualTo(r.get(what + " q75") - r.get(what + " q25"));
            }
        }
        assertThat(sketchedBuckets).as("buckets whose pred1 outgrew the exact table").isGreaterThanOrEqualTo(2);
    }

    /**
     * The fleet's buckets equal the reference's, up to the reference's last bucket with calls: after it, a live fleet
     * goes on with empty buckets as time passes, where a drained reference stops at its data.
     */
    private static void assertSameBuckets(Map<String, Map<String, Double>> fleetBuckets,
                                          Map<String, Map<String, Double>> expectedBuckets) {
        String last = expectedBuckets.entrySet().stream().filter(e -> e.getValue().entrySet().stream().anyMatch(
                m -> m.getKey().contains("what=inference_calls") && m.getValue() > 0)).map(Map.Entry::getKey)
                .max(String::compareTo).orElseThrow();
        Map<String, Map<String, Double>> fleet = new TreeMap<>(fleetBuckets).headMap(last, true);
        Map<String, Map<String, Double>> expected = new TreeMap<>(expectedBuckets).headMap(last, true);
        assertThat(fleet.keySet()).isEqualTo(expected.keySet());
        for (String bucket : expected.keySet()) {
            Map<String, Double> e = expected.get(bucket);
            Map<String, Double> f = fleet.get(bucket);
            assertThat(f.keySet()).as(bucket).isEqualTo(e.keySet());
            e.forEach((series, v) -> assertThat(f.get(series)).as(bucket + " " + series)
                    .isCloseTo(v, org.assertj.core.data.Offset.offset(1e-9 * Math.max(1, Math.abs(v)))));
        }
    }

    private static List<JsonNode> lines(Path out) throws Exception {
        Path f = out.resolve("metrics.jsonl");
        List<JsonNode> all = new ArrayList<>();
        if (Files.exists(f)) {
            String text = Files.readString(f);
            // whole lines only: the fleet may be writing the next one
            for (String l : text.substring(0, text.lastIndexOf('\n') + 1).split("\n")) {
                if (!l.isEmpty()) {
                    all.add(JSON.readTree(l));
                }
            }
        }
        return all;
    }

    private static double sum(Path out, String what) throws Exception {
        return lines(out).stream().filter(m -> m.path("properties").path("what").asText().equals(what))
                .mapToDouble(m -> m.get("value").asDouble()).sum();
    }

    private static List<Double> hosts(Path out, String what) throws Exception {
        return lines(out).stream().filter(m -> m.path("properties").path("what").asText().equals(what))
                .map(m -> m.get("value").asDouble()).toList();
    }

    /**
     * Model metrics by bucket, then by series (properties without scope); the fleet's own metrics left out, and the
     * sketched quantiles (a merge of KLL sketches is not the sketch of all values: they are held to their rank bound
     * instead, {@link #assertSketchedQuantilesWithinRankBound}).
     */
    private static Map<String, Map<String, Double>> byBucket(Path out, boolean fleet) throws Exception {
        Map<String, Map<String, Double>> buckets = new TreeMap<>();
        for (JsonNode m : lines(out)) {
            Map<String, String> props = new TreeMap<>();
            m.get("properties").properties().forEach(e -> props.put(e.getKey(), e.getValue().asText()));
            String what = props.get("what");
            if (what.startsWith("agent_") || what.startsWith("processor_") || what.startsWith("fleet_")
                    || !props.containsKey("model") || sketchedQuantile(what, props.get("stat"))) {
                continue;
            }
            if (fleet) {
                assertThat(props.remove("scope")).isEqualTo("fleet");
            }
            buckets.computeIfAbsent(m.get("timestamp").asText(), k -> new TreeMap<>()).put(props.toString(),
                    m.get("value").asDouble());
        }
        return buckets;
    }
}
