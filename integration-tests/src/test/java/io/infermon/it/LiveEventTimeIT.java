package io.infermon.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.infermon.examples.digits.ConcurrentSessionApp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live event time, as a user runs it: services whose four request threads share one TensorFlow {@code Session}
 * (calls of random size that overlap across bucket boundaries), the agent attached, then the services idle; a live
 * processor with 2 s buckets and every other setting at its default. Every call is counted in exactly one bucket, none
 * is late, and every bucket's metrics are written within its end + grace + 5 s, also the ones that close while no
 * traffic comes (the model's empty buckets).
 */
class LiveEventTimeIT {
    private static final long BUCKET_MILLIS = 2_000;
    /** The processor's default grace. */
    private static final long GRACE_MILLIS = 1_000;
    private static final long PROMISED_MILLIS = 5_000;

    @TempDir
    Path dir;

    private final List<ChildJvm.Running> children = new ArrayList<>();

    @AfterEach
    void stopChildren() {
        children.forEach(c -> c.process().destroyForcibly());
    }

    @Test
    void oneServiceThatIdlesAfterItsTrafficHasEveryBucketOnTime() throws Exception {
        Path queue = dir.resolve("queue");
        Path stop = dir.resolve("stop");
        Path report = service(queue, "digits", 6, stop, 1);
        Arrivals arrivals = new Arrivals(processor(queue).resolve("metrics.jsonl"));

        long calls = calls(awaitReport(report, arrivals));
        // idle: the agent's watermarks close the last bucket with calls and the empty buckets after it
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                .until(() -> arrivals.poll().emptyBuckets("digits") >= 3);
        Files.writeString(stop, "");

        assertThat(arrivals.callsOf("digits")).isEqualTo(calls);
        arrivals.assertEveryBucketOnTimeAndNoneLate("digits");
        System.out.println("records a close on the latest start would have dropped: " + droppedByLatestStart(queue));
    }

    @Test
    void twoServicesOnTwoQueuesOneStoppingEarlyHaveEveryBucketOnTime() throws Exception {
        Path longRunning = dir.resolve("queue-a");
        Path stopping = dir.resolve("queue-b");
        Path stop = dir.resolve("stop");
        Path reportA = service(longRunning, "a", 8, stop, 2);
        Path reportB = service(stopping, "b", 3, null, 3); // exits after its traffic
        Arrivals arrivals = new Arrivals(processor(longRunning, stopping).resolve("metrics.jsonl"));

        long callsB = calls(awaitReport(reportB, arrivals));
        long callsA = calls(awaitReport(reportA, arrivals));
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                .until(() -> arrivals.poll().emptyBuckets("a") >= 3);
        Files.writeString(stop, "");

        assertThat(arrivals.callsOf("a")).isEqualTo(callsA);
        assertThat(arrivals.callsOf("b")).isEqualTo(callsB);
        assertThat(arrivals.emptyBuckets("b")).isPositive(); // b stopped: its silence shows too
        arrivals.assertEveryBucketOnTimeAndNoneLate("a");
        arrivals.assertEveryBucketOnTimeAndNoneLate("b");
    }

    /**
     * How many of the queue's calls a processor that closes buckets on the latest start seen (grace 0, the rule
     * before watermarks) would have dropped as late: calls appended after one that started in a later bucket.
     */
    private static long droppedByLatestStart(Path queue) throws Exception {
        long latest = Long.MIN_VALUE;
        long dropped = 0;
        for (io.infermon.capture.CaptureRecord r : QueueRecords.read(queue).calls()) {
            long start = Math.floorDiv(r.captureTimeEpochNanos(), 1_000_000L);
            if (Math.floorDiv(start, BUCKET_MILLIS) < Math.floorDiv(latest, BUCKET_MILLIS)) {
                dropped++;
            }
            latest = Math.max(latest, start);
        }
        return dropped;
    }

    /** Starts a service with the agent; returns the file its call count is written to when its traffic is over. */
    private Path service(Path queue, String model, int seconds, Path stopFile, int seed) throws Exception {
        Path report = dir.resolve("report-" + model);
        ChildJvm jvm = ChildJvm.app(ConcurrentSessionApp.class.getName()).withAgent(queue)
                .jvmArg("-Dinfermon.model.name=" + model)
                .args("--threads", "4", "--seconds", Integer.toString(seconds), "--max-batch", "128", "--think-ms", "4",
                        "--seed", Integer.toString(seed), "--report", report.toString())
                .log(dir.resolve("service-" + model + ".log"));
        if (stopFile != null) {
            jvm.args("--stop-file", stopFile.toString());
        }
        children.add(jvm.start());
        return report;
    }

    /** Starts a live processor with 2 s buckets and the other settings at their defaults; returns its OUT. */
    private Path processor(Path... queues) throws Exception {
        Path out = dir.resolve("out");
        List<String> args = new ArrayList<>(List.of("run", "--out", out.toString(), "--bucket", "2s",
                "--no-dashboard"));
        for (Path q : queues) {
            args.addAll(List.of("--queue", q.toString()));
        }
        children.add(ChildJvm.processor().args(args.toArray(String[]::new)).log(dir.resolve("processor.log"))
                .start());
        return out;
    }

    /** Waits for a service's report, following the processor's output meanwhile. */
    private static String awaitReport(Path report, Arrivals arrivals) {
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(50))
                .until(() -> arrivals.poll() != null && Files.exists(report));
        try {
            return Files.readString(report);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static long calls(String report) {
        Matcher m = Pattern.compile("calls=(\\d+)").matcher(report);
        assertThat(m.find()).as(report).isTrue();
        return Long.parseLong(m.group(1));
    }

    /**
     * Follows metrics.jsonl as the processor writes it and notes when each bucket's {@code inference_calls} line
     * first appears (polled every 50 ms, so a little late at worst).
     */
    private static final class Arrivals {
        private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
                new com.fasterxml.jackson.databind.ObjectMapper();
        private final Path jsonl;
        private long offset;
        private final StringBuilder partial = new StringBuilder();
        /** model → bucket start (s) → {calls, first seen (epoch ms)}. */
        private final Map<String, Map<Long, long[]>> buckets = new TreeMap<>();
        private final List<String> late = new ArrayList<>();

        Arrivals(Path jsonl) {
            this.jsonl = jsonl;
        }

        Arrivals poll() throws java.io.IOException {
            if (!Files.exists(jsonl)) {
                return this;
            }
            long seen = System.currentTimeMillis();
            try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(jsonl.toFile(), "r")) {
                f.seek(offset);
                byte[] more = new byte[(int) (f.length() - offset)];
                f.readFully(more);
                offset += more.length;
                partial.append(new String(more, java.nio.charset.StandardCharsets.UTF_8));
            }
            for (int nl; (nl = partial.indexOf("\n")) >= 0; ) {
                String line = partial.substring(0, nl);
                partial.delete(0, nl + 1);
                com.fasterxml.jackson.databind.JsonNode metric = JSON.readTree(line);
                String what = metric.path("properties").path("what").asText();
                if (what.equals("late_records")) {
                    late.add(line);
                }
                if (what.equals("inference_calls")) {
                    buckets.computeIfAbsent(metric.path("properties").path("model").asText(), k -> new TreeMap<>())
                            .putIfAbsent(metric.get("timestamp").asLong(),
                                    new long[] {metric.get("value").asLong(), seen});
                }
            }
            return this;
        }

        long emptyBuckets(String model) {
            return buckets.getOrDefault(model, Map.of()).values().stream().filter(b -> b[0] == 0).count();
        }

        long callsOf(String model) {
            return buckets.getOrDefault(model, Map.of()).values().stream().mapToLong(b -> b[0]).sum();
        }

        void assertEveryBucketOnTimeAndNoneLate(String model) {
            assertThat(late).as("late records").isEmpty();
            Map<Long, long[]> seen = buckets.get(model);
            assertThat(seen).as("buckets of " + model).isNotEmpty();
            long first = seen.keySet().iterator().next();
            long last = ((TreeMap<Long, long[]>) seen).lastKey();
            // one line per bucket from the first to the last: none missing, none twice (putIfAbsent kept the first)
            assertThat(seen).hasSize((int) ((last - first) * 1000 / BUCKET_MILLIS + 1));
            StringBuilder table = new StringBuilder();
            seen.forEach((start, b) -> table.append(String.format("%n  bucket %d: %d calls, written %d ms after "
                    + "end + grace", start, b[0], b[1] - (start * 1000 + BUCKET_MILLIS + GRACE_MILLIS))));
            seen.forEach((start, b) -> assertThat(b[1] - (start * 1000 + BUCKET_MILLIS + GRACE_MILLIS))
                    .as("bucket %d of %s written this long after its end + grace (ms); all:%s", start, model, table)
                    .isLessThanOrEqualTo(PROMISED_MILLIS));
        }
    }
}
