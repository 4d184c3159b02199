package io.infermon.processor;

import io.infermon.capture.CaptureRecord;
import io.infermon.capture.RecordKind;
import io.infermon.anodot.AnodotMetric;
import io.infermon.processor.alerts.AlertEvent;
import io.infermon.processor.alerts.Alerts;
import io.infermon.processor.bucket.ClosedBucket;
import io.infermon.processor.bucket.EventTimeBuckets;
import io.infermon.processor.drift.References;
import io.infermon.processor.health.AgentHealthBuckets;
import io.infermon.processor.health.ProcessorCounters;
import io.infermon.processor.labels.Label;
import io.infermon.processor.labels.LabelJoin;
import io.infermon.processor.labels.LabelSettings;
import io.infermon.processor.labels.LabelStream;
import io.infermon.processor.output.BucketMetrics;
import io.infermon.processor.output.MetricFiles;
import io.infermon.processor.queue.MergedQueues;
import io.infermon.processor.checkpoint.Checkpoint;
import io.infermon.processor.state.StateStore;
import io.infermon.processor.stats.SketchRandomness;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.concurrent.locks.LockSupport;

/**
 * The processor's main loop: a record goes queue → bucket → statistics → (drift against a reference) → outputs, in
 * that order and no other.
 * Reads every available record, closing buckets as the queues' watermark passes them; when the queues have nothing
 * new it either stops (drain) or waits briefly and looks again (live). A live processor whose queues have all been
 * silent for the idle timeout takes its own clock as the watermark (less the idle timeout), so the last buckets close
 * on time when every agent has stopped. Close it to close its state store.
 */
public final class Processor implements AutoCloseable {
    private static final long IDLE_PAUSE_NANOS = Duration.ofMillis(20).toNanos();

    private final MergedQueues reader;
    private final EventTimeBuckets buckets;
    private final References references;
    private final MetricFiles outputs;
    private final Consumer<ClosedBucket> onClosed;
    private final AgentHealthBuckets health;
    private final Path checkpointDir;
    private final ProcessorCounters counters = new ProcessorCounters();
    private long idleMillis = DEFAULT_IDLE_TIMEOUT.toMillis();
    private Path queueRoot;
    private Duration consumedRetention;
    private long cyclesDeleted;
    private long nextDiscoveryNanos;
    private volatile boolean stopRequested;
    private volatile boolean outputPaused;
    private volatile long outputFailures;
    private long recordsRead;
    private long checkpoints;
    /** Every bucket ending at or before this has its files written (what a fleet publisher may announce). */
    private volatile long writtenThrough = Long.MIN_VALUE;
    /** Every label window whose cutoff is at or before this is written (what a fleet publisher may announce). */
    private volatile long labelWindowsThrough = Long.MIN_VALUE;
    private ProcessorHealth processorHealth = new ProcessorHealth();
    private final LabelJoin labels;
    /** The checkpoint and the label join's predictions (OUT/state; in memory without checkpoints). */
    private final StateStore state;
    private final Alerts alerts;
    private LabelStream labelStream;
    private final java.util.concurrent.atomic.AtomicBoolean labelsArrived =
            new java.util.concurrent.atomic.AtomicBoolean();
    private long nextInboxLookNanos;
    private static final long INBOX_LOOK_INTERVAL_NANOS = Duration.ofMillis(500).toNanos();

    /** A processor without checkpoints (every run starts from the queues' beginning). */
    public Processor(MergedQueues reader, EventTimeBuckets buckets, References references, MetricFiles outputs,
                     Consumer<ClosedBucket> onClosed) throws IOException {
        this(reader, buckets, references, outputs, onClosed, null, null, DEFAULT_MAX_FUTURE);
    }

    /** How far ahead of this machine's clock a capture time may be before the record is refused. */
    public static final Duration DEFAULT_MAX_FUTURE = Duration.ofHours(1);

