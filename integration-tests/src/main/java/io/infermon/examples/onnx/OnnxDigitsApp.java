package io.infermon.examples.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.infermon.examples.digits.Dataset;
import io.infermon.examples.digits.PredictionReport;
import io.infermon.examples.digits.SoftmaxRegression;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An ordinary ONNX Runtime program that knows nothing of infermon: a digits classifier served with
 * {@code OrtSession.run}.
 *
 * <pre>
 * OnnxDigitsApp export  --out FILE [--zipmap] [--epochs N]
 *     trains the digits softmax regression and writes it as an ONNX model (with --zipmap, its probabilities are a
 *     sequence of maps, as scikit-learn's converter writes them)
 * OnnxDigitsApp predict --model FILE [--batch N] [--from-bytes] [--report FILE] [--probabilities FILE]
 *     predicts every row of the digits data; with --from-bytes the session is created from the model's bytes
 * </pre>
 */
public final class OnnxDigitsApp {
    private OnnxDigitsApp() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            String key = args[i].substring(2);
            boolean hasValue = i + 1 < args.length && !args[i + 1].startsWith("--");
            opts.put(key, hasValue ? args[++i] : "true");
        }
        switch (args[0]) {
            case "export" -> {
                Dataset data = Dataset.digits();
                SoftmaxRegression model = SoftmaxRegression.train(data,
                        Integer.parseInt(opts.getOrDefault("epochs", "300")), 0.5);
                OnnxClassifierModel.write(model, Path.of(opts.get("out")), opts.containsKey("zipmap"));
                System.out.println("exported a digits classifier to " + opts.get("out"));
            }
            case "predict" -> predict(Path.of(opts.get("model")), Integer.parseInt(opts.getOrDefault("batch", "64")),
                    opts.containsKey("from-bytes"), opts.get("report"), opts.get("probabilities"));
            default -> throw new IllegalArgumentException("unknown command " + args[0]);
        }
    }

    static void predict(Path modelFile, int batch, boolean fromBytes, String reportFile, String probabilitiesFile)
            throws Exception {
        Dataset data = Dataset.digits();
        PredictionReport report = new PredictionReport(data.classes());
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = fromBytes ? env.createSession(Files.readAllBytes(modelFile))
                : env.createSession(modelFile.toString())) {
            String input = session.getInputNames().iterator().next();
            for (int start = 0; start < data.rows(); start += batch) {
                float[][] rows = Arrays.copyOfRange(data.features(), start, Math.min(start + batch, data.rows()));
                try (OnnxTensor tensor = OnnxTensor.createTensor(env, rows);
                     OrtSession.Result result = session.run(Map.of(input, tensor))) {
                    report.add(probabilities(result, data.classes()), data.labels(), start);
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

    /** The probabilities output, a {@code float[N, classes]} tensor or a sequence of maps from class to float. */
    private static float[][] probabilities(OrtSession.Result result, int classes) throws Exception {
        OnnxValue value = result.get("probabilities").or(() -> result.get("output_probability")).orElseThrow();
        if (value instanceof OnnxTensor tensor) {
            return (float[][]) tensor.getValue();
        }
        List<?> maps = (List<?>) value.getValue();
        float[][] out = new float[maps.size()][classes];
        for (int r = 0; r < maps.size(); r++) {
            try (OnnxValue row = (OnnxValue) maps.get(r)) {
                for (Map.Entry<?, ?> e : ((Map<?, ?>) row.getValue()).entrySet()) {
                    out[r][((Long) e.getKey()).intValue()] = (Float) e.getValue();
                }
            }
        }
        return out;
    }
}
