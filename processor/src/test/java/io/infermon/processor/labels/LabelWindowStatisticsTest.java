package io.infermon.processor.labels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.infermon.anodot.AnodotMetric;
import io.infermon.processor.Datasets;
import io.infermon.processor.bucket.ModelKey;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.junit.jupiter.api.Test;

/**
 * The label window's sufficient statistics on real data (UCI digits with a nearest-centroid softmax, breast cancer
 * with a logistic score, breast cancer's radius as a regression target): every metric equals {@link LabelQuality}'s
 * computation on the raw rows (counts exactly, sums to 1e-12, AUC exactly while exact and within the bound it states
 * once binned), and the merge of parts equals the statistics of their union, in any order.
 */
class LabelWindowStatisticsTest {

    /** A classification data set: labels, the model's probabilities and predictions, a delay per row. */
    private record Data(int[] y, double[][] p, int[] predicted, double[] delays) {
        static Data of(int[] y, float[][] probabilities) {
            double[][] p = LabelledData.toDouble(probabilities);
            double[] delays = new double[y.length];
            for (int i = 0; i < y.length; i++) {
                delays[i] = (i * 7_919L % 86_400) + (i % 1000) / 1000.0; // spread over a day, ms resolution
            }
            return new Data(y, p, LabelledData.predictions(p), delays);
        }

        LabelWindowStatistics statistics(long predictedRows, int[] rows) {
            LabelWindowStatistics s = new LabelWindowStatistics(predictedRows);
            for (int i : rows) {
                s.addClassified(y[i], predicted[i], p[i], delays[i]);
            }
            return s;
        }

        LabelQuality.Classification quality(int[] rows) {
            return new LabelQuality.Classification(Arrays.stream(rows).map(i -> y[i]).toArray(),
                    Arrays.stream(rows).map(i -> predicted[i]).toArray(),
                    Arrays.stream(rows).mapToObj(i -> p[i]).toArray(double[][]::new));
        }
    }

    private static Data digits() {
        return Data.of(Datasets.digitLabels(), LabelledData.digitProbabilities());
    }

    private static Data cancer() {
        return Data.of(Datasets.breastCancerLabels(), LabelledData.breastCancerProbabilities());
    }

    private static int[] all(int n) {
        return java.util.stream.IntStream.range(0, n).toArray();
    }

    /** The rows {@code i} with {@code i % parts == part}. */
    private static int[] part(int n, int parts, int part) {
        return java.util.stream.IntStream.range(0, n).filter(i -> i % parts == part).toArray();
    }

    /**
     * Every classification metric of {@code s} against {@code q}, the raw rows' computation: counts and ratios of
     * counts exactly, sums to {@code tolerance} (0 for statistics added in the rows' order), AUC exactly where exact.
     */
    private static void assertSameClassification(LabelWindowStatistics s, LabelQuality.Classification q,
                                                 double tolerance) {
        assertThat(s.classifiedRows()).isEqualTo(q.rows());
        assertThat(s.classes()).isEqualTo(q.classes());
        assertThat(s.accuracy()).isEqualTo(q.accuracy());
        for (int c : q.classes()) {
            assertThat(s.support(c)).as("support %s", c).isEqualTo(q.support(c));
            assertThat(s.predictedCount(c)).as("predicted %s", c).isEqualTo(q.predictedCount(c));
            assertThat(s.precision(c)).as("precision %s", c).isEqualTo(q.precision(c));
            assertThat(s.recall(c)).as("recall %s", c).isEqualTo(q.recall(c));
            assertThat(s.f1(c)).as("f1 %s", c).isEqualTo(q.f1(c));
            for (int as : q.classes()) {
                assertThat(s.confusion(c, as)).isEqualTo(q.confusion(c, as));
            }
        }
        assertThat(s.macroF1()).isEqualTo(q.macroF1());
        assertThat(s.weightedF1()).isEqualTo(q.weightedF1());
        assertThat(s.width()).isEqualTo(q.width());
        assertThat(s.logLoss()).isCloseTo(q.logLoss(), within(tolerance * Math.abs(q.logLoss())));
        assertThat(s.brier()).isCloseTo(q.brier(), within(tolerance * Math.abs(q.brier())));
        assertThat(s.expectedAccuracy()).isCloseTo(q.expectedAccuracy(), within(tolerance));
        assertThat(s.expectedCalibrationError()).isCloseTo(q.expectedCalibrationError(), within(tolerance));
        int from = q.width() == 2 ? 1 : 0;
        for (int c = from; c < q.width(); c++) {
            if (s.rocAucBinned(c)) {
                assertThat(Math.abs(s.rocAuc(c) - q.rocAuc(c))).as("class %s AUC off by", c)
                        .isLessThanOrEqualTo(s.rocAucErrorBound(c));
            } else {
                assertThat(s.rocAuc(c)).as("class %s AUC", c).isEqualTo(q.rocAuc(c));
                assertThat(s.rocAucErrorBound(c)).isZero();
            }
        }
        if (!s.rocAucBinned(from)) {
            assertThat(s.rocAuc()).isEqualTo(q.rocAuc());
        }
    }

