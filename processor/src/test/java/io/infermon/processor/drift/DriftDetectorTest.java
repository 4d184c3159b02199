package io.infermon.processor.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.infermon.processor.Datasets;
import io.infermon.processor.stats.BucketStatistics;
import io.infermon.processor.stats.DistributionSummary;
import io.infermon.processor.stats.DriftReport;
import io.infermon.processor.stats.FeatureDrift;
import io.infermon.processor.stats.Textbook;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.commons.numbers.gamma.RegularizedGamma;
import org.junit.jupiter.api.Test;

/** Drift measures checked against textbook computations over the raw values. */
class DriftDetectorTest {

    /** The statistics of these feature rows, as one bucket holds them. */
    static BucketStatistics profile(double[][] rows) {
        BucketStatistics s = new BucketStatistics();
        for (double[] r : rows) {
            s.addFeatureRow(r);
        }
        return s;
    }

    // ---- textbook versions, written from the definitions over raw arrays ----

    /** Reference deciles by the inverted-CDF rule, duplicates dropped. */
    static double[] edges(double[] ref) {
        return Arrays.stream(new double[] {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9})
                .map(q -> Textbook.quantile(ref, q)).distinct().sorted().toArray();
    }

    static double[] shares(double[] x, double[] edges) {
        double[] s = new double[edges.length + 1];
        for (double v : x) {
            int bin = 0;
            while (bin < edges.length && v > edges[bin]) {
                bin++;
            }
            s[bin]++;
        }
        for (int i = 0; i < s.length; i++) {
            s[i] /= x.length;
        }
        return s;
    }

    static double psi(double[] r, double[] c) {
        double sum = 0;
        for (int i = 0; i < r.length; i++) {
            double a = Math.max(r[i], 1e-4);
            double b = Math.max(c[i], 1e-4);
            sum += (b - a) * Math.log(b / a);
        }
        return sum;
    }

    static double js(double[] p, double[] q) {
        double kl1 = 0;
        double kl2 = 0;
        for (int i = 0; i < p.length; i++) {
            double m = 0.5 * (p[i] + q[i]);
            kl1 += p[i] == 0 ? 0 : p[i] * Math.log(p[i] / m);
            kl2 += q[i] == 0 ? 0 : q[i] * Math.log(q[i] / m);
        }
        return Math.sqrt((kl1 + kl2) / 2 / Math.log(2));
    }

    static double ks(double[] a, double[] b) {
        double d = 0;
        for (double v : concat(a, b)) {
            d = Math.max(d, Math.abs(Textbook.cdf(a, v) - Textbook.cdf(b, v)));
        }
        return d;
    }

    /** W1 between empirical distributions as the integral of |F - G| over the sorted pooled values. */
    static double wasserstein(double[] a, double[] b) {
        double[] all = concat(a, b);
        Arrays.sort(all);
        double w = 0;
        for (int i = 0; i + 1 < all.length; i++) {
            w += Math.abs(Textbook.cdf(a, all[i]) - Textbook.cdf(b, all[i])) * (all[i + 1] - all[i]);
        }
        return w;
    }

