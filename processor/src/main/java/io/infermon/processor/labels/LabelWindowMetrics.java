package io.infermon.processor.labels;

import io.infermon.anodot.AnodotMetric;
import io.infermon.anodot.TargetType;
import io.infermon.processor.bucket.ModelKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The label metrics of one prediction bucket at one maturity, as Anodot 2.0 samples stamped with the bucket's start
 * and carrying {@code label_window}. docs/metrics.md ("Labels") defines each; keep the two in step.
 */
public final class LabelWindowMetrics {
    public static final String LABELED_ROWS = "labeled_rows";
    public static final String LABEL_COVERAGE = "label_coverage";
    public static final String LABEL_DELAY_SECONDS = "label_delay_seconds";
    public static final String ACCURACY = "accuracy";
    public static final String EXPECTED_ACCURACY = "expected_accuracy";
    public static final String PRECISION = "precision";
    public static final String RECALL = "recall";
    public static final String F1 = "f1";
    public static final String SUPPORT = "support";
    public static final String F1_MACRO = "f1_macro";
    public static final String F1_WEIGHTED = "f1_weighted";
    public static final String LOG_LOSS = "log_loss";
    public static final String BRIER_SCORE = "brier_score";
    public static final String ROC_AUC = "roc_auc";
    public static final String CALIBRATION_ERROR = "expected_calibration_error";
    public static final String CONFUSION_COUNT = "confusion_count";
    public static final String LABEL_SHARE = "label_share";
    public static final String MAE = "mae";
    public static final String RMSE = "rmse";
    public static final String MAPE = "mape";
    public static final String R2 = "r2";
    public static final List<String> DELAY_STATS = List.of("mean", "p50", "p90", "p99", "max");

    /** A prediction and the label it had by the window's end. */
    record Row(StoredPrediction prediction, double label, long labelMillis) {
    }

    private final List<AnodotMetric> metrics = new ArrayList<>();
    private final ModelKey model;
    private final long timestamp;
    private final String window;
    /** Properties every metric carries besides the window's own (the fleet's {@code scope}). */
    private final String[] extra;

    private LabelWindowMetrics(ModelKey model, long bucketStartMillis, String window, String... extra) {
        this.model = model;
        this.timestamp = Math.floorDiv(bucketStartMillis, 1000L);
        this.window = window;
        this.extra = extra;
    }

    /**
     * @param predictedRows the bucket's rows with a prediction (the coverage's denominator)
     * @param labelled      the bucket's predictions whose label is counted in this window
     */
    static List<AnodotMetric> of(ModelKey model, long bucketStartMillis, String window, long predictedRows,
                                 List<Row> labelled) {
        LabelWindowMetrics m = new LabelWindowMetrics(model, bucketStartMillis, window);
        m.emit(LABELED_ROWS, TargetType.COUNTER, labelled.size());
        m.emit(LABEL_COVERAGE, TargetType.GAUGE, predictedRows == 0 ? Double.NaN
                : (double) labelled.size() / predictedRows);
        if (labelled.isEmpty()) {
            return m.metrics;
        }
        double[] delays = new double[labelled.size()];
        double delaySum = 0;
        for (int i = 0; i < delays.length; i++) {
            Row p = labelled.get(i);
            delays[i] = (p.labelMillis() - p.prediction().captureMillis) / 1000.0;
            delaySum += delays[i];
        }
        Arrays.sort(delays);
        m.emit(LABEL_DELAY_SECONDS, TargetType.GAUGE, delaySum / delays.length, "stat", "mean");
        m.emit(LABEL_DELAY_SECONDS, TargetType.GAUGE, LabelQuality.quantile(delays, 0.5), "stat", "p50");
        m.emit(LABEL_DELAY_SECONDS, TargetType.GAUGE, LabelQuality.quantile(delays, 0.9), "stat", "p90");
        m.emit(LABEL_DELAY_SECONDS, TargetType.GAUGE, LabelQuality.quantile(delays, 0.99), "stat", "p99");
        m.emit(LABEL_DELAY_SECONDS, TargetType.GAUGE, delays[delays.length - 1], "stat", "max");
        List<Row> classified = labelled.stream().filter(r -> r.prediction().isClassification()).toList();
        List<Row> regressed = labelled.stream().filter(r -> !r.prediction().isClassification()).toList();
        if (!classified.isEmpty()) {
            m.classification(classification(classified));
        }
        if (!regressed.isEmpty()) {
            double[] y = regressed.stream().mapToDouble(Row::label).toArray();
            double[] yHat = regressed.stream().mapToDouble(r -> r.prediction().value).toArray();
            m.regression(new LabelQuality.Regression(y, yHat));
        }
        return m.metrics;
    }

    /**
     * The same rows as mergeable statistics, in the order {@link #of} reads them: what a host publishes for the
     * fleet. Probabilities count only when every classified row has them, of one width, as in {@link #of}.
     */
    static LabelWindowStatistics statistics(long predictedRows, List<Row> labelled) {
        LabelWindowStatistics s = new LabelWindowStatistics(predictedRows);
        for (Row r : labelled) {
            StoredPrediction p = r.prediction();
            double delay = (r.labelMillis() - p.captureMillis) / 1000.0;
            if (p.isClassification()) {
                s.addClassified((int) r.label(), p.predictedClass, p.probabilities, delay);
            } else {
                s.addRegressed(r.label(), p.value, delay);
            }
        }
        return s;
    }

