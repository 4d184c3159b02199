package io.infermon.processor.drift;

import static org.assertj.core.api.Assertions.assertThat;

import io.infermon.anodot.AnodotMetric;
import io.infermon.processor.Datasets;
import io.infermon.processor.bucket.ClosedBucket;
import io.infermon.processor.bucket.ModelKey;
import io.infermon.processor.output.BucketMetrics;
import io.infermon.processor.profile.BucketProfile;
import io.infermon.processor.stats.BucketStatistics;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReferencesTest {
    private static final ModelKey DIGITS = new ModelKey("digits", "1", "serving_default");

    private static References digitsReference(String name, List<String> warnings) {
        References refs = new References(List.of(new BucketProfile(new ModelKey(name, "", ""), 0, 0,
                DriftDetectorTest.profile(Datasets.digits()))), DriftSettings.DEFAULTS, 0, null);
        refs.onWarning(warnings::add);
        return refs;
    }

    private static long count(List<AnodotMetric> m, String what) {
        return m.stream().filter(x -> x.what().equals(what)).count();
    }

    @Test
    void aModelWithoutAMatchingReferenceIsNamedOnceAndPassesThrough() throws Exception {
        List<String> warnings = new ArrayList<>();
        References refs = digitsReference("digit", warnings);
        BucketStatistics s = DriftDetectorTest.profile(Arrays.copyOfRange(Datasets.digits(), 0, 200));

        ClosedBucket first = refs.attach(new ClosedBucket(DIGITS, 0, 10_000, s));
        ClosedBucket second = refs.attach(new ClosedBucket(DIGITS, 10_000, 20_000, s));

        assertThat(first.drift()).isNull();
        assertThat(second.drift()).isNull();
        assertThat(warnings).containsExactly("infermon: no reference for model 'digits' (the references given are "
                + "for [digit]); its buckets get no drift metrics. Build one with reference build --model digits");
    }

    @Test
    void aSmallBucketGetsItsMeasuresButNoFlagsAndNoShare() throws Exception {
        List<String> warnings = new ArrayList<>();
        References refs = digitsReference("digits", warnings);
        double[][] digits = Datasets.digits();

        List<AnodotMetric> small = BucketMetrics.of(refs.attach(new ClosedBucket(DIGITS, 0, 10_000,
                DriftDetectorTest.profile(Arrays.copyOfRange(digits, 0, 40)))));
        List<AnodotMetric> judged = BucketMetrics.of(refs.attach(new ClosedBucket(DIGITS, 10_000, 20_000,
                DriftDetectorTest.profile(Arrays.copyOfRange(digits, 0, 100)))));

        assertThat(count(small, "feature_drift")).isEqualTo(64 * 4);
        assertThat(count(small, "drift_detected")).isZero();
        assertThat(count(small, "drift_share")).isZero();
        assertThat(count(judged, "feature_drift")).isEqualTo(64 * 4);
        assertThat(count(judged, "drift_detected")).isEqualTo(64);
        assertThat(count(judged, "drift_share")).isEqualTo(1);
        assertThat(warnings).isEmpty();
    }
}
