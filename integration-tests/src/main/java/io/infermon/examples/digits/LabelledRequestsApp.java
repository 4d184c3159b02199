package io.infermon.examples.digits;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.types.TFloat32;

/**
 * A classifier behind a request handler, as a web service has one: each request carries an id (reached through a
 * getter) and one row of the digits or breast-cancer data; the handler runs the TensorFlow session for it. For every
 * K-th request the true label comes back through a feedback method. Writes a report line per request:
 * {@code id,row,label,p0;p1;...} with the probabilities exactly as the model returned them.
 *
 * <pre>
 * LabelledRequestsApp --data digits|cancer --requests N --report FILE [--feedback-every K]
 * </pre>
 */
public final class LabelledRequestsApp {
    private LabelledRequestsApp() {
    }

    /** What the web layer hands the handler. */
    public static final class Request {
        private final String id;
        private final float[] row;

        public Request(String id, float[] row) {
            this.id = id;
            this.row = row;
        }

        public String getRequestId() {
            return id;
        }
    }

    /** Serves one request: one session run of one row. */
    public static final class Handler {
        private final Session session;

        Handler(Session session) {
            this.session = session;
        }

        public float[] handle(Request request) {
            try (TFloat32 input = TFloat32.tensorOf(StdArrays.ndCopyOf(new float[][] {request.row}));
                 Result result = session.runner().feed("features", input).fetch("probabilities").run()) {
                TFloat32 p = (TFloat32) result.get(0);
                float[] out = new float[(int) p.shape().get(1)];
                for (int c = 0; c < out.length; c++) {
                    out[c] = p.getFloat(0, c);
                }
                return out;
            }
        }
    }

    /** The true label, known later. */
    public static final class Feedback {
        private long received;

        public void outcome(String requestId, int label) {
            received += label + requestId.length();
        }
    }

    public static void main(String[] args) throws IOException {
        var opts = DigitsApp.options(args);
        String data = DigitsApp.require(opts, "data");
        int requests = Integer.parseInt(DigitsApp.require(opts, "requests"));
        Path report = Path.of(DigitsApp.require(opts, "report"));
        int feedbackEvery = Integer.parseInt(opts.getOrDefault("feedback-every", "0"));
        Dataset dataset = data.equals("digits") ? Dataset.digits() : Dataset.breastCancer();
        SoftmaxRegression model = SoftmaxRegression.train(dataset, 60, 0.5);
        List<String> lines = new ArrayList<>();
        Feedback feedback = new Feedback();
        try (Graph graph = new Graph(); Session session = new Session(graph)) {
            ClassifierGraph.build(graph, model, "features");
            session.initialize();
            Handler handler = new Handler(session);
            for (int n = 0; n < requests; n++) {
                int row = (n * 7) % dataset.rows();
                String id = data + "-" + n;
                float[] p = handler.handle(new Request(id, dataset.features()[row]));
                StringBuilder line = new StringBuilder(id).append(',').append(row).append(',')
                        .append(dataset.labels()[row]).append(',');
                for (int c = 0; c < p.length; c++) {
                    line.append(c == 0 ? "" : ";").append(Float.toString(p[c]));
                }
                lines.add(line.toString());
                if (feedbackEvery > 0 && n % feedbackEvery == 0) {
                    feedback.outcome(id, dataset.labels()[row]);
                }
            }
        }
        Files.write(report, lines);
        System.out.println("served " + requests + " " + data + " requests");
    }
}