    /**
     * @param onClosed      told of each bucket after its metrics are written (the command line prints a summary)
     * @param checkpointDir where a checkpoint is written at every bucket boundary, or null for none
     * @param restored      the checkpoint to continue from (read from {@code checkpointDir}), or null to start afresh
     * @param maxFuture     records stamped further than this ahead of the clock are refused ({@code future_timestamp}):
     *                      one host with a wrong clock must not close every bucket of every model at once
     */
    public Processor(MergedQueues reader, EventTimeBuckets buckets, References references, MetricFiles outputs,
                     Consumer<ClosedBucket> onClosed, Path checkpointDir, Checkpoint restored, Duration maxFuture)
            throws IOException {
        this(reader, buckets, references, outputs, onClosed, checkpointDir, restored, maxFuture,
                LabelSettings.DEFAULTS);
    }

    /** @param labelSettings how labels are joined and when their metrics are emitted */
    public Processor(MergedQueues reader, EventTimeBuckets buckets, References references, MetricFiles outputs,
                     Consumer<ClosedBucket> onClosed, Path checkpointDir, Checkpoint restored, Duration maxFuture,
                     LabelSettings labelSettings) throws IOException {
        this(reader, buckets, references, outputs, onClosed, checkpointDir, restored, maxFuture, labelSettings,
                Alerts.none());
    }

    /**
     * @param alerts the alert rules and alerts.jsonl; its state is part of the checkpoint, and the file is opened
     *               (cut back to the checkpoint's length) here
     */
    public Processor(MergedQueues reader, EventTimeBuckets buckets, References references, MetricFiles outputs,
                     Consumer<ClosedBucket> onClosed, Path checkpointDir, Checkpoint restored, Duration maxFuture,
                     LabelSettings labelSettings, Alerts alerts) throws IOException {
        this.alerts = alerts;
        this.state = checkpointDir == null ? StateStore.inMemory()
                : StateStore.forCheckpoint(Checkpoint.location(checkpointDir), restored != null);
        this.labels = new LabelJoin(labelSettings, buckets.width(), buckets.settings().binaryThreshold(), state);
        reader.refuseFuture(maxFuture, System::currentTimeMillis);
        this.reader = reader;
        this.buckets = buckets;
        this.references = references;
        this.outputs = outputs;
        this.onClosed = onClosed;
        this.checkpointDir = checkpointDir;
        this.health = new AgentHealthBuckets(buckets.width());
        reader.onHealth(health::add);
        if (restored != null) {
            restore(restored);
        }
        alerts.open(checkpointDir != null);
        SketchRandomness.reseed(checkpoints);
        markWritten();
    }

