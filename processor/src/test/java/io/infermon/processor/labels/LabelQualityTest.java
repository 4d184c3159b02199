package io.infermon.processor.labels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.infermon.processor.Datasets;
import org.junit.jupiter.api.Test;

/**
 * Every classification and regression measure on real data against a textbook computation written out here:
 * counting loops for counts and ratios (compared exactly), sums for log loss and Brier (1e-9), all pairs for AUC
 * (exact).
 */
class LabelQualityTest {

    private static void checkAgainstTextbook(int[] y, double[][] p) {
        int[] yHat = LabelledData.predictions(p);
        LabelQuality.Classification q = new LabelQuality.Classification(y, yHat, p);
        int n = y.length;
        int width = p[0].length;

        long right = 0;
        for (int i = 0; i < n; i++) {
            right += y[i] == yHat[i] ? 1 : 0;
        }
        assertThat(q.accuracy()).isEqualTo((double) right / n);

        double f1Sum = 0;
        double f1Weighted = 0;
        int present = 0;
        for (int c = 0; c < width; c++) {
            long tp = 0;
            long fp = 0;
            long fn = 0;
            for (int i = 0; i < n; i++) {
                if (yHat[i] == c && y[i] == c) {
                    tp++;
                } else if (yHat[i] == c) {
                    fp++;
                } else if (y[i] == c) {
                    fn++;
                }
            }
            assertThat(q.support(c)).isEqualTo(tp + fn);
            assertThat(q.precision(c)).isEqualTo(tp + fp == 0 ? 0 : (double) tp / (tp + fp));
            assertThat(q.recall(c)).isEqualTo(tp + fn == 0 ? 0 : (double) tp / (tp + fn));
            double f1 = 2.0 * tp / (2 * tp + fp + fn);
            assertThat(q.f1(c)).isEqualTo(f1);
            double precision = (double) tp / (tp + fp);
            double recall = (double) tp / (tp + fn);
            assertThat(q.f1(c)).isCloseTo(2 * precision * recall / (precision + recall), within(1e-12));
            if (tp + fp + fn > 0) {
                f1Sum += f1;
                f1Weighted += (tp + fn) * f1;
                present++;
            }
            for (int as = 0; as < width; as++) {
                long cell = 0;
                for (int i = 0; i < n; i++) {
                    cell += y[i] == c && yHat[i] == as ? 1 : 0;
                }
                assertThat(q.confusion(c, as)).as("confusion %d→%d", c, as).isEqualTo(cell);
            }
        }
        assertThat(q.classes()).hasSize(present);
        assertThat(q.macroF1()).isCloseTo(f1Sum / present, within(1e-15));
        assertThat(q.weightedF1()).isCloseTo(f1Weighted / n, within(1e-15));

        double logLoss = 0;
        double brier = 0;
        for (int i = 0; i < n; i++) {
            logLoss -= Math.log(Math.max(p[i][y[i]], 1e-15));
            if (width == 2) {
                brier += Math.pow(p[i][1] - y[i], 2);
            } else {
                for (int c = 0; c < width; c++) {
                    brier += Math.pow(p[i][c] - (y[i] == c ? 1 : 0), 2);
                }
            }
        }
        assertThat(q.logLoss()).isCloseTo(logLoss / n, within(1e-9));
        assertThat(q.brier()).isCloseTo(brier / n, within(1e-9));

        double aucSum = 0;
        for (int c = 0; c < width; c++) {
            long wins2 = 0;
            long pos = 0;
            long neg = 0;
            for (int i = 0; i < n; i++) {
                if (y[i] == c) {
                    pos++;
                } else {
                    neg++;
                }
            }
            for (int i = 0; i < n; i++) {
                if (y[i] != c) {
                    continue;
                }
                for (int j = 0; j < n; j++) {
                    if (y[j] == c) {
                        continue;
                    }
                    wins2 += p[i][c] > p[j][c] ? 2 : p[i][c] == p[j][c] ? 1 : 0;
                }
            }
            double auc = wins2 / (2.0 * pos * neg);
            assertThat(q.rocAuc(c)).as("AUC of class %d", c).isEqualTo(auc);
            aucSum += auc;
        }
        assertThat(q.rocAuc()).isEqualTo(width == 2 ? q.rocAuc(1) : aucSum / width);

        double ece = 0;
        double confidenceSum = 0;
        for (int b = 0; b < 10; b++) {
            long inBin = 0;
            long correct = 0;
            double confidence = 0;
            for (int i = 0; i < n; i++) {
                double top = 0;
                for (double v : p[i]) {
                    top = Math.max(top, v);
                }
                boolean last = b == 9 && top == 1.0;
                if ((top >= b / 10.0 && top < (b + 1) / 10.0) || last) {
                    inBin++;
                    confidence += top;
                    correct += y[i] == yHat[i] ? 1 : 0;
                }
            }
            confidenceSum += confidence;
            if (inBin > 0) {
                ece += (double) inBin / n * Math.abs((double) correct / inBin - confidence / inBin);
            }
        }
        assertThat(q.expectedCalibrationError()).isCloseTo(ece, within(1e-12));
        assertThat(q.expectedAccuracy()).isCloseTo(confidenceSum / n, within(1e-12));
    }

