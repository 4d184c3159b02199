package io.infermon.processor.delivery;

import io.infermon.anodot.AnodotMetric;
import io.infermon.anodot.TargetType;
import io.infermon.anodot.delivery.SenderHealth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Anodot sender's own health as Anodot 2.0 metrics: one counter per health count, holding what happened since
 * the previous call (so Anodot's sum over a timestamp stays right), with properties
 * {@code what=infermon_anodot_<count>} and {@code component=anodot_sender}. docs/anodot.md lists them.
 */
public final class SenderHealthMetrics {
    /** The counts published, in this order. */
    public static final List<String> COUNTS = List.of("sent", "rejected", "invalid", "retried", "spooled", "dropped");

    private final SenderHealth health;
    private final long[] previous = new long[COUNTS.size()];

    public SenderHealthMetrics(SenderHealth health) {
        this.health = health;
    }

    /** The change of each count since the last call, stamped {@code timestampSeconds}. */
    public synchronized List<AnodotMetric> since(long timestampSeconds) {
        Map<String, Long> now = health.snapshot();
        List<AnodotMetric> out = new ArrayList<>(COUNTS.size());
        for (int i = 0; i < COUNTS.size(); i++) {
            long v = now.get(COUNTS.get(i));
            out.add(AnodotMetric.builder("infermon_anodot_" + COUNTS.get(i), TargetType.COUNTER)
                    .property("component", "anodot_sender").timestamp(timestampSeconds).value(v - previous[i]));
            previous[i] = v;
        }
        return out;
    }
}
