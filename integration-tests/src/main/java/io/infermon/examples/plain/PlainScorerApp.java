package io.infermon.examples.plain;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * A service with no TensorFlow and no infermon import: a hand-written softmax model behind a request handler, a
 * one-row scorer, and a feedback method that receives the true label later. The agent's {@code method} points
 * capture it. Prints what it computed, so a test can check the agent changed nothing.
 *
 * <pre>PlainScorerApp REQUESTS [--report FILE] [--rows-per-batch N]</pre>
 */
public final class PlainScorerApp {
    private PlainScorerApp() {
    }

    /** Three classes over four features, fixed weights. */
    public static final class SoftmaxModel {
        private static final double[][] W = {
            {0.5, -0.2, 0.1, 0.0}, {-0.3, 0.4, 0.2, 0.1}, {0.1, 0.1, -0.5, 0.6}};

        public double[][] predict(double[][] rows) {
            double[][] out = new double[rows.length][];
            for (int r = 0; r < rows.length; r++) {
                double[] z = new double[W.length];
                double max = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < W.length; c++) {
                    for (int j = 0; j < W[c].length; j++) {
                        z[c] += W[c][j] * rows[r][j];
                    }
                    max = Math.max(max, z[c]);
                }
                double sum = 0;
                for (int c = 0; c < z.length; c++) {
                    z[c] = Math.exp(z[c] - max);
                    sum += z[c];
                }
                for (int c = 0; c < z.length; c++) {
                    z[c] /= sum;
                }
                out[r] = z;
            }
            return out;
        }
    }

    /** A one-row scorer in float: a logistic score per feature. */
    public static final class RowScorer {
        public float[] score(float[] features) {
            float[] out = new float[features.length];
            for (int i = 0; i < features.length; i++) {
                out[i] = (float) (1 / (1 + Math.exp(-features[i])));
            }
            return out;
        }
    }

    /** What the web layer hands the handler; the id is reached through a getter. */
    public static final class Request {
        private final String id;
        private final double[][] rows;

        public Request(String id, double[][] rows) {
            this.id = id;
            this.rows = rows;
        }

        public String getRequestId() {
            return id;
        }

        public double[][] rows() {
            return rows;
        }
    }

    public static final class Handler {
        private final SoftmaxModel model = new SoftmaxModel();
        private final RowScorer scorer = new RowScorer();

        public double handle(Request request) {
            double[][] probabilities = model.predict(request.rows());
            float[] scores = scorer.score(new float[] {(float) request.rows()[0][0], (float) request.rows()[0][1]});
            double checksum = 0;
            for (double[] row : probabilities) {
                for (double p : row) {
                    checksum += p;
                }
            }
            return checksum + scores[0] + scores[1];
        }
    }

    /** Ground truth arriving after the prediction. */
    public static final class Feedback {
        private long received;

        public void outcome(String requestId, int label) {
            received += label + requestId.length();
        }
    }

    public static void main(String[] args) throws IOException {
        int requests = Integer.parseInt(args[0]);
        Path report = null;
        int rowsPerBatch = 2;
        for (int i = 1; i < args.length; i += 2) {
            switch (args[i]) {
                case "--report" -> report = Path.of(args[i + 1]);
                case "--rows-per-batch" -> rowsPerBatch = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Random random = new Random(42);
        Handler handler = new Handler();
        Feedback feedback = new Feedback();
        double total = 0;
        List<String> lines = new ArrayList<>();
        for (int n = 0; n < requests; n++) {
            double[][] rows = new double[rowsPerBatch][4];
            for (double[] row : rows) {
                for (int j = 0; j < row.length; j++) {
                    row[j] = random.nextGaussian();
                }
            }
            String id = "req-" + n;
            double result = handler.handle(new Request(id, rows));
            total += result;
            feedback.outcome(id, n % 3);
            lines.add(id + "," + rows[0][0] + "," + String.format(Locale.ROOT, "%.17g", result));
        }
        System.out.println(String.format(Locale.ROOT, "total=%.17g", total));
        if (report != null) {
            Files.write(report, lines);
        }
    }
}
