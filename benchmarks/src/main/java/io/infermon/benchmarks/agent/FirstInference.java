package io.infermon.benchmarks.agent;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;

/**
 * Time from the JVM's start to the first inference result: load the digits SavedModel, make one call of one row,
 * print the milliseconds since the JVM started (which includes the agent's premain when the agent is attached).
 * run-agent-overhead.sh runs it repeatedly with and without the agent, alternating.
 *
 * <pre>FirstInference MODEL_DIR</pre>
 */
public final class FirstInference {
    private FirstInference() {
    }

    public static void main(String[] args) {
        float score;
        long sinceStart;
        try (DigitsModel digits = DigitsModel.load(Path.of(args[0]), 1)) {
            score = digits.call();
            sinceStart = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
        }
        System.out.println("first_inference_ms " + sinceStart + " score " + score);
    }
}
