package io.infermon.processor.alerts;

import io.infermon.anodot.AnodotMetric;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The processor's alerting: the rules' engine and {@code alerts.jsonl}, saved and restored with the checkpoint as
 * one component (the file's length and the engine's state together, so that they always agree).
 */
public final class Alerts implements AutoCloseable {
    private final AlertEngine engine;
    private final AlertsFile file;
    private long restoredLength = 0;

    /** @param outDir where alerts.jsonl is written, or null to write nothing (tests without outputs) */
    public Alerts(List<AlertRule> rules, Path outDir) {
        this.engine = new AlertEngine(rules);
        this.file = outDir == null ? null : new AlertsFile(outDir);
    }

    /** No rules and no file. */
    public static Alerts none() {
        return new Alerts(List.of(), null);
    }

    public boolean hasRules() {
        return !engine.rules().isEmpty();
    }

    /**
     * Opens alerts.jsonl after the checkpoint (if any) was restored: with checkpoints it is cut back to what the
     * checkpoint holds (to nothing without a checkpoint: the run starts over); without checkpoints it is appended to.
     */
    public void open(boolean checkpointed) throws IOException {
        if (file != null) {
            file.open(checkpointed ? restoredLength : -1);
        }
    }

    /** The events these metrics cause; changes the state, so call once per metric (not again on a write retry). */
    public List<AlertEvent> evaluate(List<AnodotMetric> metrics) {
        return engine.evaluate(metrics);
    }

    public void write(List<AlertEvent> events) throws IOException {
        if (file != null) {
            file.append(events);
        }
    }

    public long mark() throws IOException {
        return file == null ? 0 : file.length();
    }

    public void rollBack(long mark) throws IOException {
        if (file != null) {
            file.rollBack(mark);
        }
    }

    /** After a checkpoint (or a write, without checkpoints): what is written is final. */
    public void commit() throws IOException {
        if (file != null) {
            file.commit();
        }
    }

    public AlertsFile file() {
        return file;
    }

    public AlertEngine engine() {
        return engine;
    }

    public void writeState(DataOutput out) throws IOException {
        out.writeLong(file == null ? 0 : file.length());
        engine.writeState(out);
    }

    public void restoreState(DataInput in) throws IOException {
        restoredLength = in.readLong();
        engine.restoreState(in);
    }

    @Override
    public void close() throws IOException {
        if (file != null) {
            file.close();
        }
    }
}