    @Test
    void digitsTenClassesMatchTheTextbook() {
        int[] y = Datasets.digitLabels();
        double[][] p = LabelledData.toDouble(LabelledData.digitProbabilities());
        checkAgainstTextbook(y, p);
        LabelQuality.Classification q = new LabelQuality.Classification(y, LabelledData.predictions(p), p);
        // a nearest-centroid model on digits is good but not perfect: the numbers are not trivially 0 or 1
        assertThat(q.accuracy()).isBetween(0.85, 0.97);
        assertThat(q.rocAuc()).isBetween(0.95, 1.0);
        assertThat(q.expectedCalibrationError()).isGreaterThan(0.001);
    }

    @Test
    void breastCancerTwoClassesMatchTheTextbook() {
        int[] y = Datasets.breastCancerLabels();
        double[][] p = LabelledData.toDouble(LabelledData.breastCancerProbabilities());
        checkAgainstTextbook(y, p);
        LabelQuality.Classification q = new LabelQuality.Classification(y, LabelledData.predictions(p), p);
        assertThat(q.support(0)).isEqualTo(212); // the data set's 212 malignant and 357 benign cases
        assertThat(q.support(1)).isEqualTo(357);
        assertThat(q.accuracy()).isBetween(0.85, 0.99);
    }

    @Test
    void aucCountsTiesAsHalfAndNeedsBothClasses() {
        double[][] p = {{0.5, 0.5}, {0.5, 0.5}, {0.2, 0.8}, {0.9, 0.1}};
        LabelQuality.Classification q = new LabelQuality.Classification(new int[] {1, 0, 1, 0},
                LabelledData.predictions(p), p);
        // pairs (positive, negative): (0.5 vs 0.5) tie, (0.5 vs 0.1) win, (0.8 vs 0.5) win, (0.8 vs 0.1) win
        assertThat(q.rocAuc()).isEqualTo(3.5 / 4);
        LabelQuality.Classification allPositive = new LabelQuality.Classification(new int[] {1, 1},
                new int[] {1, 0}, new double[][] {{0.1, 0.9}, {0.6, 0.4}});
        assertThat(allPositive.rocAuc()).isNaN();
    }

    @Test
    void regressionMeasuresMatchTheTextbook() {
        // predict the mean radius from the mean perimeter (perimeter ≈ 2π r), on the real breast-cancer rows
        double[][] x = Datasets.breastCancer();
        double[] y = Datasets.column(x, 0);
        double[] yHat = new double[y.length];
        for (int i = 0; i < y.length; i++) {
            yHat[i] = x[i][2] / (2 * Math.PI);
        }
        LabelQuality.Regression q = new LabelQuality.Regression(y, yHat);
        double abs = 0;
        double sq = 0;
        double rel = 0;
        double mean = 0;
        for (int i = 0; i < y.length; i++) {
            abs += Math.abs(y[i] - yHat[i]);
            sq += (y[i] - yHat[i]) * (y[i] - yHat[i]);
            rel += Math.abs(y[i] - yHat[i]) / Math.abs(y[i]);
            mean += y[i] / y.length;
        }
        double total = 0;
        for (double v : y) {
            total += (v - mean) * (v - mean);
        }
        assertThat(q.mae()).isCloseTo(abs / y.length, within(1e-12));
        assertThat(q.rmse()).isCloseTo(Math.sqrt(sq / y.length), within(1e-12));
        assertThat(q.mape()).isCloseTo(rel / y.length, within(1e-12));
        assertThat(q.r2()).isCloseTo(1 - sq / total, within(1e-12));
        assertThat(q.r2()).isBetween(0.9, 1.0);
    }
}
