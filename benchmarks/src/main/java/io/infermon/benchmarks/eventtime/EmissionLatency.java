package io.infermon.benchmarks.eventtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.LockSupport;

/**
 * Bucket-emission latency of a live processor: follows {@code metrics.jsonl} as it grows (read every 10 ms) and notes
 * when each bucket's {@code inference_calls} line appears, as a delay after the bucket's end plus the grace period.
 * Buckets are put in three phases by two marker files that run-emission-latency.sh's service writes: while the
 * service's traffic flowed, while it stayed up idle, and after it exited (then only the processor's own clock closes
 * buckets). Prints a table per phase: buckets, then p50, p90, p99 and max of the delay in milliseconds.
 *
 * <pre>
 * EmissionLatency JSONL BUCKET_MS GRACE_MS TRAFFIC_DONE_FILE EXITED_FILE WATCH_SECONDS [CSV]
 * </pre>
 */
public final class EmissionLatency {
    private static final ObjectMapper JSON = new ObjectMapper();

    private EmissionLatency() {
    }

    public static void main(String[] args) throws Exception {
        Path jsonl = Path.of(args[0]);
        long bucketMillis = Long.parseLong(args[1]);
        long graceMillis = Long.parseLong(args[2]);
        Path trafficDone = Path.of(args[3]);
        Path exited = Path.of(args[4]);
        long until = System.currentTimeMillis() + Long.parseLong(args[5]) * 1000;
        Path csv = args.length > 6 ? Path.of(args[6]) : null;

        Map<Long, long[]> arrivals = new TreeMap<>(); // bucket start (ms) -> {calls, seen (ms)}
        long trafficDoneAt = Long.MAX_VALUE;
        long exitedAt = Long.MAX_VALUE;
        long offset = 0;
        StringBuilder partial = new StringBuilder();
        while (System.currentTimeMillis() < until) {
            long now = System.currentTimeMillis();
            if (trafficDoneAt == Long.MAX_VALUE && Files.exists(trafficDone)) {
                trafficDoneAt = now;
            }
            if (exitedAt == Long.MAX_VALUE && Files.exists(exited)) {
                exitedAt = now;
            }
            if (Files.exists(jsonl)) {
                try (RandomAccessFile f = new RandomAccessFile(jsonl.toFile(), "r")) {
                    byte[] more = new byte[(int) (f.length() - offset)];
                    f.seek(offset);
                    f.readFully(more);
                    offset += more.length;
                    partial.append(new String(more, StandardCharsets.UTF_8));
                }
                for (int nl; (nl = partial.indexOf("\n")) >= 0; ) {
                    JsonNode m = JSON.readTree(partial.substring(0, nl));
                    partial.delete(0, nl + 1);
                    if ("inference_calls".equals(m.path("properties").path("what").asText())) {
                        arrivals.putIfAbsent(m.get("timestamp").asLong() * 1000,
                                new long[] {m.get("value").asLong(), now});
                    }
                }
            }
            LockSupport.parkNanos(10_000_000L);
        }

        Map<String, List<Long>> phases = new TreeMap<>();
        StringBuilder rows = new StringBuilder("bucket_start_ms,calls,written_ms,delay_after_end_plus_grace_ms,phase\n");
        for (Map.Entry<Long, long[]> e : arrivals.entrySet()) {
            long closesAt = e.getKey() + bucketMillis + graceMillis;
            long delay = e.getValue()[1] - closesAt;
            String phase = closesAt <= trafficDoneAt ? "1 traffic" : closesAt <= exitedAt ? "2 idle, service up"
                    : "3 service gone (processor's clock)";
            phases.computeIfAbsent(phase, k -> new ArrayList<>()).add(delay);
            rows.append(e.getKey()).append(',').append(e.getValue()[0]).append(',').append(e.getValue()[1])
                    .append(',').append(delay).append(',').append(phase).append('\n');
        }
        if (csv != null) {
            Files.writeString(csv, rows);
        }
        System.out.printf(Locale.ROOT, "%-36s %8s %8s %8s %8s %8s%n", "phase (delay after end + grace, ms)",
                "buckets", "p50", "p90", "p99", "max");
        phases.forEach((phase, delays) -> {
            List<Long> sorted = delays.stream().sorted().toList();
            System.out.printf(Locale.ROOT, "%-36s %8d %8d %8d %8d %8d%n", phase, sorted.size(), quantile(sorted, 0.5),
                    quantile(sorted, 0.9), quantile(sorted, 0.99), sorted.get(sorted.size() - 1));
        });
    }

    /** The nearest-rank quantile: the smallest value with at least {@code q} of the values at or below it. */
    static long quantile(List<Long> sorted, double q) {
        int rank = (int) Math.ceil(q * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }
}
