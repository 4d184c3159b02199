package io.infermon.processor.labels;

import io.infermon.processor.Datasets;

/**
 * Real rows with their true labels and the probabilities of two simple, deterministic models (float32, as a
 * TensorFlow model returns them): what the label tests join and score.
 */
final class LabelledData {
    private LabelledData() {
    }

    /** Digits: a softmax over the negative squared distances to each digit's mean image (nearest centroid). */
    static float[][] digitProbabilities() {
        double[][] x = Datasets.digits();
        int[] y = Datasets.digitLabels();
        double[][] centroid = new double[10][64];
        int[] n = new int[10];
        for (int i = 0; i < x.length; i++) {
            n[y[i]]++;
            for (int j = 0; j < 64; j++) {
                centroid[y[i]][j] += x[i][j];
            }
        }
        for (int c = 0; c < 10; c++) {
            for (int j = 0; j < 64; j++) {
                centroid[c][j] /= n[c];
            }
        }
        float[][] p = new float[x.length][10];
        for (int i = 0; i < x.length; i++) {
            double[] score = new double[10];
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < 10; c++) {
                double d = 0;
                for (int j = 0; j < 64; j++) {
                    d += (x[i][j] - centroid[c][j]) * (x[i][j] - centroid[c][j]);
                }
                score[c] = -d / 150.0;
                max = Math.max(max, score[c]);
            }
            double sum = 0;
            for (int c = 0; c < 10; c++) {
                score[c] = Math.exp(score[c] - max);
                sum += score[c];
            }
            for (int c = 0; c < 10; c++) {
                p[i][c] = (float) (score[c] / sum);
            }
        }
        return p;
    }

    /**
     * Breast cancer: two columns {@code [p(malignant), p(benign)]} from a logistic function of the standardized
     * worst radius, worst concave points and mean texture (large values mean malignant).
     */
    static float[][] breastCancerProbabilities() {
        double[][] x = Datasets.breastCancer();
        int[] columns = {20, 27, 1};
        double[] weights = {-2.0, -1.5, -0.5};
        double[] z = new double[x.length];
        for (int k = 0; k < columns.length; k++) {
            double[] col = Datasets.column(x, columns[k]);
            double mean = 0;
            for (double v : col) {
                mean += v;
            }
            mean /= col.length;
            double var = 0;
            for (double v : col) {
                var += (v - mean) * (v - mean);
            }
            double sd = Math.sqrt(var / col.length);
            for (int i = 0; i < x.length; i++) {
                z[i] += weights[k] * (col[i] - mean) / sd;
            }
        }
        float[][] p = new float[x.length][2];
        for (int i = 0; i < x.length; i++) {
            float benign = (float) (1 / (1 + Math.exp(-(z[i] + 0.6))));
            p[i][0] = 1 - benign;
            p[i][1] = benign;
        }
        return p;
    }

    static double[][] toDouble(float[][] p) {
        double[][] d = new double[p.length][];
        for (int i = 0; i < p.length; i++) {
            d[i] = new double[p[i].length];
            for (int c = 0; c < p[i].length; c++) {
                d[i][c] = p[i][c];
            }
        }
        return d;
    }

    /** Argmax, lowest index on ties; two columns: class 1 when p1 > 0.5 (the processor's rule). */
    static int[] predictions(double[][] p) {
        int[] out = new int[p.length];
        for (int i = 0; i < p.length; i++) {
            if (p[i].length == 2) {
                out[i] = p[i][1] > 0.5 ? 1 : 0;
                continue;
            }
            int best = 0;
            for (int c = 1; c < p[i].length; c++) {
                if (p[i][c] > p[i][best]) {
                    best = c;
                }
            }
            out[i] = best;
        }
        return out;
    }
    /** The window metric {@code what} (no class, no stat) among one window's metrics. */
    static double value(java.util.List<io.infermon.anodot.AnodotMetric> metrics, String what) {
        return metrics.stream().filter(m -> m.property("what").equals(what) && m.property("class") == null
                && m.property("stat") == null).findFirst().orElseThrow(() -> new AssertionError(what)).value();
    }

    /**
     * Checks one classification window against {@link LabelQuality} computed here from the labelled rows: counts and
     * ratios exactly, log loss and Brier to 1e-9.
     *
     * @param labelled the rows (indexes into {@code y} and {@code p}) that had a label by the window's end
     * @param rows     the bucket's predicted rows
     */
    static void assertClassificationWindow(java.util.List<io.infermon.anodot.AnodotMetric> metrics,
                                           java.util.List<Integer> labelled, int rows, int[] y, float[][] p) {
        int[] yy = labelled.stream().mapToInt(i -> y[i]).toArray();
        double[][] pp = toDouble(labelled.stream().map(i -> p[i]).toArray(float[][]::new));
        LabelQuality.Classification q = new LabelQuality.Classification(yy, predictions(pp), pp);
        org.assertj.core.api.Assertions.assertThat(value(metrics, "labeled_rows")).isEqualTo(labelled.size());
        org.assertj.core.api.Assertions.assertThat(value(metrics, "label_coverage"))
                .isEqualTo((double) labelled.size() / rows);
        org.assertj.core.api.Assertions.assertThat(value(metrics, "accuracy")).isEqualTo(q.accuracy());
        org.assertj.core.api.Assertions.assertThat(value(metrics, "roc_auc")).isEqualTo(q.rocAuc());
        org.assertj.core.api.Assertions.assertThat(value(metrics, "f1_macro")).isEqualTo(q.macroF1());
        org.assertj.core.api.Assertions.assertThat(value(metrics, "f1_weighted")).isEqualTo(q.weightedF1());
        org.assertj.core.api.Assertions.assertThat(value(metrics, "log_loss"))
                .isCloseTo(q.logLoss(), org.assertj.core.api.Assertions.within(1e-9));
        org.assertj.core.api.Assertions.assertThat(value(metrics, "brier_score"))
                .isCloseTo(q.brier(), org.assertj.core.api.Assertions.within(1e-9));
    }
}
