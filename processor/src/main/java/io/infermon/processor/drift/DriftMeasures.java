package io.infermon.processor.drift;

import io.infermon.processor.stats.StepCdf;
import java.util.Arrays;

/**
 * The drift measures between a reference distribution and a bucket's, each defined in docs/metrics.md. They work on
 * step CDFs ({@link StepCdf}) and on bin shares, so the same code serves exact summaries and sketches.
 */
public final class DriftMeasures {
    /** Shares below this are raised to it before PSI, so an empty bin gives a large but finite term. */
    public static final double SHARE_FLOOR = 1e-4;
    private static final double LN2 = Math.log(2);

    private DriftMeasures() {
    }

    /**
     * The PSI/JS bin edges: the reference's deciles (inverted-CDF rule), duplicates removed. Bins are
     * {@code (-inf, e1], (e1, e2], ..., (ek, +inf)}, so a feature with few distinct values gets fewer bins.
     */
    public static double[] decileEdges(StepCdf reference) {
        double[] edges = new double[9];
        int k = 0;
        for (int i = 1; i <= 9; i++) {
            double e = reference.quantile(i / 10.0);
            if (k == 0 || e > edges[k - 1]) {
                edges[k++] = e;
            }
        }
        return Arrays.copyOf(edges, k);
    }

    /** The share of a distribution in each bin defined by {@code edges} (length edges + 1, sums to 1). */
    public static double[] binShares(StepCdf d, double[] edges) {
        double[] shares = new double[edges.length + 1];
        double previous = 0;
        for (int i = 0; i < edges.length; i++) {
            double f = d.at(edges[i]);
            shares[i] = f - previous;
            previous = f;
        }
        shares[edges.length] = 1 - previous;
        return shares;
    }

    /** Population stability index: {@code sum((c - r) * ln(c / r))}, shares floored at {@link #SHARE_FLOOR}. */
    public static double psi(double[] reference, double[] current) {
        double psi = 0;
        for (int i = 0; i < reference.length; i++) {
            double r = Math.max(reference[i], SHARE_FLOOR);
            double c = Math.max(current[i], SHARE_FLOOR);
            psi += (c - r) * Math.log(c / r);
        }
        return psi;
    }

    /**
     * Jensen-Shannon distance with base-2 logarithms: the square root of
     * {@code (KL(p || m) + KL(q || m)) / 2} where {@code m = (p + q) / 2}; between 0 and 1.
     */
    public static double jensenShannon(double[] p, double[] q) {
        double js = 0;
        for (int i = 0; i < p.length; i++) {
            double m = (p[i] + q[i]) / 2;
            if (p[i] > 0) {
                js += p[i] * Math.log(p[i] / m) / LN2 / 2;
            }
            if (q[i] > 0) {
                js += q[i] * Math.log(q[i] / m) / LN2 / 2;
            }
        }
        return Math.sqrt(Math.max(0, js));
    }

    /** Kolmogorov-Smirnov statistic: the largest distance between the two CDFs. */
    public static double kolmogorovSmirnov(StepCdf a, StepCdf b) {
        double d = 0;
        for (double x : a.values()) {
            d = Math.max(d, Math.abs(a.at(x) - b.at(x)));
        }
        for (double x : b.values()) {
            d = Math.max(d, Math.abs(a.at(x) - b.at(x)));
        }
        return d;
    }

    /**
     * Wasserstein-1 (earth mover's) distance: the area between the two CDFs, {@code integral |A(x) - B(x)| dx},
     * exact for step functions.
     */
    public static double wasserstein1(StepCdf a, StepCdf b) {
        double[] xs = union(a.values(), b.values());
        double area = 0;
        for (int i = 0; i + 1 < xs.length; i++) {
            area += Math.abs(a.at(xs[i]) - b.at(xs[i])) * (xs[i + 1] - xs[i]);
        }
        return area;
    }

    /**
     * Pearson's chi-square statistic of observed counts against the reference's shares:
     * {@code sum((o - e)^2 / e)} with {@code e = n * share}, shares floored at {@link #SHARE_FLOOR}.
     */
    public static double chiSquare(long[] observed, double[] referenceShares) {
        long n = 0;
        for (long o : observed) {
            n += o;
        }
        int k = Math.max(observed.length, referenceShares.length);
        double chi2 = 0;
        for (int i = 0; i < k; i++) {
            double o = i < observed.length ? observed[i] : 0;
            double e = n * Math.max(i < referenceShares.length ? referenceShares[i] : 0, SHARE_FLOOR);
            chi2 += (o - e) * (o - e) / e;
        }
        return chi2;
    }

    private static double[] union(double[] a, double[] b) {
        double[] all = new double[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        Arrays.sort(all);
        int k = 0;
        for (int i = 0; i < all.length; i++) {
            if (k == 0 || all[i] != all[k - 1]) {
                all[k++] = all[i];
            }
        }
        return Arrays.copyOf(all, k);
    }
}
