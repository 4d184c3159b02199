package io.infermon.processor.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.infermon.processor.Datasets;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FeatureSummaryTest {
    private static final double[] QUANTILES = {0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99};

    private static FeatureSummary summarize(double[] values) {
        FeatureSummary f = new FeatureSummary();
        for (double x : values) {
            f.add(x);
        }
        return f;
    }

    @Test
    void digitPixelsAreCountedExactly() {
        double[][] digits = Datasets.digits();
        for (int j = 0; j < 64; j++) {
            double[] col = Datasets.column(digits, j);
            FeatureSummary f = summarize(col);
            assertThat(f.values().isExact()).isTrue();
            assertThat(f.count()).isEqualTo(1797);
            assertThat(f.zeroCount()).isEqualTo(Arrays.stream(col).filter(x -> x == 0).count());
            assertThat(f.values().mean()).isCloseTo(Textbook.mean(col), within(1e-9 * Math.max(1, Textbook.mean(col))));
            assertThat(f.values().std()).isCloseTo(Textbook.std(col), within(1e-9 * Math.max(1, Textbook.std(col))));
            for (double q : QUANTILES) {
                assertThat(f.values().quantile(q)).as("feature %d q%s", j, q).isEqualTo(Textbook.quantile(col, q));
            }
            Map<Long, Long> counts = Textbook.counts(col);
            assertThat(f.isIntegral()).isTrue();
            assertThat(f.distinctCount()).isEqualTo(counts.size());
            assertThat(f.frequencyErrorBound()).isZero();
            for (FeatureSummary.ValueCount v : f.mostFrequent(20)) {
                assertThat(v.count()).isEqualTo(counts.get(v.value()));
            }
            assertThat(f.mostFrequent(20)).hasSize(Math.min(20, counts.size()));
            long top = counts.values().stream().mapToLong(Long::longValue).max().orElseThrow();
            assertThat(f.mostFrequent(1).get(0).count()).isEqualTo(top);
        }
    }

    @Test
    void nanAndInfinityAreCountedAndLeftOutOfTheDistribution() {
        double[] col = Datasets.column(Datasets.breastCancer(), 0);
        double[] dirty = col.clone();
        for (int i = 0; i < dirty.length; i += 7) {
            dirty[i] = Double.NaN;
        }
        for (int i = 3; i < dirty.length; i += 11) {
            dirty[i] = i % 2 == 0 ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
        }
        double[] finite = Arrays.stream(dirty).filter(Double::isFinite).toArray();
        FeatureSummary f = summarize(dirty);
        assertThat(f.nanCount()).isEqualTo(Arrays.stream(dirty).filter(Double::isNaN).count());
        assertThat(f.infiniteCount()).isEqualTo(Arrays.stream(dirty).filter(Double::isInfinite).count());
        assertThat(f.count()).isEqualTo(finite.length);
        assertThat(f.values().mean()).isCloseTo(Textbook.mean(finite), within(1e-9 * Textbook.mean(finite)));
        assertThat(f.values().min()).isEqualTo(Arrays.stream(finite).min().orElseThrow());
        assertThat(f.isIntegral()).isFalse();
        assertThat(f.mostFrequent(20)).isEmpty();
    }

    @Test
    void beyondExactCountingFrequenciesAndDistinctCountsStayWithinTheirBounds() {
        // tumour area rounded to whole square units: about 540 distinct values, more than the exact table holds
        double[] area = Arrays.stream(Datasets.column(Datasets.breastCancer(), 3)).map(Math::rint).toArray();
        FeatureSummary f = summarize(area);
        Map<Long, Long> counts = Textbook.counts(area);
        assertThat(counts.size()).isGreaterThan(DistributionSummary.EXACT_LIMIT);
        assertThat(f.values().isExact()).isFalse();
        assertThat(f.isIntegral()).isTrue();
        long bound = f.frequencyErrorBound();
        assertThat(bound).isLessThanOrEqualTo((long) Math.ceil(3.5 / FeatureSummary.FREQUENT_MAP_SIZE * area.length));
        for (FeatureSummary.ValueCount v : f.mostFrequent(20)) {
            assertThat(Math.abs(v.count() - counts.get(v.value()))).isLessThanOrEqualTo(bound);
        }
        // HLL with lg k = 12: relative standard error 1.04 / sqrt(4096) = 1.6%; three of those
        assertThat(f.distinctCount()).isCloseTo(counts.size(), within(0.05 * counts.size()));
        for (double q : QUANTILES) {
            double v = f.values().quantile(q);
            double below = (double) Arrays.stream(area).filter(x -> x < v).count() / area.length;
            assertThat(q).isBetween(below - DistributionSummary.rankError(),
                    Textbook.cdf(area, v) + DistributionSummary.rankError());
        }
    }

    @Test
    void mergedPartsEqualTheWhole() throws Exception {
        for (double[] col : new double[][] {Datasets.column(Datasets.digits(), 21),
                Arrays.stream(Datasets.column(Datasets.breastCancer(), 3)).map(Math::rint).toArray()}) {
            FeatureSummary whole = summarize(col);
            FeatureSummary a = summarize(Arrays.copyOfRange(col, 0, 150));
            FeatureSummary b = summarize(Arrays.copyOfRange(col, 150, 400));
            FeatureSummary c = summarize(Arrays.copyOfRange(col, 400, col.length));
            a.merge(b);
            a.merge(roundTrip(c));
            assertThat(a.count()).isEqualTo(whole.count());
            assertThat(a.zeroCount()).isEqualTo(whole.zeroCount());
            assertThat(a.values().mean()).isCloseTo(whole.values().mean(), within(1e-9 * whole.values().mean()));
            assertThat(a.values().std()).isCloseTo(whole.values().std(), within(1e-9 * whole.values().std()));
            assertThat(a.values().isExact()).isEqualTo(whole.values().isExact());
            if (whole.values().isExact()) {
                assertThat(a.mostFrequent(100)).isEqualTo(whole.mostFrequent(100));
                for (double q : QUANTILES) {
                    assertThat(a.values().quantile(q)).isEqualTo(whole.values().quantile(q));
                }
            } else {
                Map<Long, Long> counts = Textbook.counts(col);
                for (FeatureSummary.ValueCount v : a.mostFrequent(20)) {
                    assertThat(Math.abs(v.count() - counts.get(v.value()))).isLessThanOrEqualTo(a.frequencyErrorBound());
                }
                for (double q : QUANTILES) {
                    double v = a.values().quantile(q);
                    double below = (double) Arrays.stream(col).filter(x -> x < v).count() / col.length;
                    assertThat(q).isBetween(below - DistributionSummary.rankError(),
                            Textbook.cdf(col, v) + DistributionSummary.rankError());
                }
            }
        }
    }

    @Test
    void serializationKeepsEveryStatistic() throws Exception {
        double[] col = Datasets.column(Datasets.breastCancer(), 7);
        for (FeatureSummary f : new FeatureSummary[] {summarize(Datasets.column(Datasets.digits(), 5)),
                summarize(col)}) {
            FeatureSummary back = roundTrip(f);
            assertThat(back.count()).isEqualTo(f.count());
            assertThat(back.values().mean()).isEqualTo(f.values().mean());
            assertThat(back.values().std()).isEqualTo(f.values().std());
            assertThat(back.values().isExact()).isEqualTo(f.values().isExact());
            for (double q : QUANTILES) {
                assertThat(back.values().quantile(q)).isEqualTo(f.values().quantile(q));
            }
            assertThat(back.mostFrequent(30)).isEqualTo(f.mostFrequent(30));
            assertThat(Double.valueOf(back.distinctCount())).isEqualTo(Double.valueOf(f.distinctCount()));
        }
    }

    static FeatureSummary roundTrip(FeatureSummary f) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        f.writeTo(new DataOutputStream(bytes), SketchForm.FULL);
        return FeatureSummary.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
    }
}
