package io.infermon.examples.digits;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.types.TFloat32;

/**
 * An ordinary TensorFlow Java program, the kind of service infermon watches. It knows nothing of infermon.
 *
 * <pre>
 * DigitsApp train   --out DIR [--epochs N] [--rows N]
 *     trains a digits classifier (on the first N rows only, with --rows: a weaker model) and exports it as a
 *     SavedModel (signature serving_default: pixels -> scores)
 * DigitsApp predict --model DIR [--batch N] [--passes N] [--invert] [--report FILE] [--probabilities FILE]
 *                   [--seconds S --rate R]
 *     loads the SavedModel and predicts every row of the digits data through SavedModelBundle.call, N times over;
 *     with --seconds, keeps going round the data for S seconds (from when the model is loaded) at about R calls a
 *     second (a steady service)
 * </pre>
 */
public final class DigitsApp {
    public static final String INPUT = "pixels";
    public static final String OUTPUT = "scores";

    private DigitsApp() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            throw new IllegalArgumentException("usage: DigitsApp train|predict [options]");
        }
        Map<String, String> opts = options(Arrays.copyOfRange(args, 1, args.length));
        switch (args[0]) {
            case "train" -> train(Path.of(require(opts, "out")), Integer.parseInt(opts.getOrDefault("epochs", "300")),
                    Integer.parseInt(opts.getOrDefault("rows", "" + Integer.MAX_VALUE)));
            case "predict" -> predict(Path.of(require(opts, "model")),
                    Integer.parseInt(opts.getOrDefault("batch", "64")),
                    Integer.parseInt(opts.getOrDefault("passes", "1")),
                    Double.parseDouble(opts.getOrDefault("seconds", "0")),
                    Double.parseDouble(opts.getOrDefault("rate", "20")),
                    opts.containsKey("invert"),
                    opts.containsKey("report") ? Path.of(opts.get("report")) : null,
                    opts.containsKey("probabilities") ? Path.of(opts.get("probabilities")) : null);
            default -> throw new IllegalArgumentException("unknown command " + args[0]);
        }
    }

    static void train(Path out, int epochs, int rows) throws Exception {
        Dataset data = Dataset.digits().head(rows);
        SoftmaxRegression model = SoftmaxRegression.train(data, epochs, 0.5);
        Files.createDirectories(out.getParent() == null ? Path.of(".") : out.getParent());
        ClassifierGraph.exportSavedModel(model, out, INPUT, OUTPUT);
        System.out.println("exported a digits classifier (" + epochs + " epochs on " + data.rows() + " rows) to " + out);
    }

    static void predict(Path modelDir, int batch, int passes, double seconds, double rate, boolean invert,
                        Path reportFile, Path probabilitiesFile) throws Exception {
        Dataset data = invert ? Dataset.digits().inverted(16f) : Dataset.digits();
        PredictionReport report = new PredictionReport(data.classes());
        long pauseNanos = (long) (1e9 / rate);
        try (SavedModelBundle model = SavedModelBundle.load(modelDir.toString(), "serve")) {
            System.out.println("serving " + modelDir);
            System.out.flush();
            // the S seconds of service count from here: loading the model takes seconds on a loaded machine
            long deadline = System.nanoTime() + (long) (seconds * 1e9);
            for (int pass = 0; seconds > 0 ? System.nanoTime() < deadline : pass < passes; pass++) {
                for (int start = 0; start < data.rows(); start += batch) {
                    if (seconds > 0) {
                        if (System.nanoTime() >= deadline) {
                            break;
                        }
                        Thread.sleep(pauseNanos / 1_000_000, (int) (pauseNanos % 1_000_000));
                    }
                    int end = Math.min(start + batch, data.rows());
                    float[][] rows = Arrays.copyOfRange(data.features(), start, end);
                    try (TFloat32 input = TFloat32.tensorOf(StdArrays.ndCopyOf(rows));
                         Result result = model.call(Map.of(INPUT, input))) {
                        TFloat32 scores = (TFloat32) result.get(OUTPUT).orElseThrow();
                        report.add(StdArrays.array2dCopyOf(scores), data.labels(), start);
                    }
                }
            }
        }
        if (reportFile != null) {
            report.write(reportFile);
        }
        if (probabilitiesFile != null) {
            report.writeProbabilities(probabilitiesFile);
        }
        System.out.println("predicted " + report.rows() + " rows");
    }

    static Map<String, String> options(String[] args) {
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + args[i]);
            }
            String key = args[i].substring(2);
            boolean hasValue = i + 1 < args.length && !args[i + 1].startsWith("--");
            opts.put(key, hasValue ? args[++i] : "true");
        }
        return opts;
    }

    static String require(Map<String, String> opts, String key) {
        String v = opts.get(key);
        if (v == null) {
            throw new IllegalArgumentException("--" + key + " is required");
        }
        return v;
    }

}
