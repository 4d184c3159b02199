package io.infermon.processor.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.infermon.anodot.AnodotMetric;
import io.infermon.capture.AgentHealth;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgentHealthBucketsTest {
    private static final long S = 1_000_000_000L;

    private static AgentHealth health(long seconds, String agent, long start, long seen, long dropped, long enabled) {
        Map<String, Long> c = new LinkedHashMap<>();
        c.put("calls_seen", seen);
        c.put("dropped_ring_full", dropped);
        c.put("capture_enabled", enabled);
        return new AgentHealth(seconds * S, 10 * S, agent, start, c);
    }

    private static double value(List<AnodotMetric> metrics, String what, String agent) {
        return metrics.stream().filter(m -> m.what().equals(what) && agent.equals(m.property("agent"))).findFirst()
                .orElseThrow().value();
    }

    @Test
    void cumulativeCountersBecomePerBucketIncreases() {
        AgentHealthBuckets b = new AgentHealthBuckets(Duration.ofSeconds(60));
        b.add(health(10, "1@a", 0, 100, 0, 1));
        b.add(health(50, "1@a", 0, 300, 2, 1));
        b.add(health(70, "1@a", 0, 450, 2, 0));
        b.add(health(20, "2@b", 5, 40, 0, 1));
        // agent 1@a restarts: its counters begin again from zero
        b.add(health(80, "1@a", 75 * S, 30, 1, 1));
        Map<Long, List<AnodotMetric>> first = b.closeUpTo(60_000);
        assertThat(first).containsOnlyKeys(0L);
        List<AnodotMetric> m0 = first.get(0L);
        assertThat(value(m0, "agent_calls_seen", "1@a")).isEqualTo(300);
        assertThat(value(m0, "agent_dropped_ring_full", "1@a")).isEqualTo(2);
        assertThat(value(m0, "agent_calls_seen", "2@b")).isEqualTo(40);
        assertThat(m0).filteredOn(m -> m.what().equals("agent_calls_seen")).allSatisfy(m ->
                assertThat(m.property("target_type")).isEqualTo("counter"));
        // a late record for the closed bucket is counted in the first open one
        b.add(health(55, "2@b", 5, 50, 0, 1));
        List<AnodotMetric> m1 = b.closeUpTo(Long.MAX_VALUE).get(60_000L);
        assertThat(value(m1, "agent_calls_seen", "1@a")).isEqualTo(150 + 30);
        assertThat(value(m1, "agent_dropped_ring_full", "1@a")).isEqualTo(1);
        assertThat(value(m1, "agent_capture_enabled", "1@a")).isEqualTo(1);
        assertThat(value(m1, "agent_calls_seen", "2@b")).isEqualTo(10);
        assertThat(m1).allSatisfy(m -> assertThat(m.timestamp()).isEqualTo(60));
    }
}
