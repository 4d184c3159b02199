package io.infermon.processor.history;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.infermon.anodot.AnodotMetric;
import io.infermon.processor.OutputFixture;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The compact history answers exactly what views kept whole would: the fixture's real processor output (two
 * versions of the digits model, 64 features, drift against a learnt reference from bucket 3 on) read back, each
 * bucket's view from the history against {@link BucketView#of} of its metrics, compared as the API's JSON.
 */
class BucketHistoryTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void viewsFromTheCompactHistoryAreTheViewsOfTheMetrics() throws Exception {
        List<MetricGroup> groups = MetricsLog.readAll(OutputFixture.shared().resolve("metrics.jsonl"));
        BucketHistory history = new BucketHistory(100);
        Map<ModelRef, List<BucketView>> expected = new LinkedHashMap<>();
        for (MetricGroup g : groups) {
            history.add(g);
            if (g.isModelBucket()) {
                expected.computeIfAbsent(g.model(), m -> new ArrayList<>()).add(BucketView.of(g));
            }
        }
        assertThat(expected).hasSize(OutputFixture.VERSIONS.size());
        for (Map.Entry<ModelRef, List<BucketView>> e : expected.entrySet()) {
            List<BucketView> views = e.getValue();
            assertThat(views).hasSize(OutputFixture.BUCKETS);
            // with drift measures (a learnt reference) and without (the reference's own buckets)
            assertThat(views).anyMatch(v -> v.driftShare() != null).anyMatch(v -> v.driftShare() == null);
            assertThat(views.get(0).features()).hasSize(64);
            assertThat(JSON.writeValueAsString(history.buckets(e.getKey(), Long.MIN_VALUE)))
                    .isEqualTo(JSON.writeValueAsString(views));
            long third = views.get(2).start();
            assertThat(JSON.writeValueAsString(history.buckets(e.getKey(), third)))
                    .isEqualTo(JSON.writeValueAsString(views.subList(3, views.size())));
            assertThat(JSON.writeValueAsString(history.latest(e.getKey()).orElseThrow()))
                    .isEqualTo(JSON.writeValueAsString(views.get(views.size() - 1)));
        }
    }

    @Test
    void valuesOfEveryKindComeBackToTheBitAndTheNewestBucketsStay() throws Exception {
        ModelRef key = new ModelRef("m", "", "");
        double[] values = {0, -0.0, 1, -1, 63, 64, -65, 1L << 40, -(1L << 52), 1L << 53, 1e300, 0.1, 0.5f, -2.75f,
                Math.PI, Double.MIN_VALUE, Float.MIN_VALUE, -1e-9, 123456.789};
        BucketHistory history = new BucketHistory(3);
        List<BucketView> kept = new ArrayList<>();
        for (int b = 0; b < 5; b++) {
            List<AnodotMetric> metrics = new ArrayList<>();
            metrics.add(metric("inference_calls", 1000 + b, null, null));
            for (int i = 0; i < values.length; i++) {
                metrics.add(metric("feature_value", values[i] * (b + 1), "feat_" + i, "mean"));
                metrics.add(metric("feature_count", 7, "feat_" + i, null)); // not shown: left out alike
            }
            MetricGroup g = new MetricGroup(key, 60L * b, null, metrics);
            history.add(g);
            kept.add(BucketView.of(g));
        }
        List<BucketView> answer = history.buckets(key, Long.MIN_VALUE);
        assertThat(answer).hasSize(3);
        assertThat(answer.get(0).start()).isEqualTo(120);
        for (int b = 0; b < 3; b++) {
            BucketView v = answer.get(b);
            BucketView want = kept.get(b + 2);
            assertThat(v).isEqualTo(want);
            for (int i = 0; i < values.length; i++) {
                double got = v.features().get("feat_" + i).value().get("mean");
                assertThat(Double.doubleToRawLongBits(got)).as("feat_%d of bucket %d", i, b + 2)
                        .isEqualTo(Double.doubleToRawLongBits(values[i] * (b + 3)));
            }
        }
        assertThat(history.models()).singleElement().satisfies(s -> {
            assertThat(s.buckets()).isEqualTo(3);
            assertThat(s.first()).isEqualTo(120);
            assertThat(s.latest()).isEqualTo(240);
        });
    }

    private static AnodotMetric metric(String what, double value, String feature, String stat) {
        AnodotMetric.Builder b = AnodotMetric.builder(what, io.infermon.anodot.TargetType.GAUGE).property("model", "m");
        if (feature != null) {
            b.property("feature", feature);
        }
        if (stat != null) {
            b.property("stat", stat);
        }
        return b.timestamp(0).value(value);
    }
}
