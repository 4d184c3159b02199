package io.infermon.capture;

import java.util.Map;

/**
 * One agent health record: the agent's counters, cumulative since the agent started, as of {@code timeEpochNanos}.
 * A reader turns consecutive records of one agent (same {@code agentId} and start time) into rates by difference;
 * a new start time means the counters began again from zero. docs/wire-format.md lists the counter names.
 *
 * @param timeEpochNanos       when the counters were read, nanoseconds since the epoch
 * @param intervalNanos        nanoseconds since the agent's previous health record (since its start for the first)
 * @param agentId              {@code <pid>@<host>} of the JVM the agent runs in
 * @param agentStartEpochNanos when the agent started, nanoseconds since the epoch
 * @param counters             counter name to cumulative value, in the order written
 */
public record AgentHealth(long timeEpochNanos, long intervalNanos, String agentId, long agentStartEpochNanos,
                          Map<String, Long> counters) {
}
