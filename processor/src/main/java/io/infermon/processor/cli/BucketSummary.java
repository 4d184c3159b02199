package io.infermon.processor.cli;

import io.infermon.processor.bucket.ClosedBucket;
import io.infermon.processor.bucket.ModelKey;
import io.infermon.processor.stats.FeatureDrift;
import io.infermon.processor.stats.BucketStatistics;
import java.time.Instant;

/** One human line per closed bucket: when, which model, how much traffic, what it predicted. */
final class BucketSummary {
    private BucketSummary() {
    }

    static String line(ClosedBucket b) {
        BucketStatistics s = b.statistics();
        ModelKey m = b.model();
        StringBuilder sb = new StringBuilder()
                .append(Instant.ofEpochMilli(b.startMillis())).append("  ").append(m.name());
        if (!m.version().isEmpty()) {
            sb.append(" v").append(m.version());
        }
        if (!m.signature().isEmpty()) {
            sb.append(" [").append(m.signature()).append(']');
        }
        sb.append(": ").append(s.inferenceCalls()).append(" calls, ").append(s.rows()).append(" rows");
        long predicted = s.predictions().predictedRows();
        if (predicted > 0) {
            long[] counts = s.predictions().classCounts();
            int top = 0;
            for (int c = 1; c < counts.length; c++) {
                if (counts[c] > counts[top]) {
                    top = c;
                }
            }
            sb.append(String.format(", mean top probability %.3f, most predicted class_%d (%.1f%%)",
                    s.predictions().maxProbability().mean(), top, 100.0 * counts[top] / predicted));
        }
        if (b.drift() != null && !b.drift().features().isEmpty()) {
            long drifted = b.drift().features().stream().filter(FeatureDrift::detected).count();
            sb.append(String.format(", drift on %d of %d features%s", drifted, b.drift().features().size(),
                    drifted > 0 ? "  <-- DRIFT" : ""));
        }
        return sb.toString();
    }
}
