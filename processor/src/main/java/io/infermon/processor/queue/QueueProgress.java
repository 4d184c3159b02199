package io.infermon.processor.queue;

import io.infermon.capture.AgentWatermark;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * How far one queue is complete in event time: the queue's own watermark.
 *
 * <p>An agent that writes watermark records promises that its later records start at or after each one
 * (docs/wire-format.md), so the queue is complete up to the lowest watermark among the agents writing to it. Agents
 * are told apart by their start time: a restarted service writes to the same queue as a new agent, and two JVMs may
 * share one. An agent that said it stopped no longer holds the queue back, nor does one that has been silent while
 * the queue went on by more than the idle timeout (a JVM killed without a last watermark).
 *
 * <p>A queue without watermark records (an agent from before them, or another producer) is taken to be complete up
 * to its latest capture time, as all queues once were; the grace period then has to cover calls that overlap.
 */
final class QueueProgress {
    /** Running agents by start time (epoch nanos), each with its latest watermark (epoch millis). */
    private final Map<Long, Long> agents = new TreeMap<>();
    /** The latest agents (by start time) that said they stopped, oldest first. */
    private final java.util.Set<Long> ended = new java.util.LinkedHashSet<>();
    private static final int ENDED_KEPT = 64;
    private boolean watermarked;
    private long latestWatermark = Long.MIN_VALUE;
    private long latestRecord = Long.MIN_VALUE;
    /** {@link #watermark} as of the last change of {@link #agents}, or {@link #UNKNOWN}. */
    private long cached = UNKNOWN;
    private long cachedIdle;
    private static final long UNKNOWN = Long.MIN_VALUE + 1;

    void watermark(AgentWatermark w) {
        long millis = Math.floorDiv(w.timeEpochNanos(), 1_000_000L);
        watermarked = true;
        latestWatermark = Math.max(latestWatermark, millis);
        if (w.last()) {
            agents.remove(w.agentStartEpochNanos());
            ended.add(w.agentStartEpochNanos());
            if (ended.size() > ENDED_KEPT) {
                ended.remove(ended.iterator().next());
            }
        } else {
            agents.merge(w.agentStartEpochNanos(), millis, Math::max);
        }
        cached = UNKNOWN;
    }

    /**
     * A starting agent's file ({@link io.infermon.capture.StartingAgentFile}): an agent whose queue is not open yet
     * counts as one of the queue's with the file's watermark, unless it already said it stopped (a file read after
     * the agent's last watermark, in the moment before the agent deleted it).
     */
    void starting(AgentWatermark w) {
        if (w.last() || ended.contains(w.agentStartEpochNanos())) {
            return;
        }
        // not the queue's latest watermark: the file is read beside the queue, not in its order, and a processor
        // still behind on the queue must not take the new agent's time for the queue having gone on without the
        // agents it has not read to the end yet
        watermarked = true;
        agents.merge(w.agentStartEpochNanos(), Math.floorDiv(w.timeEpochNanos(), 1_000_000L), Math::max);
        cached = UNKNOWN;
    }

    /** An inference record of this queue, taken into a bucket (or counted late). */
    void record(long captureMillis) {
        latestRecord = Math.max(latestRecord, captureMillis);
    }

    /**
     * The event time up to which this queue is complete: no record still to come from it started before. {@code
     * Long.MAX_VALUE} when the queue holds nothing back (every agent stopped or went idle, or nothing was seen yet).
     * Agents idle for longer than {@code idleMillis} are forgotten (a new watermark brings one back).
     */
    long watermark(long idleMillis) {
        if (!watermarked) {
            return latestRecord == Long.MIN_VALUE ? Long.MAX_VALUE : latestRecord;
        }
        if (cached != UNKNOWN && cachedIdle == idleMillis) {
            return cached;
        }
        long lowest = Long.MAX_VALUE;
        for (Iterator<Long> it = agents.values().iterator(); it.hasNext(); ) {
            long w = it.next();
            if (latestWatermark != Long.MIN_VALUE && latestWatermark - w > idleMillis) {
                it.remove(); // silent while the queue's other agents went on: killed, or stopped without a word
            } else {
                lowest = Math.min(lowest, w);
            }
        }
        cached = lowest;
        cachedIdle = idleMillis;
        return lowest;
    }

    /** The latest event time this queue has shown, by watermark or record; {@code Long.MIN_VALUE} before any. */
    long latest() {
        return Math.max(latestWatermark, latestRecord);
    }

    void writeTo(DataOutput out) throws IOException {
        out.writeBoolean(watermarked);
        out.writeLong(latestWatermark);
        out.writeLong(latestRecord);
        out.writeInt(agents.size());
        for (Map.Entry<Long, Long> e : agents.entrySet()) {
            out.writeLong(e.getKey());
            out.writeLong(e.getValue());
        }
    }

    void readFrom(DataInput in) throws IOException {
        watermarked = in.readBoolean();
        latestWatermark = in.readLong();
        latestRecord = in.readLong();
        agents.clear();
        for (int i = in.readInt(); i > 0; i--) {
            agents.put(in.readLong(), in.readLong());
        }
        cached = UNKNOWN;
    }
}
