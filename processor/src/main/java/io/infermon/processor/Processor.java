package io.infermon.processor;

import io.infermon.capture.CaptureRecord;
import io.infermon.anodot.AnodotMetric;
import io.infermon.processor.bucket.ClosedBucket;
import io.infermon.processor.bucket.EventTimeBuckets;
import io.infermon.processor.drift.References;
import io.infermon.processor.health.AgentHealthBuckets;
import io.infermon.processor.output.MetricFiles;
import io.infermon.processor.queue.MergedQueues;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.concurrent.locks.LockSupport;

/**
 * The processor's main loop: a record goes queue → bucket → statistics → (drift against a reference) → outputs, in
 * that order and no other.
 * Reads every available record, closing buckets as the watermark passes them; when the queue has nothing new it
 * either stops (drain) or waits briefly and looks again (live).
 */
public final class Processor {
    private static final long IDLE_PAUSE_NANOS = Duration.ofMillis(20).toNanos();

    private final MergedQueues reader;
    private final EventTimeBuckets buckets;
    private final References references;
    private final MetricFiles outputs;
    private final Consumer<ClosedBucket> onClosed;
    private final AgentHealthBuckets health;
    private volatile boolean stopRequested;
    private long recordsRead;

    /** @param onClosed told of each bucket after its metrics are written (the command line prints a summary) */
    public Processor(MergedQueues reader, EventTimeBuckets buckets, References references, MetricFiles outputs,
                     Consumer<ClosedBucket> onClosed) {
        this.reader = reader;
        this.buckets = buckets;
        this.references = references;
        this.outputs = outputs;
        this.onClosed = onClosed;
        this.health = new AgentHealthBuckets(buckets.width());
        reader.onHealth(health::add);
    }

    /**
     * Processes records until the queue is exhausted ({@code drain}: then closes every open bucket and returns) or
     * until {@link #stop()} is called.
     */
    public void run(boolean drain) throws IOException {
        while (!stopRequested) {
            CaptureRecord record = reader.next();
            if (record == null) {
                if (drain) {
                    break;
                }
                LockSupport.parkNanos(IDLE_PAUSE_NANOS);
                continue;
            }
            recordsRead++;
            emit(buckets.add(record));
        }
        if (drain) {
            emit(buckets.closeAll());
            emitHealth(Long.MAX_VALUE);
        }
    }

    private void emitHealth(long watermark) throws IOException {
        for (Map.Entry<Long, List<AnodotMetric>> e : health.closeUpTo(watermark).entrySet()) {
            outputs.writeAgentHealth(e.getKey(), e.getValue());
        }
    }

    private void emit(List<ClosedBucket> closed) throws IOException {
        if (closed.isEmpty()) {
            return;
        }
        List<ClosedBucket> compared = new ArrayList<>(closed.size());
        for (ClosedBucket b : closed) {
            compared.add(references.attach(b));
        }
        outputs.write(compared);
        compared.forEach(onClosed);
        emitHealth(buckets.watermark());
    }

    public void stop() {
        stopRequested = true;
    }

    public long recordsRead() {
        return recordsRead;
    }
}
