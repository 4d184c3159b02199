package io.infermon.processor.alerts;

import io.infermon.anodot.AnodotMetric;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides when alerts open and resolve. Each rule follows every series it selects (a series is a metric's full set
 * of properties) through the values written for it, in the order they are written: {@code for} consecutive values
 * meeting the condition open the alert once, {@code resolve_after} consecutive values not meeting it resolve it
 * once. A bucket in which a series has no value neither counts nor breaks a run.
 *
 * <p>Deterministic: the verdicts depend only on the metrics, in order, and on the state, which is part of the
 * processor's checkpoint; a processor restored from it decides exactly as one that never stopped.
 */
public final class AlertEngine {
    private static final int STATE_VERSION = 1;

    private final List<AlertRule> rules;
    private final List<Map<Map<String, String>, SeriesState>> series = new ArrayList<>();

    /** Where one series of one rule stands. */
    private static final class SeriesState {
        int met;
        int unmet;
        boolean open;
        long openedBucket;
    }

    public AlertEngine(List<AlertRule> rules) {
        this.rules = List.copyOf(rules);
        rules.forEach(r -> series.add(new LinkedHashMap<>()));
    }

    public List<AlertRule> rules() {
        return rules;
    }

    /** Feeds metrics in the order they are written; returns the events they cause, in that order. */
    public List<AlertEvent> evaluate(List<AnodotMetric> metrics) {
        if (rules.isEmpty()) {
            return List.of();
        }
        List<AlertEvent> events = new ArrayList<>();
        for (AnodotMetric m : metrics) {
            for (int i = 0; i < rules.size(); i++) {
                AlertRule rule = rules.get(i);
                if (rule.selects(m)) {
                    AlertEvent e = step(rule, series.get(i), m);
                    if (e != null) {
                        events.add(e);
                    }
                }
            }
        }
        return events;
    }

    private static AlertEvent step(AlertRule rule, Map<Map<String, String>, SeriesState> states, AnodotMetric m) {
        SeriesState s = states.computeIfAbsent(m.properties(), k -> new SeriesState());
        AlertEvent event = null;
        if (rule.meets(m.value())) {
            s.met++;
            s.unmet = 0;
            if (!s.open && s.met >= rule.forBuckets()) {
                s.open = true;
                s.openedBucket = m.timestamp();
                event = new AlertEvent(rule.name(), true, m.what(), m.properties(), m.value(), rule.condition(),
                        s.met, m.timestamp(), null);
            }
        } else {
            s.unmet++;
            s.met = 0;
            if (s.open && s.unmet >= rule.resolveAfter()) {
                s.open = false;
                event = new AlertEvent(rule.name(), false, m.what(), m.properties(), m.value(), rule.condition(),
                        s.unmet, m.timestamp(), s.openedBucket);
            }
        }
        if (!s.open && s.met == 0) {
            states.remove(m.properties()); // nothing to remember: keeps the state as small as the open alerts
        }
        return event;
    }

    /** Open alerts now, per rule name (for logs and tests). */
    public Map<String, Integer> openCounts() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (int i = 0; i < rules.size(); i++) {
            counts.put(rules.get(i).name(), (int) series.get(i).values().stream().filter(s -> s.open).count());
        }
        return counts;
    }

    /** The state, for the checkpoint: per rule its name and fingerprint, then each series that is counting. */
    public void writeState(DataOutput out) throws IOException {
        out.writeInt(STATE_VERSION);
        out.writeInt(rules.size());
        for (int i = 0; i < rules.size(); i++) {
            out.writeUTF(rules.get(i).name());
            out.writeUTF(rules.get(i).fingerprint());
            out.writeInt(series.get(i).size());
            for (Map.Entry<Map<String, String>, SeriesState> e : series.get(i).entrySet()) {
                out.writeInt(e.getKey().size());
                for (Map.Entry<String, String> p : e.getKey().entrySet()) {
                    out.writeUTF(p.getKey());
                    out.writeUTF(p.getValue());
                }
                SeriesState s = e.getValue();
                out.writeInt(s.met);
                out.writeInt(s.unmet);
                out.writeBoolean(s.open);
                out.writeLong(s.openedBucket);
            }
        }
    }

    /**
     * Restores what {@link #writeState} wrote. State of a rule that is gone or changed since (processor.yaml was
     * edited between runs) is dropped: that rule starts counting afresh.
     */
    public void restoreState(DataInput in) throws IOException {
        int version = in.readInt();
        if (version != STATE_VERSION) {
            throw new IOException("alert state version " + version + " is not supported");
        }
        int n = in.readInt();
        for (int r = 0; r < n; r++) {
            String name = in.readUTF();
            String fingerprint = in.readUTF();
            int index = -1;
            for (int i = 0; i < rules.size(); i++) {
                if (rules.get(i).name().equals(name) && rules.get(i).fingerprint().equals(fingerprint)) {
                    index = i;
                }
            }
            int count = in.readInt();
            for (int c = 0; c < count; c++) {
                int props = in.readInt();
                Map<String, String> key = new LinkedHashMap<>();
                for (int p = 0; p < props; p++) {
                    key.put(in.readUTF(), in.readUTF());
                }
                SeriesState s = new SeriesState();
                s.met = in.readInt();
                s.unmet = in.readInt();
                s.open = in.readBoolean();
                s.openedBucket = in.readLong();
                if (index >= 0) {
                    series.get(index).put(java.util.Collections.unmodifiableMap(key), s);
                }
            }
        }
    }
}
