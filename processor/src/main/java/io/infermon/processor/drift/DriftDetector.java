package io.infermon.processor.drift;

import io.infermon.processor.stats.BucketStatistics;
import io.infermon.processor.stats.DistributionSummary;
import io.infermon.processor.stats.FeatureSummary;
import io.infermon.processor.stats.DriftReport;
import io.infermon.processor.stats.FeatureDrift;
import io.infermon.processor.stats.StepCdf;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.statistics.distribution.ChiSquaredDistribution;

/**
 * Compares buckets with one model's reference profile. The reference side (CDFs, bin edges, shares) is computed once.
 */
public final class DriftDetector {
    public static final String MAX_PREDICTION_PROBA = "max_prediction_proba";
    public static final String PREDICTION_VALUE = "prediction_value";
    public static final String CLASS_SHARE = "class_share";

    private record Side(StepCdf cdf, double[] edges, double[] shares, double std) {
        static Side of(DistributionSummary d) {
            StepCdf cdf = d.cdf();
            double[] edges = DriftMeasures.decileEdges(cdf);
            return new Side(cdf, edges, DriftMeasures.binShares(cdf, edges), d.std());
        }
    }

    private final DriftSettings settings;
    private final List<Side> features = new ArrayList<>();
    private final Side maxProbability;
    private final Side values;
    private final double[] classShares;

    public DriftDetector(BucketStatistics reference, DriftSettings settings) {
        this.settings = settings;
        for (FeatureSummary f : reference.features()) {
            features.add(f.count() == 0 ? null : Side.of(f.values()));
        }
        DistributionSummary pred1 = reference.predictions().maxProbability();
        maxProbability = pred1.count() == 0 ? null : Side.of(pred1);
        DistributionSummary v = reference.predictions().values();
        values = v.count() == 0 ? null : Side.of(v);
        long[] counts = reference.predictions().classCounts();
        long n = reference.predictions().predictedRows();
        classShares = new double[n == 0 ? 0 : counts.length];
        for (int c = 0; c < classShares.length; c++) {
            classShares[c] = (double) counts[c] / n;
        }
    }

    public DriftReport compare(BucketStatistics bucket) {
        List<FeatureDrift> drifts = new ArrayList<>();
        List<FeatureSummary> current = bucket.features();
        for (int j = 0; j < Math.min(features.size(), current.size()); j++) {
            Side ref = features.get(j);
            if (ref == null || current.get(j).count() == 0) {
                continue;
            }
            Map<String, Double> m = measures(ref, current.get(j).values().cdf());
            boolean judged = current.get(j).count() >= settings.minRows();
            drifts.add(new FeatureDrift(j, m, judged, judged && m.get(settings.method()) > settings.threshold()));
        }
        Map<String, Map<String, Double>> predictions = new LinkedHashMap<>();
        DistributionSummary pred1 = bucket.predictions().maxProbability();
        if (maxProbability != null && pred1.count() > 0) {
            predictions.put(MAX_PREDICTION_PROBA, measures(maxProbability, pred1.cdf()));
        }
        DistributionSummary v = bucket.predictions().values();
        if (values != null && v.count() > 0) {
            predictions.put(PREDICTION_VALUE, measures(values, v.cdf()));
        }
        long n = bucket.predictions().predictedRows();
        if (classShares.length > 0 && n > 0) {
            predictions.put(CLASS_SHARE, classShareMeasures(bucket.predictions().classCounts(), n));
        }
        return new DriftReport(drifts, predictions);
    }

    private static Map<String, Double> measures(Side ref, StepCdf cur) {
        double[] shares = DriftMeasures.binShares(cur, ref.edges());
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("psi", DriftMeasures.psi(ref.shares(), shares));
        m.put("js", DriftMeasures.jensenShannon(ref.shares(), shares));
        m.put("ks", DriftMeasures.kolmogorovSmirnov(ref.cdf(), cur));
        double w1 = DriftMeasures.wasserstein1(ref.cdf(), cur);
        m.put("wasserstein", ref.std() > 0 ? w1 / ref.std() : w1);
        return m;
    }

    private Map<String, Double> classShareMeasures(long[] counts, long n) {
        int k = Math.max(counts.length, classShares.length);
        double[] ref = java.util.Arrays.copyOf(classShares, k);
        double[] cur = new double[k];
        for (int c = 0; c < counts.length; c++) {
            cur[c] = (double) counts[c] / n;
        }
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("psi", DriftMeasures.psi(ref, cur));
        m.put("js", DriftMeasures.jensenShannon(ref, cur));
        double chi2 = DriftMeasures.chiSquare(counts, ref);
        m.put("chi2", chi2);
        if (k > 1) {
            m.put("chi2_p", ChiSquaredDistribution.of(k - 1).survivalProbability(chi2));
        }
        return m;
    }
}
