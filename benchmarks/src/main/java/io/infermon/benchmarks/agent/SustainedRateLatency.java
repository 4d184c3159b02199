package io.infermon.benchmarks.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

/**
 * Inference-thread time per call at a steady call rate, the view JMH's flat-out loop does not give: a service calls
 * the model R times a second, and what matters is how long each call holds its thread, capture included, and how bad
 * the tail gets when the queue's disk stalls. Run once without and once with the agent (run-agent-overhead.sh does).
 *
 * <pre>
 * SustainedRateLatency --model DIR --batch N --rate CALLS_PER_S --warmup S --seconds S --label NAME [--json FILE]
 * </pre>
 *
 * Calls start on a fixed schedule (call k at start + k / rate); each is timed with {@code System.nanoTime} around the
 * call alone, so the figures are service time on the inference thread. Every measured call is kept and sorted, so the
 * percentiles are exact (nearest rank). A rate no call keeps up with (100000) calls flat out.
 *
 * <p>With the agent it also gives the CPU time its own threads (the queue writer) took over the measured calls, per
 * call ({@code agent_threads_cpu_us}): what the agent takes from the cores besides the inference thread's own work.
 */
public final class SustainedRateLatency {
    private SustainedRateLatency() {
    }

    public static void main(String[] args) throws IOException {
        Path model = Path.of(arg(args, "--model", null));
        int batch = Integer.parseInt(arg(args, "--batch", "64"));
        double rate = Double.parseDouble(arg(args, "--rate", "1000"));
        double warmup = Double.parseDouble(arg(args, "--warmup", "15"));
        double seconds = Double.parseDouble(arg(args, "--seconds", "60"));
        String label = arg(args, "--label", "run");
        String json = arg(args, "--json", "");

        long period = (long) (1e9 / rate);
        int warmupCalls = (int) (warmup * rate);
        int measuredCalls = (int) (seconds * rate);
        long[] nanos = new long[measuredCalls];
        int late = 0;
        float sink = 0;
        long agentCpuBefore = 0;
        long agentCpuAfter;
        try (DigitsModel digits = DigitsModel.load(model, batch)) {
            long start = System.nanoTime();
            for (int k = 0; k < warmupCalls + measuredCalls; k++) {
                if (k == warmupCalls) {
                    agentCpuBefore = agentThreadsCpuNanos();
                }
                long due = start + k * period;
                waitUntil(due);
                long t0 = System.nanoTime();
                sink += digits.call();
                long t1 = System.nanoTime();
                if (k >= warmupCalls) {
                    nanos[k - warmupCalls] = t1 - t0;
                    if (t0 - due > period) {
                        late++; // the previous call overran its slot: the schedule slipped
                    }
                }
            }
            agentCpuAfter = agentThreadsCpuNanos();
        }
        Arrays.sort(nanos);
        String line = String.format(Locale.ROOT, "{\"label\":\"%s\",\"batch\":%d,\"rate\":%.0f,\"calls\":%d,"
                        + "\"p50_us\":%.1f,\"p90_us\":%.1f,\"p99_us\":%.1f,\"p999_us\":%.1f,\"p9999_us\":%.1f,"
                        + "\"max_us\":%.1f,\"mean_us\":%.1f,\"late_starts\":%d,\"agent_threads_cpu_us\":%.2f,"
                        + "\"sink\":%.3f}",
                label, batch, rate, measuredCalls, pct(nanos, 0.5), pct(nanos, 0.9), pct(nanos, 0.99),
                pct(nanos, 0.999), pct(nanos, 0.9999), nanos[nanos.length - 1] / 1e3, mean(nanos), late,
                (agentCpuAfter - agentCpuBefore) / 1e3 / measuredCalls, sink);
        System.out.println(line);
        if (!json.isEmpty()) {
            Files.writeString(Path.of(json), line + "\n");
        }
    }

    /**
     * CPU time so far of the agent's threads that are alive now (named {@code infermon-...}: the queue writer; 0
     * without the agent). A thread that ends in between would make it low; the writer runs for the JVM's life. The
     * threads' names come from {@code ThreadInfo} without stack frames, not from {@code Thread.getAllStackTraces},
     * which would walk every thread's stack just before the first measured call.
     */
    private static long agentThreadsCpuNanos() {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (java.lang.management.ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (t != null && t.getThreadName().startsWith("infermon-")) { // null: ended since the ids were taken
                sum += Math.max(0, threads.getThreadCpuTime(t.getThreadId()));
            }
        }
        return sum;
    }

    /** Parks until shortly before {@code due}, then spins (a park overshoots by tens of microseconds). */
    private static void waitUntil(long due) {
        long left;
        while ((left = due - System.nanoTime()) > 100_000) {
            LockSupport.parkNanos(left - 80_000);
        }
        while (due - System.nanoTime() > 0) {
            Thread.onSpinWait();
        }
    }

    /** Nearest-rank percentile of sorted nanoseconds, in microseconds. */
    static double pct(long[] sorted, double q) {
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))] / 1e3;
    }

    private static double mean(long[] values) {
        double sum = 0;
        for (long v : values) {
            sum += v;
        }
        return sum / values.length / 1e3;
    }

    static String arg(String[] args, String name, String fallback) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        if (fallback == null) {
            throw new IllegalArgumentException(name + " is required");
        }
        return fallback;
    }
}