    @Test
    void everyClassificationMetricEqualsLabelQualityOnTheRows() {
        for (Data d : List.of(digits(), cancer())) {
            int[] rows = all(d.y.length);
            // added in the rows' order, the sums are LabelQuality's to the last bit
            assertSameClassification(d.statistics(rows.length, rows), d.quality(rows), 0);
        }
    }

    @Test
    void breastCancerAucIsExactAndDigitsAucIsBinnedWithinItsBound() {
        Data cancer = cancer();
        int[] rows = all(cancer.y.length);
        LabelWindowStatistics c = cancer.statistics(rows.length, rows);
        assertThat(c.rocAucBinned(1)).isFalse(); // 569 rows: at most 569 distinct scores
        assertThat(c.rocAuc()).isEqualTo(cancer.quality(rows).rocAuc());

        Data digits = digits();
        int[] digitRows = all(digits.y.length);
        LabelWindowStatistics s = digits.statistics(digitRows.length, digitRows);
        LabelQuality.Classification q = digits.quality(digitRows);
        int binned = 0;
        double worst = 0;
        for (int k = 0; k < 10; k++) {
            int column = k;
            long distinct = Arrays.stream(digitRows).mapToDouble(i -> digits.p[i][column]).distinct().count();
            assertThat(s.rocAucBinned(k)).as("class %s, %s distinct scores", k, distinct)
                    .isEqualTo(distinct > LabelWindowStatistics.EXACT_SCORES);
            if (s.rocAucBinned(k)) {
                binned++;
                double error = Math.abs(s.rocAuc(k) - q.rocAuc(k));
                assertThat(error).isLessThanOrEqualTo(s.rocAucErrorBound(k));
                worst = Math.max(worst, s.rocAucErrorBound(k));
            }
        }
        assertThat(binned).as("classes past the exact limit").isGreaterThan(0);
        // docs/metrics.md quotes this data's bound (2.0e-4 at worst): 1/32 logit bins keep the in-bin pairs rare
        assertThat(worst).isLessThan(1e-3);
        assertThat(Math.abs(s.rocAuc() - q.rocAuc())).isLessThan(1e-3);
    }

    @Test
    void theMergeOfPartsEqualsTheStatisticsOfTheirUnionInAnyOrder() throws IOException {
        for (Data d : List.of(digits(), cancer())) {
            int n = d.y.length;
            int[] rows = all(n);
            LabelWindowStatistics union = d.statistics(n, rows);
            // three "hosts", each with its own bucket of predicted rows
            List<LabelWindowStatistics> parts = new ArrayList<>();
            for (int h = 0; h < 3; h++) {
                int[] mine = part(n, 3, h);
                parts.add(d.statistics(mine.length, mine));
            }
            LabelWindowStatistics forward = LabelWindowStatistics.decode(parts.get(0).encode())
                    .merge(LabelWindowStatistics.decode(parts.get(1).encode()))
                    .merge(LabelWindowStatistics.decode(parts.get(2).encode()));
            LabelWindowStatistics backward = LabelWindowStatistics.decode(parts.get(2).encode())
                    .merge(LabelWindowStatistics.decode(parts.get(1).encode()).merge(
                            LabelWindowStatistics.decode(parts.get(0).encode())));
            for (LabelWindowStatistics merged : List.of(forward, backward)) {
                assertThat(merged.predictedRows()).isEqualTo(n);
                assertThat(merged.labelledRows()).isEqualTo(n);
                assertSameClassification(merged, d.quality(rows), 1e-12);
                for (int c = 0; c < d.p[0].length; c++) {
                    // the tables of the parts add up to the union's: the same form, the same AUC to the last bit
                    assertThat(merged.rocAucBinned(c)).isEqualTo(union.rocAucBinned(c));
                    // compared as Double.compare does: NaN (class 0 of two columns has no AUC) equals NaN
                    assertThat(Double.compare(merged.rocAuc(c), union.rocAuc(c))).as("class %s AUC", c).isZero();
                    assertThat(Double.compare(merged.rocAucErrorBound(c), union.rocAucErrorBound(c))).isZero();
                }
                assertThat(merged.delayMean()).isCloseTo(union.delayMean(), within(1e-9));
                assertThat(merged.delayMax()).isEqualTo(union.delayMax());
            }
        }
    }

