package io.infermon.examples.versions;

import io.infermon.examples.digits.ClassifierGraph;
import io.infermon.examples.digits.Dataset;
import io.infermon.examples.digits.PredictionReport;
import io.infermon.examples.digits.SoftmaxRegression;
import java.nio.file.Path;
import java.util.Arrays;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.types.TFloat32;

/**
 * The digits example written so that one source compiles against every TensorFlow Java from 0.4 to 1.1 (the build
 * compiles it once per version: a runner returns a {@code List<Tensor>} before 0.5 and a {@code Result} from 0.5 on,
 * so the class files differ). It knows nothing of infermon.
 *
 * <pre>
 * VersionedDigitsApp export  --out DIR
 *     trains the digits classifier and exports it with this version's own SavedModel exporter
 * VersionedDigitsApp predict --model DIR [--batch N] [--report FILE] [--probabilities FILE]
 *     predicts every row: even-numbered batches through the serving_default signature
 *     ({@code TensorFunction.call(Tensor)}), odd-numbered ones through a session runner (feed x, fetch probabilities)
 * </pre>
 */
public final class VersionedDigitsApp {
    private VersionedDigitsApp() {
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
            SoftmaxRegression trained = SoftmaxRegression.train(Dataset.digits(), 300, 0.5);
            ClassifierGraph.exportSavedModel(trained, Path.of(out), "pixels", "scores");
            System.out.println("exported a digits classifier to " + out);
        } else {
            predict(Path.of(model), batch, report, probabilities);
        }
    }

    private static void predict(Path modelDir, int batch, String reportFile, String probabilitiesFile)
            throws Exception {
        Dataset data = Dataset.digits();
        PredictionReport report = new PredictionReport(data.classes());
        try (SavedModelBundle bundle = SavedModelBundle.load(modelDir.toString(), "serve")) {
            var signature = bundle.function("serving_default");
            int call = 0;
            for (int start = 0; start < data.rows(); start += batch, call++) {
                float[][] rows = Arrays.copyOfRange(data.features(), start, Math.min(start + batch, data.rows()));
                try (TFloat32 input = TFloat32.tensorOf(StdArrays.ndCopyOf(rows))) {
                    Tensor output = call % 2 == 0 ? signature.call(input)
                            : bundle.session().runner().feed("x", input).fetch("probabilities").run().get(0);
                    try (TFloat32 scores = (TFloat32) output) {
                        report.add(StdArrays.array2dCopyOf(scores), data.labels(), start);
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
