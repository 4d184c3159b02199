package io.infermon.processor.history;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.infermon.anodot.AnodotMetric;
import io.infermon.processor.time.Durations;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One prediction bucket's label metrics at one maturity, read back (docs/metrics.md, "Labels"): the numbers the
 * dashboard and {@code tail} show. A metric the window did not have is null: a window without labelled rows has only
 * {@code labeledRows} and {@code coverage}, a model without probabilities has no log loss, a classifier has no MAE.
 * Per-class precision, recall, F1, support, AUC and the confusion counts stay in the metric files.
 *
 * @param start            the prediction bucket's start (the metrics' timestamp), seconds since the epoch
 * @param window           {@code label_window}, e.g. {@code 1h}
 * @param maturitySeconds  the window's maturity in seconds, for ordering windows; null if the name is not a duration
 * @param sequence         when the dashboard read it: the history's generation after adding it (see
 *                         {@link BucketHistory#labelWindows}); 0 outside a history
 * @param labeledRows      {@code labeled_rows}
 * @param coverage         {@code label_coverage}
 * @param delaySeconds     {@code label_delay_seconds} by {@code stat}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LabelWindowView(ModelRef model, long start, String window, Long maturitySeconds, long sequence,
                              long labeledRows, Double coverage, Map<String, Double> delaySeconds,
                              Double accuracy, Double expectedAccuracy, Double f1Macro, Double f1Weighted,
                              Double logLoss, Double brierScore, Double rocAuc, Double calibrationError,
                              Double mae, Double rmse, Double mape, Double r2) {

    /** Reads a label window's metrics (a {@link MetricGroup} whose {@code labelWindow} is set). */
    public static LabelWindowView of(MetricGroup group) {
        if (!group.isLabelWindow() || group.model() == null) {
            throw new IllegalArgumentException("not a model's label window");
        }
        long labeled = 0;
        Map<String, Double> delay = new LinkedHashMap<>();
        // only the window-wide values: per-class ones (class property) of the same name are skipped
        Map<String, Double> overall = new LinkedHashMap<>();
        for (AnodotMetric m : group.metrics()) {
            if (m.what().equals("labeled_rows")) {
                labeled = (long) m.value();
            } else if (m.what().equals("label_delay_seconds")) {
                delay.put(m.property("stat"), m.value());
            } else if (m.property("class") == null) {
                overall.put(m.what(), m.value());
            }
        }
        return new LabelWindowView(group.model(), group.startSeconds(), group.labelWindow(),
                maturitySeconds(group.labelWindow()), 0, labeled, overall.get("label_coverage"), delay,
                overall.get("accuracy"), overall.get("expected_accuracy"), overall.get("f1_macro"),
                overall.get("f1_weighted"), overall.get("log_loss"), overall.get("brier_score"),
                overall.get("roc_auc"), overall.get("expected_calibration_error"), overall.get("mae"),
                overall.get("rmse"), overall.get("mape"), overall.get("r2"));
    }

    /** The same window, stamped with the history generation at which it was read. */
    LabelWindowView withSequence(long sequence) {
        return new LabelWindowView(model, start, window, maturitySeconds, sequence, labeledRows, coverage,
                delaySeconds, accuracy, expectedAccuracy, f1Macro, f1Weighted, logLoss, brierScore, rocAuc,
                calibrationError, mae, rmse, mape, r2);
    }

    /** Whether this window scored regression predictions (it has an error, no accuracy). */
    @JsonIgnore
    public boolean isRegression() {
        return accuracy == null && mae != null;
    }

    /** {@code 1h} as 3600, the names {@code LabelSettings.name} writes; null for anything else. */
    static Long maturitySeconds(String window) {
        try {
            return Durations.parse(window).toSeconds();
        } catch (IllegalArgumentException notADuration) {
            return null;
        }
    }
}
