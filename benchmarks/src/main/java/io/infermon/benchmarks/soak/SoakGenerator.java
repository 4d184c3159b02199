package io.infermon.benchmarks.soak;

import io.infermon.capture.AgentHealth;
import io.infermon.capture.CaptureCodec;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Writes the soak's traffic: {@code --hours} of event time at {@code --rate} calls per event second, spread round-robin
 * over {@code --queues} agent queues under {@code --root} (one directory per simulated host JVM, as agents lay them out),
 * each with a health record every 10 s of event time. Event time is compressed: the generator writes at most
 * {@code --wall-rate} calls per wall-clock second, so an hour of traffic takes minutes while the processor tails the
 * queues live. Event time ends a minute before the generator starts (the processor refuses records from the future),
 * so the whole hour lies in the past.
 *
 * <pre>
 * SoakGenerator --root DIR [--queues 4] [--rate 10000] [--hours 1] [--wall-rate 150000]
 * </pre>
 */
public final class SoakGenerator {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final long HEALTH_EVERY = 10 * SECOND;

    private SoakGenerator() {
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(arg(args, "--root", null));
        int queues = Integer.parseInt(arg(args, "--queues", "4"));
        long rate = Long.parseLong(arg(args, "--rate", "10000"));
        double hours = Double.parseDouble(arg(args, "--hours", "1"));
        double wallRate = Double.parseDouble(arg(args, "--wall-rate", "150000"));

        long calls = (long) (hours * 3600 * rate);
        long spacing = SECOND / rate;
        long end = (System.currentTimeMillis() / 60_000 - 1) * 60_000 * 1_000_000L; // a whole minute, in the past
        long start = end - calls * spacing;
        System.out.printf(Locale.ROOT, "soak: %,d calls over %.2f h of event time from %s, %d queues, at most %,.0f "
                + "calls per wall second%n", calls, hours, java.time.Instant.ofEpochSecond(0, start), queues, wallRate);

        Files.createDirectories(root);
        ChronicleQueue[] q = new ChronicleQueue[queues];
        ExcerptAppender[] appenders = new ExcerptAppender[queues];
        long[] written = new long[queues];
        for (int i = 0; i < queues; i++) {
            q[i] = SingleChronicleQueueBuilder.binary(root.resolve("host-" + i)).build();
            appenders[i] = q[i].createAppender();
        }
        SoakTraffic traffic = new SoakTraffic();
        long wallStart = System.nanoTime();
        long nextReport = wallStart + 10 * SECOND;
        long nextHealth = start + HEALTH_EVERY;
        try {
            for (long k = 0; k < calls; k++) {
                long t = start + k * spacing;
                int queue = (int) (k % queues);
                append(appenders[queue], traffic.encode(k, t));
                written[queue]++;
                if (t >= nextHealth) {
                    for (int i = 0; i < queues; i++) {
                        append(appenders[i], health(i, nextHealth, start, written[i]));
                    }
                    nextHealth += HEALTH_EVERY;
                }
                if ((k & 1023) == 1023) {
                    long due = wallStart + (long) ((k + 1) / wallRate * SECOND);
                    long now = System.nanoTime();
                    if (due > now) {
                        LockSupport.parkNanos(due - now);
                    }
                    if (now > nextReport) {
                        System.out.printf(Locale.ROOT, "soak: %,d calls written (%.1f%%), event time +%.0f s%n",
                                k + 1, 100.0 * (k + 1) / calls, (t - start) / 1e9);
                        nextReport += 10 * SECOND;
                    }
                }
            }
            for (int i = 0; i < queues; i++) {
                append(appenders[i], health(i, end, start, written[i]));
            }
        } finally {
            for (ChronicleQueue c : q) {
                c.close();
            }
        }
        double wall = (System.nanoTime() - wallStart) / 1e9;
        System.out.printf(Locale.ROOT, "soak: wrote %,d calls in %.1f s (%,.0f calls/s)%n", calls, wall, calls / wall);
    }

    private static ByteBuffer health(int queue, long time, long start, long calls) {
        Map<String, Long> counters = new LinkedHashMap<>();
        counters.put("calls_seen", calls);
        counters.put("calls_captured", calls);
        counters.put("records_written", calls);
        counters.put("capture_enabled", 1L);
        return CaptureCodec.encodeHealth(new AgentHealth(time, HEALTH_EVERY, "soak-host-" + queue, start, counters));
    }

    private static void append(ExcerptAppender appender, ByteBuffer record) {
        try (DocumentContext dc = appender.writingDocument()) {
            Bytes<?> bytes = dc.wire().bytes();
            bytes.write(record.array(), record.arrayOffset() + record.position(), record.remaining());
        }
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
