package io.infermon.benchmarks.agent;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;

/**
 * Time from the JVM's start to the first inference result: load the digits SavedModel, make one call of one row,
 * print the milliseconds since the JVM started. With the agent attached this includes its {@code premain}, so the
 * line also gives the time at which {@code main} was entered: the difference between the two sides there is the
 * agent's own start, the rest is what it adds to the host's work (loading TensorFlow's classes while the agent
 * matches them, its writer thread starting on the same cores). run-agent-overhead.sh runs it repeatedly with and
 * without the agent, alternating.
 *
 * <pre>FirstInference MODEL_DIR</pre>
 */
public final class FirstInference {
    private FirstInference() {
    }

    public static void main(String[] args) {
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        long mainEntered = System.currentTimeMillis() - jvmStart;
        float score;
        long firstInference;
        try (DigitsModel digits = DigitsModel.load(Path.of(args[0]), 1)) {
            score = digits.call();
            firstInference = System.currentTimeMillis() - jvmStart;
        }
        System.out.println("first_inference_ms " + firstInference + " main_entered_ms " + mainEntered
                + " score " + score);
    }
}
