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

    /**
     * A bucket of {@code rows} rows of the jittered digits, 64 rows a call: each pixel plus its own fixed offset drawn
     * from [0, 1) (continuous columns, every distribution a KLL sketch, as in FleetMergeBenchmark), and ten-class
     * softmax probabilities of a fixed random linear map of them.
     */
    static BucketStatistics jitteredDigitCalls(int rows, int firstRow) {
        java.util.SplittableRandom random = new java.util.SplittableRandom(18);
        double[][] weights = new double[10][64];
        for (double[] w : weights) {
            for (int j = 0; j < 64; j++) {
                w[j] = random.nextDouble(-0.05, 0.05);
            }
        }
        float[][] x = jitteredDigits();
        BucketStatistics s = new BucketStatistics();
        for (int start = 0; start < rows; start += 64) {
            int n = Math.min(64, rows - start);
            float[][] xs = new float[n][];
            float[][] ps = new float[n][10];
            for (int i = 0; i < n; i++) {
                xs[i] = x[(firstRow + start + i) % x.length];
                double[] z = new double[10];
                double sum = 0;
                for (int c = 0; c < 10; c++) {
                    for (int j = 0; j < 64; j++) {
                        z[c] += weights[c][j] * xs[i][j];
                    }
                    z[c] = Math.exp(z[c]);
                    sum += z[c];
                }
                for (int c = 0; c < 10; c++) {
                    ps[i][c] = (float) (z[c] / sum);
                }
            }
            s.add(Records.call(start, "digits", xs, ps));
        }
        return s;
    }

    /** Each digits pixel plus its own fixed offset from [0, 1), as floats (the features' type on the wire). */
    static float[][] jitteredDigits() {
        double[][] digits = Datasets.digits();
        java.util.SplittableRandom random = new java.util.SplittableRandom(17);
        float[][] x = new float[digits.length][64];
        for (int r = 0; r < digits.length; r++) {
            for (int j = 0; j < 64; j++) {
                x[r][j] = (float) (digits[r][j] + random.nextDouble());
            }
        }
        return x;
    }

    @Test
    void aBucketOfSixtyFourContinuousFeaturesFitsIn64KB() throws Exception {
        BucketStatistics s = jitteredDigitCalls(10_000, 0);
        assertThat(s.features()).hasSize(64).allSatisfy(f -> assertThat(f.values().isExact()).isFalse());
        byte[] bytes = ProfileCodec.encode(new BucketProfile(MODEL, 0, 60_000, s));
        assertThat(bytes.length).isLessThanOrEqualTo(64 * 1024);
        assertThat(bytes[4]).isEqualTo((byte) 2);
    }

    @Test
    void aFleetOfHostsMergedOneByOneKeepsTheBoundsAgainstTheTrueValues() throws Exception {
        // as infermon fleet does for each host profile: decode the held merge, merge the host's, encode the result
        int hosts = 12;
        int rows = 3_000;
        byte[] held = null;
        for (int h = 0; h < hosts; h++) {
            byte[] incoming = ProfileCodec.encode(new BucketProfile(MODEL, 0, 60_000,
                    jitteredDigitCalls(rows, h * 577)));
            held = held == null ? incoming : ProfileCodec.encode(ProfileCodec.decode(held).merge(
                    ProfileCodec.decode(incoming)));
        }
        BucketStatistics merged = ProfileCodec.decode(held).statistics();
        double[][] truth = new double[64][hosts * rows];
        for (int h = 0; h < hosts; h++) {
            float[][] x = jitteredDigits();
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < 64; j++) {
                    truth[j][h * rows + i] = x[(h * 577 + i) % x.length][j];
                }
            }
        }
        double eps = DistributionSummary.rankError();
        for (int j = 0; j < 64; j++) {
            DistributionSummary d = merged.features().get(j).values();
            double[] sorted = truth[j].clone();
            Arrays.sort(sorted);
            assertThat(d.count()).isEqualTo(sorted.length);
            assertThat(d.min()).isEqualTo(sorted[0]);
            assertThat(d.max()).isEqualTo(sorted[sorted.length - 1]);
            double delta = (d.max() - d.min()) / (1 << 17);
            for (double q : new double[] {0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99}) {
                double v = d.quantile(q);
                long below = Arrays.stream(sorted).filter(t -> t < v - delta).count();
                long atOrBelow = Arrays.stream(sorted).filter(t -> t <= v + delta).count();
                assertThat(q).as("feature %d, q %s", j, q).isBetween((double) below / sorted.length - eps,
                        (double) atOrBelow / sorted.length + eps);
            }
        }
    }

    /**
     * {@code breast-cancer-v1.profile} was written by the build before format 2 (commit 956a361, its ProfileCodec and
     * DistributionSummary): the first six breast-cancer columns, 569 rows in calls of 50, every column a KLL sketch
     * in DataSketches' own form.
     */
    @Test
    void aVersion1ProfileStillLoadsAndIsRewrittenAsVersion2() throws Exception {
        byte[] v1;
        try (var in = ProfileCodecTest.class.getResourceAsStream("/profiles/breast-cancer-v1.profile")) {
            v1 = in.readAllBytes();
        }
        assertThat(v1[4]).isEqualTo((byte) 1);
        BucketProfile p = ProfileCodec.decode(v1);
        assertThat(p.model()).isEqualTo(new ModelKey("cancer", "1", "serving_default"));
        double[][] cancer = Datasets.breastCancer();
        assertThat(p.statistics().rows()).isEqualTo(cancer.length);
        assertThat(p.statistics().features()).hasSize(6);
        double eps = DistributionSummary.rankError();
        BucketProfile v2 = ProfileCodec.decode(ProfileCodec.encode(p));
        assertThat(ProfileCodec.encode(p)[4]).isEqualTo((byte) 2);
        for (int j = 0; j < 6; j++) {
            double[] column = Arrays.stream(Datasets.column(cancer, j)).map(x -> (float) x).sorted().toArray();
            DistributionSummary d = p.statistics().features().get(j).values();
            assertThat(d.isExact()).isFalse();
            assertThat(d.count()).isEqualTo(column.length);
            assertThat(d.mean()).isCloseTo(Arrays.stream(column).average().orElseThrow(), within(1e-9 * d.mean()));
            DistributionSummary d2 = v2.statistics().features().get(j).values();
            for (double q : new double[] {0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99}) {
                double v = d.quantile(q);
                long below = Arrays.stream(column).filter(t -> t < v).count();
                long atOrBelow = Arrays.stream(column).filter(t -> t <= v).count();
                assertThat(q).isBetween((double) below / column.length - eps,
                        (double) atOrBelow / column.length + eps);
                assertThat(d2.quantile(q)).isCloseTo(v, within(d.range() / (1 << 17)));
            }
        }
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
        assertThatThrownBy(() -> ProfileCodec.decode(future)).hasMessageContaining("version 9")
                .hasMessageContaining("reads 1 to 2");
        byte[] ancient = good.clone();
        ancient[4] = 0;
        assertThatThrownBy(() -> ProfileCodec.decode(ancient)).hasMessageContaining("version 0");
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
