package io.infermon.benchmarks.agent;

import io.infermon.capture.AgentHealth;
import io.infermon.processor.queue.CaptureQueueReader;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Prints, for each agent (JVM) that wrote to a queue, the counters of its last health record: how many calls it saw,
 * captured, and dropped and why. A benchmark that runs the host flat out must say whether the agent kept up (a dropped
 * call costs the inference thread less than a captured one), so run-agent-overhead.sh prints this after each run.
 *
 * <pre>QueueHealth QUEUE_DIR</pre>
 */
public final class QueueHealth {
    private QueueHealth() {
    }

    public static void main(String[] args) {
        Map<String, AgentHealth> last = new LinkedHashMap<>();
        long inference = 0;
        try (CaptureQueueReader reader = new CaptureQueueReader(Path.of(args[0]))) {
            reader.onHealth(h -> last.put(h.agentId(), h));
            while (reader.next() != null) {
                inference++;
            }
        }
        System.out.println("queue " + args[0] + ": " + inference + " inference records");
        last.forEach((agent, h) -> {
            StringBuilder line = new StringBuilder("agent " + agent + ":");
            h.counters().forEach((name, value) -> {
                if (value != 0) {
                    line.append(' ').append(name).append('=').append(value);
                }
            });
            System.out.println(line);
        });
    }
}
