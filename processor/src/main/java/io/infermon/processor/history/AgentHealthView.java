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
            // the fleet's are summed over every host's agents: they name no agent
            String agent = m.property("agent") != null ? m.property("agent") : "all agents";
            agents.computeIfAbsent(agent, a -> new TreeMap<>()).put(name, m.value());
        }
        return new AgentHealthView(group.startSeconds(), agents);
    }
}
