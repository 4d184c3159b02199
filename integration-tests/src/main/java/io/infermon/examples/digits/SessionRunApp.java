package io.infermon.examples.digits;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.tensorflow.ConcreteFunction;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.types.TFloat32;

/**
 * The lower-level ways to run a model, with a graph built in code instead of a SavedModel. Trains a breast-cancer
 * (binary) or digits classifier at start, then predicts every row:
 * <ul>
 *   <li>{@code --path session} (default): {@code session.runner().feed("features", x).fetch("probabilities").run()},
 *       with graph names rather than a signature;</li>
 *   <li>{@code --path function}: an eager {@code ConcreteFunction} (signature key {@code classify}) called with a
 *       map of tensors.</li>
 * </ul>
 *
 * <pre>
 * SessionRunApp [--data digits|breast_cancer] [--path session|function] [--batch N] [--report FILE]
 *               [--probabilities FILE]
 * </pre>
 */
public final class SessionRunApp {
    private SessionRunApp() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = DigitsApp.options(args);
        Dataset data = "digits".equals(opts.getOrDefault("data", "breast_cancer"))
                ? Dataset.digits() : Dataset.breastCancer();
        int batch = Integer.parseInt(opts.getOrDefault("batch", "32"));
        SoftmaxRegression model = SoftmaxRegression.train(data, 200, 0.5);
        PredictionReport report = new PredictionReport(data.classes());
        if ("function".equals(opts.getOrDefault("path", "session"))) {
            predictWithFunction(model, data, batch, report);
        } else {
            predictWithSession(model, data, batch, report);
        }
        if (opts.containsKey("report")) {
            report.write(Path.of(opts.get("report")));
        }
        if (opts.containsKey("probabilities")) {
            report.writeProbabilities(Path.of(opts.get("probabilities")));
        }
        System.out.println("predicted " + report.rows() + " rows");
    }

    private static void predictWithSession(SoftmaxRegression model, Dataset data, int batch, PredictionReport report) {
        try (Graph graph = new Graph(); Session session = new Session(graph)) {
            ClassifierGraph.build(graph, model, "features");
            session.initialize();
            for (int start = 0; start < data.rows(); start += batch) {
                float[][] rows = Arrays.copyOfRange(data.features(), start, Math.min(start + batch, data.rows()));
                try (TFloat32 input = TFloat32.tensorOf(StdArrays.ndCopyOf(rows));
                     Result result = session.runner().feed("features", input).fetch("probabilities").run()) {
                    report.add(StdArrays.array2dCopyOf((TFloat32) result.get(0)), data.labels(), start);
                }
            }
        }
    }

    private static void predictWithFunction(SoftmaxRegression model, Dataset data, int batch,
                                            PredictionReport report) {
        try (ConcreteFunction function = ConcreteFunction.create(tf -> {
            ClassifierGraph g = ClassifierGraph.build(tf, model, "features", false);
            return Signature.builder().key("classify").input("features", g.input())
                    .output("probabilities", g.output()).build();
        })) {
            for (int start = 0; start < data.rows(); start += batch) {
                float[][] rows = Arrays.copyOfRange(data.features(), start, Math.min(start + batch, data.rows()));
                try (TFloat32 input = TFloat32.tensorOf(StdArrays.ndCopyOf(rows));
                     Result result = function.call(Map.of("features", input))) {
                    TFloat32 probabilities = (TFloat32) result.get("probabilities").orElseThrow();
                    report.add(StdArrays.array2dCopyOf(probabilities), data.labels(), start);
                }
            }
        }
    }
}