    /**
     * The metrics of a window from its statistics (the fleet's, merged from its hosts'): the same names, properties
     * and order as {@link #of} from rows; {@code extra} properties (the fleet's {@code scope}) on each.
     */
    public static List<AnodotMetric> of(ModelKey model, long bucketStartMillis, String window,
                                        LabelWindowStatistics s, String... extra) {
        LabelWindowMetrics m = new LabelWindowMetrics(model, bucketStartMillis, window, extra);
        long n = s.labelledRows();
        m.emit(LABELED_ROWS, TargetType.COUNTER, n);
        m.emit(LABEL_COVERAGE, TargetType.GAUGE, s.predictedRows() == 0 ? Double.NaN
                : (double) n / s.predictedRows());
        if (n == 0) {
            return m.metrics;
        }
        m.emit(LABEL_DELAY_SECONDS, TargetType.GAUGE, s.delayMean(), "stat", "mean");
        m.emit(LABEL_DELAY_SECONDS, TargetType.GAUGE, s.delayQuantile(0.5), "stat", "p50");
        m.emit(LABEL_DELAY_SECONDS, TargetType.GAUGE, s.delayQuantile(0.9), "stat", "p90");
        m.emit(LABEL_DELAY_SECONDS, TargetType.GAUGE, s.delayQuantile(0.99), "stat", "p99");
        m.emit(LABEL_DELAY_SECONDS, TargetType.GAUGE, s.delayMax(), "stat", "max");
        if (s.classifiedRows() > 0) {
            m.classification(s);
        }
        if (s.regressedRows() > 0) {
            m.regression(s);
        }
        return m.metrics;
    }

    /** The rows as {@link LabelQuality.Classification}; probabilities only when every row has them, of one width. */
    static LabelQuality.Classification classification(List<Row> rows) {
        int n = rows.size();
        int[] labels = new int[n];
        int[] predicted = new int[n];
        double[][] probabilities = new double[n][];
        int width = rows.get(0).prediction().probabilities == null ? -1
                : rows.get(0).prediction().probabilities.length;
        for (int i = 0; i < n; i++) {
            StoredPrediction p = rows.get(i).prediction();
            labels[i] = (int) rows.get(i).label();
            predicted[i] = p.predictedClass;
            probabilities[i] = p.probabilities;
            if (p.probabilities == null || p.probabilities.length != width) {
                width = -1;
            }
        }
        return new LabelQuality.Classification(labels, predicted, width < 0 ? null : probabilities);
    }

    private void classification(ClassificationQuality q) {
        emit(ACCURACY, TargetType.GAUGE, q.accuracy());
        emit(EXPECTED_ACCURACY, TargetType.GAUGE, q.expectedAccuracy());
        int[] classes = q.classes();
        for (int c : classes) {
            String cls = "class_" + c;
            emit(PRECISION, TargetType.GAUGE, q.precision(c), "class", cls);
            emit(RECALL, TargetType.GAUGE, q.recall(c), "class", cls);
            emit(F1, TargetType.GAUGE, q.f1(c), "class", cls);
            emit(SUPPORT, TargetType.COUNTER, q.support(c), "class", cls);
            emit(LABEL_SHARE, TargetType.GAUGE, (double) q.support(c) / q.classifiedRows(), "class", cls);
            for (int as : classes) {
                emit(CONFUSION_COUNT, TargetType.COUNTER, q.confusion(c, as), "class", cls,
                        "predicted_class", "class_" + as);
            }
        }
        emit(F1_MACRO, TargetType.GAUGE, q.macroF1());
        emit(F1_WEIGHTED, TargetType.GAUGE, q.weightedF1());
        if (q.hasProbabilities()) {
            emit(LOG_LOSS, TargetType.GAUGE, q.logLoss());
            emit(BRIER_SCORE, TargetType.GAUGE, q.brier());
            emit(ROC_AUC, TargetType.GAUGE, q.rocAuc());
            if (q.width() > 2) {
                for (int c = 0; c < q.width(); c++) {
                    emit(ROC_AUC, TargetType.GAUGE, q.rocAuc(c), "class", "class_" + c);
                }
            }
            emit(CALIBRATION_ERROR, TargetType.GAUGE, q.expectedCalibrationError());
        }
    }

    private void regression(RegressionQuality q) {
        emit(MAE, TargetType.GAUGE, q.mae());
        emit(RMSE, TargetType.GAUGE, q.rmse());
        emit(MAPE, TargetType.GAUGE, q.mape());
        emit(R2, TargetType.GAUGE, q.r2());
    }

    private void emit(String what, TargetType type, double value, String... properties) {
        AnodotMetric.Builder b = AnodotMetric.builder(what, type).property("model", model.name());
        if (!model.version().isEmpty()) {
            b.property("model_version", model.version());
        }
        if (!model.signature().isEmpty()) {
            b.property("signature", model.signature());
        }
        b.property("label_window", window);
        for (int i = 0; i < properties.length; i += 2) {
            b.property(properties[i], properties[i + 1]);
        }
        for (int i = 0; i < extra.length; i += 2) {
            b.property(extra[i], extra[i + 1]);
        }
        if (Double.isFinite(value)) {
            metrics.add(b.timestamp(timestamp).value(value));
        }
    }
}
