package io.infermon.processor.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import io.infermon.anodot.AnodotMetric;
import io.infermon.anodot.TargetType;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AlertEngineTest {
    private static final AlertRule DRIFT = new AlertRule("inputs drifted", "drift_share", Map.of("model", "digits"),
            true, 0.3, 2, 2);

    private static AnodotMetric share(String model, long bucket, double value) {
        return AnodotMetric.builder("drift_share", TargetType.GAUGE).property("model", model)
                .timestamp(bucket).value(value);
    }

    /** drift_share of digits then of iris, one bucket (60 s) each, from these values. */
    private static List<List<AnodotMetric>> buckets(double[] digits, double[] iris) {
        List<List<AnodotMetric>> out = new ArrayList<>();
        for (int i = 0; i < digits.length; i++) {
            out.add(List.of(share("digits", 60L * i, digits[i]), share("iris", 60L * i, iris[i])));
        }
        return out;
    }

    private static final double[] DIGITS = {0.1, 0.5, 0.2, 0.4, 0.6, 0.9, 0.1, 0.5, 0.0, 0.1, 0.4, 0.5};
    private static final double[] IRIS = {0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9};

    @Test
    void opensOnceAfterForBucketsAndResolvesOnceAfterResolveAfterBuckets() {
        AlertEngine engine = new AlertEngine(List.of(DRIFT));
        List<String> lines = new ArrayList<>();
        for (List<AnodotMetric> b : buckets(DIGITS, IRIS)) {
            engine.evaluate(b).forEach(e -> lines.add(e.toJsonLine()));
        }
        // 0.5 alone (bucket 1) is not enough; 0.4, 0.6 (buckets 3, 4) open it; 0.9 keeps it open; 0.1 then 0.5 do not
        // resolve it (the run of non-meeting buckets is broken); 0.0, 0.1 (buckets 8, 9) resolve it; 0.4, 0.5 open
        // it again. iris is never selected (where: model: digits).
        assertThat(lines).containsExactly(
                "{\"alert\":\"inputs drifted\",\"state\":\"open\",\"metric\":\"drift_share\",\"series\":{\"what\":"
                        + "\"drift_share\",\"target_type\":\"gauge\",\"model\":\"digits\"},\"value\":0.6,\"condition\":"
                        + "\"above 0.3\",\"buckets\":2,\"bucket\":240}",
                "{\"alert\":\"inputs drifted\",\"state\":\"resolved\",\"metric\":\"drift_share\",\"series\":{\"what\":"
                        + "\"drift_share\",\"target_type\":\"gauge\",\"model\":\"digits\"},\"value\":0.1,\"condition\":"
                        + "\"above 0.3\",\"buckets\":2,\"bucket\":540,\"opened_bucket\":240}",
                "{\"alert\":\"inputs drifted\",\"state\":\"open\",\"metric\":\"drift_share\",\"series\":{\"what\":"
                        + "\"drift_share\",\"target_type\":\"gauge\",\"model\":\"digits\"},\"value\":0.5,\"condition\":"
                        + "\"above 0.3\",\"buckets\":2,\"bucket\":660}");
        assertThat(engine.openCounts()).isEqualTo(Map.of("inputs drifted", 1));
    }

    @Test
    void eachSeriesCountsOnItsOwnAndBelowIsStrict() {
        AlertRule low = new AlertRule("low accuracy", "drift_share", Map.of(), false, 0.5, 1, 1);
        AlertEngine engine = new AlertEngine(List.of(low));
        List<AlertEvent> events = new ArrayList<>();
        for (List<AnodotMetric> b : buckets(new double[] {0.5, 0.4, 0.6}, new double[] {0.9, 0.9, 0.1})) {
            events.addAll(engine.evaluate(b));
        }
        assertThat(events).extracting(e -> e.series().get("model") + " " + e.state() + " " + e.bucket())
                .containsExactly("digits open 60", "digits resolved 120", "iris open 120");
    }

    /** Restored from its state at any bucket, the engine gives exactly the events of one that never stopped. */
    @Test
    void restoredAtAnyBucketItDecidesAsIfItNeverStopped() throws Exception {
        List<List<AnodotMetric>> buckets = buckets(DIGITS, IRIS);
        List<AlertEvent> expected = new ArrayList<>();
        AlertEngine whole = new AlertEngine(List.of(DRIFT));
        buckets.forEach(b -> expected.addAll(whole.evaluate(b)));
        for (int cut = 0; cut <= buckets.size(); cut++) {
            AlertEngine first = new AlertEngine(List.of(DRIFT));
            List<AlertEvent> events = new ArrayList<>();
            buckets.subList(0, cut).forEach(b -> events.addAll(first.evaluate(b)));
            AlertEngine second = new AlertEngine(List.of(DRIFT));
            second.restoreState(new DataInputStream(new ByteArrayInputStream(state(first))));
            buckets.subList(cut, buckets.size()).forEach(b -> events.addAll(second.evaluate(b)));
            assertThat(events).as("cut at %d", cut).isEqualTo(expected);
        }
    }

    @Test
    void aChangedRuleStartsAfresh() throws Exception {
        AlertEngine before = new AlertEngine(List.of(DRIFT));
        before.evaluate(List.of(share("digits", 0, 0.9)));
        AlertRule stricter = new AlertRule("inputs drifted", "drift_share", Map.of("model", "digits"), true, 0.5, 2, 2);
        AlertEngine same = new AlertEngine(List.of(DRIFT));
        same.restoreState(new DataInputStream(new ByteArrayInputStream(state(before))));
        AlertEngine changed = new AlertEngine(List.of(stricter));
        changed.restoreState(new DataInputStream(new ByteArrayInputStream(state(before))));
        // the same rule remembers the first bucket (one more opens it); the changed one counts from zero
        assertThat(same.evaluate(List.of(share("digits", 60, 0.9)))).hasSize(1);
        assertThat(changed.evaluate(List.of(share("digits", 60, 0.9)))).isEmpty();
    }

    private static byte[] state(AlertEngine engine) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            engine.writeState(out);
        }
        return bytes.toByteArray();
    }
}