    private void restore(Checkpoint c) throws IOException {
        // the grace may change between runs: buckets closed before stay closed (EventTimeBuckets keeps how far)
        if (c.widthMillis() != buckets.width().toMillis()) {
            // durations as the options take them (60s, not ISO-8601's PT1M), so they can be pasted back
            throw new IOException("the checkpoint was made with --bucket "
                    + LabelSettings.name(Duration.ofMillis(c.widthMillis())) + " (this run has --bucket "
                    + LabelSettings.name(buckets.width()) + "); run with that, or delete "
                    + Checkpoint.location(checkpointDir) + " to start over");
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(c.state()))) {
            reader.restoreState(in);
            buckets.restoreState(in);
            health.restoreState(in);
            references.restoreState(in);
            counters.restoreState(in);
            if (in.available() > 0) { // checkpoints written before labels were joined end here
                labels.restoreState(in);
            }
            if (in.available() > 0) { // and those written before alerts here (alerts.jsonl then starts empty)
                alerts.restoreState(in);
            }
            if (in.available() > 0) { // and those written before the queues' watermarks here
                int version = in.readInt();
                if (version != EVENT_TIME_STATE) {
                    throw new IOException("the checkpoint's event-time state has version " + version + ", this "
                            + "processor knows " + EVENT_TIME_STATE + " (a newer infermon wrote it)");
                }
                reader.restoreProgress(in);
                buckets.restoreClosing(in);
            } else {
                reader.restoreFutureRecords(counters.total(ProcessorCounters.FUTURE_TIMESTAMP));
                buckets.restoreClosing(c.graceMillis());
            }
            if (in.available() != 0) {
                throw new IOException("checkpoint has " + in.available() + " unexpected bytes");
            }
        } catch (java.io.EOFException e) {
            throw new IOException("checkpoint ends early", e);
        }
        recordsRead = c.recordsRead();
        checkpoints = c.sequence();
        outputs.restoreCounts(c.bucketsWritten(), c.metricsWritten());
    }

    /**
     * Saves the state at a bucket boundary, after the closed buckets' outputs are written. The sketches' random
     * source is then reseeded from the checkpoint's number, so that a processor restored from it chooses alike.
     */
    private void checkpoint() throws IOException {
        if (checkpointDir == null) {
            state.commit(null, false); // the label store's changes, kept for this run only
            alerts.commit();
            outputs.commit();
            return;
        }
        ByteArrayOutputStream state = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(state)) {
            reader.writeState(out);
            buckets.writeState(out);
            health.writeState(out);
            references.writeState(out);
            counters.writeState(out);
            labels.writeState(out);
            alerts.writeState(out);
            out.writeInt(EVENT_TIME_STATE);
            reader.writeProgress(out);
            buckets.writeClosing(out);
        }
        long next = checkpoints + 1; // counted only once saved: a failed save is retried with the same number
        new Checkpoint(next, recordsRead, outputs.jsonlLength(), outputs.bucketsWritten(),
                outputs.metricsWritten(), buckets.width().toMillis(), buckets.grace().toMillis(), state.toByteArray())
                .save(checkpointDir, this.state);
        checkpoints = next;
        alerts.commit();
        outputs.commit();
        SketchRandomness.reseed(checkpoints);
        if (labelStream != null) {
            labelStream.deleteAppliedUpTo(labels.appliedSequence()); // the checkpoint holds their effect now
        }
        if (consumedRetention != null) {
            cyclesDeleted += reader.deleteConsumedCycles(consumedRetention);
        }
    }

    /**
     * Reads label batches ({@code POST /v1/labels}, {@code labels import}) from this stream, opened at
     * {@link #labels()}{@code .appliedSequence()}; call before {@link #run}.
     */
    public void readLabelsFrom(LabelStream stream) {
        this.labelStream = stream;
    }

    /** The join of predictions and labels (its state is restored from the checkpoint). */
    public LabelJoin labels() {
        return labels;
    }

    /** Tells the loop that a label batch is waiting in the inbox (it also looks twice a second by itself). */
    public void labelsArrived() {
        labelsArrived.set(true);
    }

    /**
     * Applies label batches: first those taken before a restart and not yet in the checkpoint, each at the queue
     * step it was taken at; then, when {@code inbox} and none is left to replay, new ones from the inbox.
     */
    private void pollLabels(boolean inbox, boolean now) throws IOException {
        if (labelStream == null) {
            return;
        }
        for (LabelStream.Taken t; (t = labelStream.nextReplay(labels.step())) != null; ) {
            applyBatch(t);
        }
        if (!inbox || labelStream.replaying()) {
            return;
        }
        boolean told = labelsArrived.get() && labelsArrived.getAndSet(false);
        if (!now && !told && System.nanoTime() - nextInboxLookNanos < 0) {
            return;
        }
        nextInboxLookNanos = System.nanoTime() + INBOX_LOOK_INTERVAL_NANOS;
        for (LabelStream.Taken t; !stopRequested && (t = labelStream.take(labels.step())) != null; ) {
            applyBatch(t);
        }
    }

    private void applyBatch(LabelStream.Taken t) throws IOException {
        labels.countRejected(t.batch().rejectedRows());
        long watermark = buckets.watermark();
        for (Label l : t.batch().labels()) {
            labels.apply(l, watermark);
        }
        labels.applied(t.sequence());
        emit(List.of(), buckets.watermark(), false);
        if (checkpointDir == null) {
            labelStream.deleteAppliedUpTo(t.sequence()); // nothing keeps state across runs
        }
    }

    /**
     * After each checkpoint, deletes queue cycle files the checkpoint no longer needs (wholly read) once they are
     * {@code minAge} old; null (the default) deletes nothing.
     */
    public void deleteConsumedCyclesAfter(Duration minAge) {
        this.consumedRetention = minAge;
    }

    /** The version of the checkpoint's last part: the queues' watermarks and how far buckets are closed. */
    private static final int EVENT_TIME_STATE = 1;

    /** How long the processor waits before an agent that went silent no longer holds buckets open. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(4);

    /**
     * How long a queue may be silent and behind before it no longer holds the others back, and how long every queue
     * may be silent before a live processor takes its own clock (less this) as the watermark; call before {@link #run}.
     */
    public void idleTimeout(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the idle timeout must be positive, not " + timeout);
        }
        this.idleMillis = timeout.toMillis();
    }

    /** Also reads every queue under {@code root}, including agents' queues that appear while it runs. */
    public void discoverQueuesUnder(Path root) {
        this.queueRoot = root;
    }

    private static final long DISCOVERY_INTERVAL_NANOS = Duration.ofSeconds(2).toNanos();
    /** How often starting agents' files are read again while no bucket end is passed (they change every 250 ms). */
    private static final long STARTING_LOOK_NANOS = Duration.ofMillis(250).toNanos();
    private long nextStartingLookNanos;

    private void discover(boolean force) throws IOException {
        if (queueRoot != null && (force || System.nanoTime() - nextDiscoveryNanos >= 0)) {
            int added = reader.discover(queueRoot);
            if (added > 0) {
                System.out.println("infermon: reading " + added + " more queue(s) under " + queueRoot + " ("
                        + reader.queueCount() + " in all)");
            }
            nextDiscoveryNanos = System.nanoTime() + DISCOVERY_INTERVAL_NANOS;
        }
    }

    /**
     * Processes records until the queue is exhausted ({@code drain}: then closes every open bucket and returns) or
     * until {@link #stop()} is called.
     */
    public void run(boolean drain) throws IOException {
        discover(true);
        nextInboxLookNanos = System.nanoTime();
        // a checkpoint taken between the boundaries of one watermark step leaves the rest of the step due: those
        // buckets close now, at the same queue positions as in a run that was not stopped there
        closeDue(false);
        markWritten();
        while (!stopRequested) {
            // a drain takes new label batches only once the queues are read, when every prediction is known
            pollLabels(!drain, false);
            CaptureRecord record = reader.next();
            if (record == null) {
                if (drain) {
                    break;
                }
                advanceWatermark(true);
                discover(false);
                pollLabels(true, false);
                LockSupport.parkNanos(IDLE_PAUSE_NANOS);
                continue;
            }
            labels.stepped();
            if (record.kind() == RecordKind.LABEL) {
                labels.addLabelRecord(record, buckets.watermark());
                continue;
            }
            recordsRead++;
            processorHealth.recordRead(record.captureTimeEpochNanos(), buckets.openBuckets());
            buckets.add(record);
            if (buckets.lastStart() != EventTimeBuckets.NOT_ADDED) {
                labels.addPredictions(record, buckets.lastModel(), buckets.lastStart());
            }
            advanceWatermark(false);
        }
        if (drain) {
            pollLabels(true, true); // every prediction is read: now the inbox's labels find theirs
            closeDue(true);
            markWritten();
        }
    }

    /**
     * Closes the buckets the queues' watermark has passed. {@code caughtUp}: the queues have nothing to read right
     * now; when that has lasted the idle timeout in a live run, every agent has stopped (a running one writes a
     * watermark at least every second), and the processor's own clock less the idle timeout is the watermark: the
     * agents' clock is this machine's. Time passing cannot change what a bucket holds, only when it closes, and a
     * close is written and checkpointed before anything else is read, so a restart repeats no decision of the clock.
     */
    private void advanceWatermark(boolean caughtUp) throws IOException {
        long watermark = reader.watermark(idleMillis);
        long now = System.nanoTime();
        if (now - nextStartingLookNanos >= 0 || buckets.passesBucketEnd(watermark)) {
            // agents whose queue is not open yet hold buckets open too: looked for before any bucket end is passed,
            // and now and then to follow the ones found
            reader.readStartingAgents();
            nextStartingLookNanos = now + STARTING_LOOK_NANOS;
            watermark = reader.watermark(idleMillis);
        }
        if (caughtUp && watermark != Long.MIN_VALUE
                && System.nanoTime() - reader.lastDocumentNanos() >= idleMillis * 1_000_000L) {
            watermark = Math.max(watermark, System.currentTimeMillis() - idleMillis);
        }
        buckets.watermarkAt(watermark);
        closeDue(false);
        markWritten();
    }

    /**
     * Closes the buckets that are due one start at a time, each start its own bucket boundary (outputs, then a
     * checkpoint): whether buckets closed together, at one record, or one by one as time passed, the boundaries and
     * what each writes are the same, and a checkpoint between two of them still holds the later buckets open.
     * {@code drainEnd}: close every bucket (the end of a drain); its last boundary also writes the agents' health that
     * is left.
     */
    private void closeDue(boolean drainEnd) throws IOException {
        boolean any = false;
        for (List<ClosedBucket> closed; !(closed = buckets.closeNext(drainEnd)).isEmpty(); ) {
            any = true;
            boolean last = drainEnd && !buckets.hasDue(true);
            emit(closed, last ? Long.MAX_VALUE : closed.get(0).endMillis(), true);
        }
        if (!any && drainEnd) {
            emit(List.of(), Long.MAX_VALUE, true);
        }
    }

    /**
     * Writes closed buckets, the agents' health up to {@code through} and the label windows the label clock reached by
     * then, then checkpoints: one bucket boundary.
     */
    private void emit(List<ClosedBucket> closed, long through, boolean withHealth) throws IOException {
        // everything that changes state happens once, before writing; only the writing is repeated after a failure
        List<ClosedBucket> compared = new ArrayList<>(closed.size());
        for (ClosedBucket b : closed) {
            ClosedBucket c = b.hasCalls() ? references.attach(b) : b; // an empty bucket has nothing to compare
            compared.add(c);
            labels.bucketClosed(c);
        }
        List<LabelJoin.Emission> labelWindows = labels.advance(Math.min(through, buckets.watermark()));
        Map<Long, List<AnodotMetric>> agentHealth = withHealth ? health.closeUpTo(through) : Map.of();
        List<AnodotMetric> own = List.of();
        long ownStart = 0;
        if (!compared.isEmpty()) {
            reader.rejected().forEach((reason, n) -> counters.set(reason.label(), n));
            counters.set(ProcessorCounters.UNREADABLE, reader.unreadable());
            if (reader.futureRecords() > 0) {
                counters.set(ProcessorCounters.FUTURE_TIMESTAMP, reader.futureRecords());
            }
            counters.set(ProcessorCounters.MODELS_FOLDED, buckets.modelsFolded());
            labels.counts().forEach((event, n) -> counters.set(ProcessorCounters.LABELS_PREFIX + event, n));
            ownStart = compared.get(compared.size() - 1).startMillis();
            own = counters.increases(Math.floorDiv(ownStart, 1000L));
        }
        if (compared.isEmpty() && agentHealth.isEmpty() && labelWindows.isEmpty()) {
            return;
        }
        // each bucket's metrics once: the files are written from them, and the alert rules read them
        List<List<AnodotMetric>> bucketMetrics = compared.stream().map(BucketMetrics::of).toList();
        List<AlertEvent> alertEvents = alerts.hasRules()
                ? alerts.evaluate(writtenMetrics(bucketMetrics, agentHealth, labelWindows, own)) : List.of();
        MetricFiles.Mark mark = outputs.mark();
        long alertMark = alerts.mark();
        for (long pause = OUTPUT_RETRY_MIN_NANOS; ; pause = Math.min(pause * 2, OUTPUT_RETRY_MAX_NANOS)) {
            try {
                if (!compared.isEmpty()) {
                    outputs.write(compared, bucketMetrics);
                }
                for (Map.Entry<Long, List<AnodotMetric>> e : agentHealth.entrySet()) {
                    outputs.writeAgentHealth(e.getKey(), e.getValue());
                }
                outputs.writeLabelWindows(labelWindows);
                outputs.writeProcessorMetrics(ownStart, own);
                alerts.write(alertEvents);
                checkpoint();
                // label windows also come between bucket closes (labels from the inbox); writtenThrough itself moves
                // on only once the closes that made this boundary are all written
                labelWindowsThrough = labels.windowsThrough(writtenThrough);
                break;
            } catch (IOException e) {
                // a full or failing output disk: keep the last checkpoint, read nothing more, try again until it
                // works (or the processor is stopped; a restart then continues from the checkpoint)
                if (!outputPaused) {
                    outputPaused = true;
                    System.err.println("infermon: cannot write outputs (" + e.getMessage() + "); paused, will retry"
                            + " and resume where it stopped");
                }
                outputFailures++;
                if (stopRequested) {
                    throw e;
                }
                LockSupport.parkNanos(pause);
                outputs.rollBack(mark);
                alerts.rollBack(alertMark);
            }
        }
        if (outputPaused) {
            outputPaused = false;
            System.err.println("infermon: outputs written again; resumed");
        }
        compared.forEach(onClosed);
    }

    /**
     * The metrics one bucket boundary writes, in the order they are written, for the alert rules: gathered before
     * any writing, so that the alerts' state changes once and a retried write finds the same events.
     */
    private static List<AnodotMetric> writtenMetrics(List<List<AnodotMetric>> bucketMetrics,
                                                     Map<Long, List<AnodotMetric>> agentHealth,
                                                     List<LabelJoin.Emission> labelWindows, List<AnodotMetric> own) {
        List<AnodotMetric> all = new ArrayList<>();
        bucketMetrics.forEach(all::addAll);
        agentHealth.values().forEach(all::addAll);
        labelWindows.forEach(w -> all.addAll(w.metrics()));
        all.addAll(own);
        return all;
    }

    private static final long OUTPUT_RETRY_MIN_NANOS = Duration.ofMillis(50).toNanos();
    private static final long OUTPUT_RETRY_MAX_NANOS = Duration.ofSeconds(5).toNanos();

    /** Queue cycle files deleted because they were wholly read and checkpointed. */
    public long cyclesDeleted() {
        return cyclesDeleted;
    }

    /** True while outputs cannot be written and the processor waits for space. */
    public boolean outputPaused() {
        return outputPaused;
    }

    /** Failed attempts to write outputs so far. */
    public long outputFailures() {
        return outputFailures;
    }

    public void stop() {
        stopRequested = true;
    }

    /** Where the processor reports its own health (for the dashboard's /metrics); call before {@link #run}. */
    public void reportHealthTo(ProcessorHealth health) {
        this.processorHealth = health;
    }

    public long recordsRead() {
        return recordsRead;
    }

    /**
     * Event time up to which buckets are closed and their files (metrics, profiles) written: a bucket ending at or
     * before it will not be written again but as it was. Read from any thread (the fleet publisher follows it).
     */
    public long writtenThrough() {
        return writtenThrough;
    }

    /**
     * Event time up to which label windows are written: every window whose cutoff (its bucket's end plus its
     * maturity) is at or before it was written, and handed to the fleet publisher, before this moved past it. Read
     * from any thread.
     */
    public long labelWindowsThrough() {
        return labelWindowsThrough;
    }

    /** After a bucket boundary's writes: how far buckets and label windows are written, for the fleet publisher. */
    private void markWritten() {
        writtenThrough = buckets.watermark();
        labelWindowsThrough = labels.windowsThrough(writtenThrough);
    }

    /** Closes the state store; what the last checkpoint did not commit is dropped, as after a crash. */
    @Override
    public void close() {
        state.close();
    }
}
