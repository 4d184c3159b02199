package io.infermon.processor.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.infermon.processor.Datasets;
import io.infermon.processor.Records;
import io.infermon.processor.bucket.ModelKey;
import io.infermon.processor.stats.BucketStatistics;
import io.infermon.processor.stats.DistributionSummary;
import io.infermon.processor.stats.FeatureSummary;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ProfileCodecTest {
    static final ModelKey MODEL = new ModelKey("digits", "3", "serving_default");

    /** Calls of 50 digit rows each, with made-up three-class probabilities, from row {@code from} to {@code to}. */
    static BucketStatistics digitCalls(int from, int to) {
        double[][] digits = Datasets.digits();
        BucketStatistics s = new BucketStatistics();
        for (int start = from; start < to; start += 50) {
            int end = Math.min(start + 50, to);
            float[][] x = new float[end - start][];
            float[][] p = new float[end - start][];
            for (int r = start; r < end; r++) {
                x[r - start] = new float[64];
                for (int j = 0; j < 64; j++) {
                    x[r - start][j] = (float) digits[r][j];
                }
                float a = (float) (digits[r][20] / 32 + 0.25);
                p[r - start] = new float[] {a, (1 - a) / 2, (1 - a) / 2};
            }
            s.add(Records.call(start, "digits", x, p));
        }
        return s;
    }

    @Test
    void aProfileSurvivesTheRoundTrip() throws Exception {
        BucketProfile p = new BucketProfile(MODEL, 60_000, 120_000, digitCalls(0, 1797));
        BucketProfile back = ProfileCodec.decode(ProfileCodec.encode(p));
        assertThat(back.model()).isEqualTo(MODEL);
        assertThat(back.startMillis()).isEqualTo(60_000);
        assertThat(back.endMillis()).isEqualTo(120_000);
        assertSame(back.statistics(), p.statistics(), 0);
        assertThat(ProfileCodec.encode(back)).isEqualTo(ProfileCodec.encode(p));
    }

    @Test
    void mergingTwoBucketsEqualsOneBucketOverBoth() throws Exception {
        BucketProfile a = new BucketProfile(MODEL, 0, 60_000, digitCalls(0, 1000));
        BucketProfile b = new BucketProfile(MODEL, 60_000, 120_000, digitCalls(1000, 1797));
        BucketProfile merged = ProfileCodec.decode(ProfileCodec.encode(a)).merge(ProfileCodec.decode(
                ProfileCodec.encode(b)));
        assertThat(merged.startMillis()).isZero();
        assertThat(merged.endMillis()).isEqualTo(120_000);
        assertSame(merged.statistics(), digitCalls(0, 1797), DistributionSummary.rankError());
    }

    @Test
    void profilesOfDifferentModelsDoNotMerge() {
        BucketProfile a = new BucketProfile(MODEL, 0, 60_000, new BucketStatistics());
        BucketProfile b = new BucketProfile(new ModelKey("digits", "4", "serving_default"), 0, 60_000,
                new BucketStatistics());
        assertThatThrownBy(() -> a.merge(b)).hasMessageContaining("version 3").hasMessageContaining("version 4");
    }

    @Test
    void damagedOrForeignFilesAreRefusedWithAReason() {
        byte[] good = ProfileCodec.encode(new BucketProfile(MODEL, 0, 60_000, digitCalls(0, 200)));
        Random random = new Random(7);
        for (int i = 0; i < 500; i++) {
            byte[] bad = good.clone();
            int at = random.nextInt(bad.length);
            bad[at] ^= (byte) (1 + random.nextInt(255));
            assertThatThrownBy(() -> ProfileCodec.decode(bad)).isInstanceOf(IOException.class);
        }
        assertThatThrownBy(() -> ProfileCodec.decode(Arrays.copyOf(good, good.length / 2)))
                .hasMessageContaining("checksum");
        byte[] future = good.clone();
        future[4] = 9;
        assertThatThrownBy(() -> ProfileCodec.decode(future)).hasMessageContaining("version 9");
        assertThatThrownBy(() -> ProfileCodec.decode("{\"what\":1}".getBytes()))
                .hasMessageContaining("not an infermon profile");
    }

    /** Counts and moments equal; quantiles equal, or within {@code rankError} of each other's rank when sketched. */
    static void assertSame(BucketStatistics actual, BucketStatistics expected, double rankError) {
        assertThat(actual.inferenceCalls()).isEqualTo(expected.inferenceCalls());
        assertThat(actual.rows()).isEqualTo(expected.rows());
        assertThat(actual.batchSize().mean()).isCloseTo(expected.batchSize().mean(), within(1e-9));
        assertThat(actual.predictions().classCounts()).containsExactly(expected.predictions().classCounts());
        assertThat(actual.predictions().meanProbability(0))
                .isCloseTo(expected.predictions().meanProbability(0), within(1e-12));
        assertThat(actual.features()).hasSameSizeAs(expected.features());
        for (int j = 0; j < expected.features().size(); j++) {
            FeatureSummary a = actual.features().get(j);
            FeatureSummary e = expected.features().get(j);
            assertThat(a.count()).isEqualTo(e.count());
            assertThat(a.zeroCount()).isEqualTo(e.zeroCount());
            assertThat(a.values().mean()).isCloseTo(e.values().mean(), within(1e-9 * Math.max(1, e.values().mean())));
            assertThat(a.values().std()).isCloseTo(e.values().std(), within(1e-9 * Math.max(1, e.values().std())));
            assertThat(a.mostFrequent(20)).isEqualTo(e.mostFrequent(20));
            for (double q : new double[] {0.01, 0.25, 0.5, 0.75, 0.99}) {
                assertThat(a.values().quantile(q)).isEqualTo(e.values().quantile(q));
            }
        }
        DistributionSummary pa = actual.predictions().maxProbability();
        DistributionSummary pe = expected.predictions().maxProbability();
        assertThat(pa.count()).isEqualTo(pe.count());
        assertThat(pa.mean()).isCloseTo(pe.mean(), within(1e-12));
        for (double q : new double[] {0.25, 0.5, 0.75}) {
            // the merged sketch's quantile lies within the bound of the single one's rank
            double v = pa.quantile(q);
            assertThat(pe.cdf().at(v)).isGreaterThanOrEqualTo(q - 2 * rankError);
        }
    }
}
