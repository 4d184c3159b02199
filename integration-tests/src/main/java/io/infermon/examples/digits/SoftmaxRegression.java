package io.infermon.examples.digits;

/**
 * Multinomial logistic regression trained by full-batch gradient descent: small, deterministic (no random start)
 * and good enough to make a real classifier out of the digits data in well under a second. Features are standardized
 * (per-column mean and standard deviation of the training data), and the model keeps those so the exported graph
 * takes raw features.
 *
 * @param weights [features][classes]
 * @param bias    [classes]
 * @param mean    per-feature mean used for standardizing
 * @param scale   per-feature 1/std (1 where a feature is constant)
 */
public record SoftmaxRegression(float[][] weights, float[] bias, float[] mean, float[] scale) {

    public static SoftmaxRegression train(Dataset data, int epochs, double learningRate) {
        int n = data.rows();
        int f = data.width();
        int k = data.classes();
        float[] mean = new float[f];
        float[] scale = new float[f];
        for (int j = 0; j < f; j++) {
            double s = 0;
            double s2 = 0;
            for (float[] row : data.features()) {
                s += row[j];
                s2 += (double) row[j] * row[j];
            }
            double m = s / n;
            double var = s2 / n - m * m;
            mean[j] = (float) m;
            scale[j] = var > 1e-12 ? (float) (1 / Math.sqrt(var)) : 1f;
        }
        double[][] x = new double[n][f];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < f; j++) {
                x[i][j] = (data.features()[i][j] - mean[j]) * scale[j];
            }
        }
        double[][] w = new double[f][k];
        double[] b = new double[k];
        double[] p = new double[k];
        for (int epoch = 0; epoch < epochs; epoch++) {
            double[][] gw = new double[f][k];
            double[] gb = new double[k];
            for (int i = 0; i < n; i++) {
                softmax(x[i], w, b, p);
                p[data.labels()[i]] -= 1;
                for (int c = 0; c < k; c++) {
                    gb[c] += p[c];
                    for (int j = 0; j < f; j++) {
                        gw[j][c] += x[i][j] * p[c];
                    }
                }
            }
            for (int c = 0; c < k; c++) {
                b[c] -= learningRate * gb[c] / n;
                for (int j = 0; j < f; j++) {
                    w[j][c] -= learningRate * gw[j][c] / n;
                }
            }
        }
        float[][] wf = new float[f][k];
        float[] bf = new float[k];
        for (int c = 0; c < k; c++) {
            bf[c] = (float) b[c];
            for (int j = 0; j < f; j++) {
                wf[j][c] = (float) w[j][c];
            }
        }
        return new SoftmaxRegression(wf, bf, mean, scale);
    }

    private static void softmax(double[] x, double[][] w, double[] b, double[] out) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < out.length; c++) {
            double z = b[c];
            for (int j = 0; j < x.length; j++) {
                z += x[j] * w[j][c];
            }
            out[c] = z;
            max = Math.max(max, z);
        }
        double sum = 0;
        for (int c = 0; c < out.length; c++) {
            out[c] = Math.exp(out[c] - max);
            sum += out[c];
        }
        for (int c = 0; c < out.length; c++) {
            out[c] /= sum;
        }
    }
}
