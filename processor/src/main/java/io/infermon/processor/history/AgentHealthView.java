package io.infermon.processor.history;

import io.infermon.anodot.AnodotMetric;
import java.util.Map;
import java.util.TreeMap;

/**
 * The agents' health metrics of one bucket, read back: per agent ({@code <pid>@<host>}), each {@code agent_*}
 * metric's value without the {@code agent_} prefix (docs/metrics.md, "Agent health").
 */
public record AgentHealthView(long start, Map<String, Map<String, Double>> agents) {

    public static AgentHealthView of(MetricGroup group) {
        Map<String, Map<String, Double>> agents = new TreeMap<>();
        for (AnodotMetric m : group.metrics()) {
            String what = m.what();
            String name = what.startsWith("agent_") ? what.substring("agent_".length()) : what;
            agents.computeIfAbsent(String.valueOf(m.property("agent")), a -> new TreeMap<>()).put(name, m.value());
        }
        return new AgentHealthView(group.startSeconds(), agents);
    }
}
