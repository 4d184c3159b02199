package io.infermon.benchmarks.agent;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;

/**
 * Bytes allocated on the calling thread per inference call of the digits SavedModel, read from the JVM's per-thread
 * allocation counter ({@code ThreadMXBean.getThreadAllocatedBytes}) over many calls after a warm-up long enough for
 * the JIT to compile the agent's advice. Run once without and once with {@code -javaagent}: the difference is what
 * the agent allocates per call on the inference thread, where all capture work runs. Unlike JMH's
 * {@code gc.alloc.rate.norm}, which divides the bytes of every thread by the calls, this counts the calling thread
 * only, so the agent's writer thread (which allocates nothing per record) and TensorFlow's own threads do not blur it.
 *
 * <pre>AllocationPerCall MODEL_DIR BATCH [WARMUP_CALLS] [MEASURED_CALLS]</pre>
 *
 * Prints one line: {@code bytes_per_call B batch N calls M}.
 */
public final class AllocationPerCall {
    private AllocationPerCall() {
    }

    public static void main(String[] args) {
        Path model = Path.of(args[0]);
        int batch = Integer.parseInt(args[1]);
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 200_000;
        int measured = args.length > 3 ? Integer.parseInt(args[3]) : 100_000;
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long self = Thread.currentThread().getId();
        float sink = 0;
        try (DigitsModel digits = DigitsModel.load(model, batch)) {
            for (int i = 0; i < warmup; i++) {
                sink += digits.call();
            }
            long before = threads.getThreadAllocatedBytes(self);
            for (int i = 0; i < measured; i++) {
                sink += digits.call();
            }
            long allocated = threads.getThreadAllocatedBytes(self) - before;
            System.out.printf("bytes_per_call %.1f batch %d calls %d sink %s%n", (double) allocated / measured, batch,
                    measured, sink);
        }
    }
}
