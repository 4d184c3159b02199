package io.infermon.examples.digits;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.types.TFloat32;

/**
 * A service whose request threads share one {@code Session}: several threads call
 * {@code session.runner().feed("features", x).fetch("probabilities").run()} at once, each with batches of random size
 * and a random pause (up to {@code --think-ms}) between requests, for a while; then the service stays up with no
 * traffic (a night, a drained canary) until it is told to stop. Calls of different lengths overlap, so a call that
 * started before a bucket boundary often ends after calls that started after it.
 *
 * <pre>
 * ConcurrentSessionApp [--threads 4] [--seconds 6] [--max-batch 256] [--think-ms 0] [--seed 1] [--report FILE]
 *                      [--stop-file FILE]
 * </pre>
 *
 * {@code --report} gets {@code calls=N rows=M} once the traffic is over; with {@code --stop-file} the service then
 * idles until that file exists, else it exits.
 */
public final class ConcurrentSessionApp {
    private ConcurrentSessionApp() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = DigitsApp.options(args);
        int threads = Integer.parseInt(opts.getOrDefault("threads", "4"));
        long seconds = Long.parseLong(opts.getOrDefault("seconds", "6"));
        int maxBatch = Integer.parseInt(opts.getOrDefault("max-batch", "256"));
        long seed = Long.parseLong(opts.getOrDefault("seed", "1"));
        long thinkNanos = Long.parseLong(opts.getOrDefault("think-ms", "0")) * 1_000_000L;
        Dataset data = Dataset.digits();
        SoftmaxRegression model = SoftmaxRegression.train(data, 50, 0.5);
        AtomicLong calls = new AtomicLong();
        AtomicLong rows = new AtomicLong();
        try (Graph graph = new Graph(); Session session = new Session(graph)) {
            ClassifierGraph.build(graph, model, "features");
            session.initialize();
            long until = System.nanoTime() + seconds * 1_000_000_000L;
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                SplittableRandom random = new SplittableRandom(seed * 1_000 + t);
                Thread worker = new Thread(() -> {
                    while (System.nanoTime() - until < 0) {
                        int batch = 1 + random.nextInt(maxBatch);
                        int start = random.nextInt(data.rows() - batch + 1);
                        float[][] x = Arrays.copyOfRange(data.features(), start, start + batch);
                        try (TFloat32 input = TFloat32.tensorOf(StdArrays.ndCopyOf(x));
                             Result result = session.runner().feed("features", input).fetch("probabilities").run()) {
                            if (result.get(0).shape().size(0) != batch) {
                                throw new IllegalStateException("a result of the wrong size");
                            }
                        }
                        calls.incrementAndGet();
                        rows.addAndGet(batch);
                        if (thinkNanos > 0) {
                            java.util.concurrent.locks.LockSupport.parkNanos(random.nextLong(thinkNanos));
                        }
                    }
                }, "request-" + t);
                worker.start();
                workers.add(worker);
            }
            for (Thread w : workers) {
                w.join();
            }
            String report = "calls=" + calls.get() + " rows=" + rows.get();
            if (opts.containsKey("report")) {
                Path file = Path.of(opts.get("report"));
                Path partial = file.resolveSibling(file.getFileName() + ".tmp");
                Files.writeString(partial, report + "\n");
                Files.move(partial, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
            System.out.println(report);
            if (opts.containsKey("stop-file")) {
                Path stop = Path.of(opts.get("stop-file"));
                while (!Files.exists(stop)) {
                    Thread.sleep(100); // a service idling: no traffic, the JVM (and its agent) still up
                }
            }
        }
    }
}
