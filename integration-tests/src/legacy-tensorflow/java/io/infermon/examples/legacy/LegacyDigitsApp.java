package io.infermon.examples.legacy;

import io.infermon.examples.digits.Dataset;
import io.infermon.examples.digits.PredictionReport;
import io.infermon.examples.digits.SoftmaxRegression;
import io.infermon.examples.protobuf.ProtoWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.tensorflow.DataType;
import org.tensorflow.Graph;
import org.tensorflow.Output;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Shape;
import org.tensorflow.Tensor;

/**
 * The digits example on the legacy TensorFlow 1.15 Java API ({@code org.tensorflow:libtensorflow}), as older services
 * still run it. It knows nothing of infermon.
 *
 * <pre>
 * LegacyDigitsApp export  --out DIR
 *     trains the digits classifier, builds its graph with the legacy API and writes it as a SavedModel
 * LegacyDigitsApp predict --model DIR [--batch N] [--report FILE] [--probabilities FILE]
 *     loads it with SavedModelBundle.load and predicts every row: even-numbered batches with Session.Runner.run(),
 *     odd-numbered ones with runAndFetchMetadata()
 * </pre>
 *
 * <p>The legacy API cannot export a SavedModel; this one is written from the protobuf definitions
 * (saved_model.proto, meta_graph.proto) around the graph's own {@code GraphDef}, with the weights as constants: a
 * SavedModel without variables, which TensorFlow loads without restoring anything.
 */
public final class LegacyDigitsApp {
    private LegacyDigitsApp() {
    }

    public static void main(String[] args) throws Exception {
        String out = null;
        String model = null;
        String report = null;
        String probabilities = null;
        int batch = 64;
        for (int i = 1; i < args.length; i += 2) {
            switch (args[i]) {
                case "--out" -> out = args[i + 1];
                case "--model" -> model = args[i + 1];
                case "--report" -> report = args[i + 1];
                case "--probabilities" -> probabilities = args[i + 1];
                case "--batch" -> batch = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (args[0].equals("export")) {
            export(SoftmaxRegression.train(Dataset.digits(), 300, 0.5), Path.of(out));
            System.out.println("exported a digits classifier to " + out);
        } else {
            predict(Path.of(model), batch, report, probabilities);
        }
    }

    static void export(SoftmaxRegression model, Path dir) throws Exception {
        byte[] graphDef;
        try (Graph g = new Graph()) {
            Output<?> x = g.opBuilder("Placeholder", "x").setAttr("dtype", DataType.FLOAT)
                    .setAttr("shape", Shape.make(-1, model.mean().length)).build().output(0);
            Output<?> centred = binary(g, "Sub", "centred", x, constant(g, "mean", model.mean()));
            Output<?> standardized = binary(g, "Mul", "standardized", centred, constant(g, "scale", model.scale()));
            Output<?> product = binary(g, "MatMul", "product", standardized, constant(g, "weights", model.weights()));
            Output<?> logits = binary(g, "Add", "logits", product, constant(g, "bias", model.bias()));
            g.opBuilder("Softmax", "probabilities").addInput(logits).build();
            graphDef = g.toGraphDef();
        }
        ProtoWriter pixels = new ProtoWriter().string(1, "x:0").varint(2, 1);                // TensorInfo, DT_FLOAT
        ProtoWriter scores = new ProtoWriter().string(1, "probabilities:0").varint(2, 1);
        ProtoWriter signature = new ProtoWriter()
                .message(1, new ProtoWriter().string(1, "pixels").message(2, pixels))     // inputs map entry
                .message(2, new ProtoWriter().string(1, "scores").message(2, scores))     // outputs map entry
                .string(3, "tensorflow/serving/predict");
        ProtoWriter metaGraph = new ProtoWriter()
                .message(1, new ProtoWriter().string(4, "serve"))                         // meta_info_def.tags
                .bytes(2, graphDef)                                                       // graph_def
                .message(5, new ProtoWriter().string(1, "serving_default").message(2, signature));
        Files.createDirectories(dir);
        Files.write(dir.resolve("saved_model.pb"), new ProtoWriter().varint(1, 1).message(2, metaGraph).toByteArray());
    }

    private static Output<?> constant(Graph g, String name, Object value) {
        try (Tensor<?> t = Tensor.create(value)) {
            return g.opBuilder("Const", name).setAttr("dtype", t.dataType()).setAttr("value", t).build().output(0);
        }
    }

    private static Output<?> binary(Graph g, String op, String name, Output<?> a, Output<?> b) {
        return g.opBuilder(op, name).addInput(a).addInput(b).build().output(0);
    }

    static void predict(Path modelDir, int batch, String reportFile, String probabilitiesFile) throws Exception {
        Dataset data = Dataset.digits();
        PredictionReport report = new PredictionReport(data.classes());
        try (SavedModelBundle bundle = SavedModelBundle.load(modelDir.toString(), "serve")) {
            Session session = bundle.session();
            int call = 0;
            for (int start = 0; start < data.rows(); start += batch, call++) {
                float[][] rows = Arrays.copyOfRange(data.features(), start, Math.min(start + batch, data.rows()));
                try (Tensor<Float> input = Tensor.create(rows, Float.class)) {
                    Session.Runner runner = session.runner().feed("x", input).fetch("probabilities");
                    Tensor<?> output = call % 2 == 0 ? runner.run().get(0)
                            : runner.runAndFetchMetadata().outputs.get(0);
                    try (output) {
                        report.add(output.copyTo(new float[rows.length][data.classes()]), data.labels(), start);
                    }
                }
            }
        }
        if (reportFile != null) {
            report.write(Path.of(reportFile));
        }
        if (probabilitiesFile != null) {
            report.writeProbabilities(Path.of(probabilitiesFile));
        }
        System.out.println("predicted " + report.rows() + " rows");
    }
}