    static double[] concat(double[] a, double[] b) {
        double[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    // ---- the tests ----

    @Test
    void onDigitsEveryMeasureEqualsTheTextbookValue() {
        double[][] digits = Datasets.digits();
        double[][] firstHalf = Arrays.copyOfRange(digits, 0, 900);
        double[][] secondHalf = Arrays.copyOfRange(digits, 900, digits.length);
        DriftDetector detector = new DriftDetector(profile(firstHalf), DriftSettings.DEFAULTS);
        for (double[][] current : new double[][][] {secondHalf, Datasets.inverted(secondHalf)}) {
            DriftReport report = detector.compare(profile(current));
            assertThat(report.features()).hasSize(64);
            for (FeatureDrift d : report.features()) {
                double[] ref = Datasets.column(firstHalf, d.feature());
                double[] cur = Datasets.column(current, d.feature());
                double[] e = edges(ref);
                double[] rs = shares(ref, e);
                double[] cs = shares(cur, e);
                double std = Textbook.std(ref);
                Map<String, Double> m = d.measures();
                assertThat(m.get("psi")).as("psi of feature %d", d.feature()).isCloseTo(psi(rs, cs), within(1e-9));
                // compared squared: near zero the square root turns rounding noise of 1e-16 into 1e-8
                assertThat(m.get("js") * m.get("js")).as("js of feature %d", d.feature())
                        .isCloseTo(js(rs, cs) * js(rs, cs), within(1e-12));
                assertThat(m.get("ks")).isCloseTo(ks(ref, cur), within(1e-9));
                assertThat(m.get("wasserstein")).isCloseTo(wasserstein(ref, cur) / (std > 0 ? std : 1), within(1e-9));
                assertThat(d.detected()).isEqualTo(m.get("psi") > 0.2);
            }
        }
    }

    @Test
    void cleanDigitsDoNotDriftAndInvertedDigitsDo() {
        double[][] digits = Datasets.digits();
        DriftDetector detector = new DriftDetector(profile(digits), DriftSettings.DEFAULTS);
        DriftReport clean = detector.compare(profile(digits));
        assertThat(clean.features()).noneMatch(FeatureDrift::detected);
        assertThat(clean.driftShare()).isZero();
        DriftReport inverted = detector.compare(profile(Datasets.inverted(digits)));
        // pixels whose counts are spread evenly over 0..16 look alike mirrored; the rest (most) drift
        assertThat(inverted.driftShare()).isGreaterThan(0.75);
    }

    /** {@code n} rows drawn without replacement, the same ones every run. */
    private static double[][] draw(double[][] rows, int n, long seed) {
        List<double[]> all = new ArrayList<>(Arrays.asList(rows));
        Collections.shuffle(all, new Random(seed));
        return all.subList(0, n).toArray(double[][]::new);
    }

    @Test
    void smallBucketsAreMeasuredButNotJudged() {
        double[][] digits = Datasets.digits();
        BucketStatistics reference = profile(digits);
        // 40 rows drawn from the training data itself: nothing drifted, yet a sample this small crosses PSI 0.2 by
        // chance (an empty bin alone, floored at 1e-4, adds r ln(r / 1e-4))
        double[][] small = draw(digits, 40, 40);
        DriftReport unguarded = new DriftDetector(reference, new DriftSettings("psi", 0.2, 1)).compare(profile(small));
        assertThat(unguarded.driftShare()).as("share of 40 undrifted rows judged anyway").isGreaterThan(0.1);

        DriftReport guarded = new DriftDetector(reference, DriftSettings.DEFAULTS).compare(profile(small));
        assertThat(guarded.features()).hasSize(64).noneMatch(FeatureDrift::judged).noneMatch(FeatureDrift::detected);
        assertThat(guarded.driftShare()).isNaN();
        for (int j = 0; j < 64; j++) {
            assertThat(guarded.features().get(j).measures()).as("feature %d still measured", j)
                    .isEqualTo(unguarded.features().get(j).measures());
        }

        // from 100 rows on, a bucket is judged; 100 undrifted rows flag few features, inverted ones most
        double[][] enough = draw(digits, 100, 100);
        DriftDetector detector = new DriftDetector(reference, DriftSettings.DEFAULTS);
        DriftReport clean = detector.compare(profile(enough));
        assertThat(clean.features()).allMatch(FeatureDrift::judged);
        assertThat(clean.driftShare()).isLessThan(0.1);
        assertThat(detector.compare(profile(Datasets.inverted(enough))).driftShare()).isGreaterThan(0.75);
    }

    @Test
    void onContinuousDataTheSketchedMeasuresStayWithinTheRankErrorBound() {
        double[][] cancer = Datasets.breastCancer();
        double[][] first = Arrays.copyOfRange(cancer, 0, 284);
        double[][] second = Arrays.copyOfRange(cancer, 284, cancer.length);
        BucketStatistics ref = profile(first);
        BucketStatistics cur = profile(second);
        DriftReport report = new DriftDetector(ref, new DriftSettings("ks", 0.1, DriftSettings.DEFAULT_MIN_ROWS)).compare(cur);
        double eps = DistributionSummary.rankError();
        int sketched = 0;
        for (FeatureDrift d : report.features()) {
            double[] a = Datasets.column(first, d.feature());
            double[] b = Datasets.column(second, d.feature());
            sketched += ref.features().get(d.feature()).values().isExact() ? 0 : 1;
            // each CDF is within eps of the truth, so their distance is within 2 eps of the true distance
            assertThat(d.measures().get("ks")).isCloseTo(ks(a, b), within(2 * eps));
            double range = Math.max(Arrays.stream(a).max().orElseThrow(), Arrays.stream(b).max().orElseThrow())
                    - Math.min(Arrays.stream(a).min().orElseThrow(), Arrays.stream(b).min().orElseThrow());
            assertThat(d.measures().get("wasserstein"))
                    .isCloseTo(wasserstein(a, b) / Textbook.std(a), within(2 * eps * range / Textbook.std(a)));
            assertThat(d.detected()).isEqualTo(d.measures().get("ks") > 0.1);
        }
        assertThat(sketched).as("features beyond exact counting").isGreaterThan(20);
    }

    @Test
    void classSharesAreComparedWithChiSquare() {
        long[] observed = {180, 170, 200, 150, 190, 160, 185, 175, 195, 192};
        double[] reference = {0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1};
        long n = Arrays.stream(observed).sum();
        double chi2 = 0;
        for (int i = 0; i < 10; i++) {
            double e = n * reference[i];
            chi2 += Math.pow(observed[i] - e, 2) / e;
        }
        assertThat(DriftMeasures.chiSquare(observed, reference)).isCloseTo(chi2, within(1e-9));
        // p-value: upper tail of chi-square with 9 degrees of freedom, via the regularized gamma function
        double p = RegularizedGamma.Q.value(4.5, chi2 / 2);
        BucketStatistics refStats = new BucketStatistics();
        BucketStatistics curStats = new BucketStatistics();
        addClasses(refStats, new long[] {100, 100, 100, 100, 100, 100, 100, 100, 100, 100});
        addClasses(curStats, observed);
        Map<String, Double> m = new DriftDetector(refStats, DriftSettings.DEFAULTS).compare(curStats).predictions()
                .get(DriftDetector.CLASS_SHARE);
        assertThat(m.get("chi2")).isCloseTo(chi2, within(1e-9));
        assertThat(m.get("chi2_p")).isCloseTo(p, within(1e-12));
    }

    private static void addClasses(BucketStatistics s, long[] counts) {
        int total = (int) Arrays.stream(counts).sum();
        double[] ids = new double[total];
        int k = 0;
        for (int c = 0; c < counts.length; c++) {
            for (long i = 0; i < counts[c]; i++) {
                ids[k++] = c;
            }
        }
        s.add(io.infermon.processor.Records.record(0, "m", io.infermon.processor.stats.PredictionSummaryTestAccess
                .classIds(ids)));
    }
}