    @Test
    void aBinnedPartMergedWithExactOnesGivesTheUnionsBins() throws IOException {
        Data d = digits();
        int n = d.y.length;
        // one large part (binned on its own) and two small ones (exact)
        int[] big = java.util.stream.IntStream.range(0, 1500).toArray();
        int[] small1 = java.util.stream.IntStream.range(1500, 1650).toArray();
        int[] small2 = java.util.stream.IntStream.range(1650, n).toArray();
        LabelWindowStatistics a = d.statistics(big.length, big);
        LabelWindowStatistics b = d.statistics(small1.length, small1);
        LabelWindowStatistics c = d.statistics(small2.length, small2);
        assertThat(b.rocAucBinned(0)).isFalse();
        LabelWindowStatistics union = d.statistics(n, all(n));
        for (LabelWindowStatistics merged : List.of(
                LabelWindowStatistics.decode(b.encode()).merge(c).merge(a),
                LabelWindowStatistics.decode(a.encode()).merge(b).merge(c))) {
            for (int k = 0; k < 10; k++) {
                assertThat(merged.rocAucBinned(k)).isEqualTo(union.rocAucBinned(k));
                assertThat(merged.rocAuc(k)).isEqualTo(union.rocAuc(k));
            }
        }
    }

    /** Breast cancer's mean radius against a model that predicts it from the mean perimeter (x / 2π, less 0.5). */
    @Test
    void regressionMetricsEqualLabelQualityOnTheRowsAndMerge() throws IOException {
        double[][] x = Datasets.breastCancer();
        int n = x.length;
        double[] y = Datasets.column(x, 0);
        double[] yHat = Arrays.stream(Datasets.column(x, 2)).map(v -> v / (2 * Math.PI) - 0.5).toArray();
        y[3] = 0; // a zero label: left out of MAPE, as LabelQuality leaves it
        LabelQuality.Regression q = new LabelQuality.Regression(y, yHat);
        LabelWindowStatistics whole = new LabelWindowStatistics(n);
        List<LabelWindowStatistics> parts = List.of(new LabelWindowStatistics(0), new LabelWindowStatistics(0),
                new LabelWindowStatistics(n));
        for (int i = 0; i < n; i++) {
            whole.addRegressed(y[i], yHat[i], i);
            parts.get(i % 3).addRegressed(y[i], yHat[i], i);
        }
        LabelWindowStatistics merged = LabelWindowStatistics.decode(parts.get(1).encode()).merge(parts.get(0))
                .merge(LabelWindowStatistics.decode(parts.get(2).encode()));
        for (LabelWindowStatistics s : List.of(whole, merged)) {
            assertThat(s.regressedRows()).isEqualTo(n);
            assertThat(s.mae()).isCloseTo(q.mae(), within(1e-12 * q.mae()));
            assertThat(s.rmse()).isCloseTo(q.rmse(), within(1e-12 * q.rmse()));
            assertThat(s.mape()).isCloseTo(q.mape(), within(1e-12 * q.mape()));
            assertThat(s.r2()).isCloseTo(q.r2(), within(1e-12));
            assertThat(s.classifiedRows()).isZero();
        }
    }

    @Test
    void delayQuantilesAreTheRowsUpToTheSketchSizeAndWithinItsRankErrorBeyond() {
        Data d = digits();
        for (int n : new int[] {150, d.y.length}) {
            int[] rows = all(n);
            LabelWindowStatistics s = d.statistics(n, rows);
            double[] sorted = Arrays.copyOf(d.delays, n);
            Arrays.sort(sorted);
            assertThat(s.delayMax()).isEqualTo(sorted[n - 1]);
            assertThat(s.delayMean()).isCloseTo(Arrays.stream(sorted).sum() / n, within(1e-9));
            for (double q : new double[] {0.5, 0.9, 0.99}) {
                double v = s.delayQuantile(q);
                if (n <= LabelWindowStatistics.DELAY_SKETCH_K) {
                    assertThat(v).isEqualTo(LabelQuality.quantile(sorted, q));
                } else {
                    long below = Arrays.stream(sorted).filter(t -> t < v).count();
                    long atOrBelow = Arrays.stream(sorted).filter(t -> t <= v).count();
                    double error = KllDoublesSketch.getNormalizedRankError(LabelWindowStatistics.DELAY_SKETCH_K,
                            false);
                    assertThat(q).isBetween((double) below / n - error, (double) atOrBelow / n + error);
                }
            }
        }
    }

