package io.infermon.capture;

/**
 * One agent watermark record: a promise about the agent's own records in its queue. Every inference record this
 * agent appends to the queue after this one has a capture time (the call's start) at or after {@code timeEpochNanos}.
 * The agent keeps the promise by tracking the calls in flight on every thread: the watermark is the start of the
 * oldest call still running, or now when none runs.
 *
 * @param timeEpochNanos       the watermark, nanoseconds since the epoch; never lower than the agent's previous one
 * @param agentStartEpochNanos when the agent started, nanoseconds since the epoch: tells the agents (JVM runs) that
 *                             write to one queue apart
 * @param last                 true when the agent will write nothing more to the queue (it stopped)
 */
public record AgentWatermark(long timeEpochNanos, long agentStartEpochNanos, boolean last) {
}