    @Test
    void rowsWithoutProbabilitiesOrOfAnotherWidthLeaveTheProbabilityMetricsOutAsLabelQualityDoes()
            throws IOException {
        LabelWindowStatistics a = new LabelWindowStatistics(3);
        a.addClassified(1, 1, new double[] {0.2, 0.8}, 1);
        a.addClassified(0, 1, new double[] {0.4, 0.6}, 1);
        LabelWindowStatistics b = new LabelWindowStatistics(2);
        b.addClassified(2, 2, new double[] {0.1, 0.1, 0.8}, 1);
        LabelWindowStatistics merged = LabelWindowStatistics.decode(a.encode()).merge(b);
        assertThat(a.hasProbabilities()).isTrue();
        assertThat(merged.hasProbabilities()).isFalse();
        assertThat(merged.logLoss()).isNaN();
        assertThat(merged.rocAuc()).isNaN();
        assertThat(merged.accuracy()).isEqualTo(2.0 / 3);
        LabelWindowStatistics c = new LabelWindowStatistics(1);
        c.addClassified(1, 1, null, 1);
        assertThat(LabelWindowStatistics.decode(a.encode()).merge(c).hasProbabilities()).isFalse();
        // an empty part (a host whose rows had no label yet) changes nothing
        LabelWindowStatistics empty = new LabelWindowStatistics(5);
        LabelWindowStatistics withEmpty = LabelWindowStatistics.decode(empty.encode()).merge(a);
        assertThat(withEmpty.hasProbabilities()).isTrue();
        assertThat(withEmpty.logLoss()).isEqualTo(a.logLoss());
        assertThat(withEmpty.predictedRows()).isEqualTo(8);
    }

    @Test
    void theHostsMetricsFromStatisticsAreThoseFromRows() {
        Data d = cancer();
        ModelKey model = new ModelKey("cancer", "1", "");
        List<LabelWindowMetrics.Row> rows = new ArrayList<>();
        for (int i = 0; i < 180; i++) { // up to the sketch's size the delay quantiles are exact too
            StoredPrediction p = new StoredPrediction("r" + i, model, 0, 1_000L * i, d.predicted[i], d.p[i],
                    Double.NaN);
            rows.add(new LabelWindowMetrics.Row(p, d.y[i], 1_000L * i + Math.round(d.delays[i] * 1000)));
        }
        List<AnodotMetric> fromRows = LabelWindowMetrics.of(model, 0, "1h", 200, rows);
        List<AnodotMetric> fromStatistics = LabelWindowMetrics.of(model, 0, "1h",
                LabelWindowMetrics.statistics(200, rows));
        assertThat(fromStatistics).hasSameSizeAs(fromRows);
        for (int i = 0; i < fromRows.size(); i++) {
            assertThat(fromStatistics.get(i).properties()).isEqualTo(fromRows.get(i).properties());
            assertThat(fromStatistics.get(i).value()).as(fromRows.get(i).properties().toString())
                    .isEqualTo(fromRows.get(i).value());
        }
    }

    @Test
    void aDamagedOrFutureFormIsRefused() {
        Data d = cancer();
        byte[] good = d.statistics(10, all(10)).encode();
        byte[] future = good.clone();
        future[0] = 2;
        assertThatThrownBy(() -> LabelWindowStatistics.decode(future)).isInstanceOf(IOException.class)
                .hasMessageContaining("version 2 is not supported");
        assertThatThrownBy(() -> LabelWindowStatistics.decode(Arrays.copyOf(good, good.length - 5)))
                .isInstanceOf(IOException.class);
        byte[] longer = Arrays.copyOf(good, good.length + 1);
        assertThatThrownBy(() -> LabelWindowStatistics.decode(longer)).isInstanceOf(IOException.class)
                .hasMessageContaining("unexpected bytes");
    }
}
