package io.infermon.processor.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.infermon.processor.Datasets;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.junit.jupiter.api.Test;

/**
 * The compact sketch form of profile format 2 against the promise docs/profile-format.md and docs/metrics.md make:
 * a decoded sketch answers each quantile within (max - min) / 2^17 of the full sketch's answer, so a reported quantile
 * is within that much of a value whose true rank keeps KLL's bound; and decoding and re-encoding, as the fleet
 * aggregator does for every host profile, adds no error beyond one encoding on the widest range.
 */
class CompactKllTest {
    /** The stated value bound, as a share of the range: 2^-17. */
    private static final double VALUE_BOUND = 1.0 / (1 << 17);

    /**
     * Real continuous columns: the 64 digits pixels plus each a fixed offset from [0, 1) (10,000 values cycling
     * through the 1,797 rows, as a bucket of FleetMergeBenchmark's jittered traffic) and the breast-cancer columns.
     */
    static List<double[]> continuousColumns() {
        List<double[]> columns = new ArrayList<>();
        double[][] digits = Datasets.digits();
        SplittableRandom random = new SplittableRandom(17);
        double[][] jittered = new double[digits.length][64];
        for (int r = 0; r < digits.length; r++) {
            for (int j = 0; j < 64; j++) {
                jittered[r][j] = digits[r][j] + random.nextDouble();
            }
        }
        for (int j = 0; j < 64; j++) {
            double[] column = new double[10_000];
            for (int i = 0; i < column.length; i++) {
                column[i] = jittered[i % digits.length][j];
            }
            columns.add(column);
        }
        double[][] cancer = Datasets.breastCancer();
        for (int j = 0; j < 30; j++) {
            columns.add(Datasets.column(cancer, j));
        }
        return columns;
    }

    static DistributionSummary summarize(double[] values) {
        DistributionSummary s = new DistributionSummary();
        for (double v : values) {
            s.add(v);
        }
        return s;
    }

    static byte[] bytes(DistributionSummary s) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        s.writeTo(new DataOutputStream(out), SketchForm.COMPACT);
        return out.toByteArray();
    }

    static DistributionSummary read(byte[] bytes) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        DistributionSummary s = DistributionSummary.readFrom(in);
        assertThat(in.available()).isZero();
        return s;
    }

    /** The form byte: after count, mean, m2, min and max (5 × 8 bytes). */
    static int form(byte[] bytes) {
        return bytes[40];
    }

    @Test
    void decodedQuantilesAreWithinTheStatedValueErrorOfTheFullSketch() throws Exception {
        int sketched = 0;
        for (double[] column : continuousColumns()) {
            DistributionSummary full = summarize(column);
            if (full.isExact()) {
                continue;
            }
            sketched++;
            byte[] bytes = bytes(full);
            assertThat(form(bytes)).isEqualTo(2);
            DistributionSummary back = read(bytes);
            assertThat(back.isExact()).isFalse();
            assertThat(back.count()).isEqualTo(full.count());
            assertThat(back.mean()).isEqualTo(full.mean());
            assertThat(back.std()).isEqualTo(full.std());
            assertThat(back.min()).isEqualTo(full.min());
            assertThat(back.max()).isEqualTo(full.max());
            double bound = (full.max() - full.min()) * VALUE_BOUND;
            for (int i = 0; i <= 1000; i++) {
                double q = i / 1000.0;
                assertThat(Math.abs(back.quantile(q) - full.quantile(q))).as("q %s", q).isLessThanOrEqualTo(bound);
            }
            assertThat(back.quantile(0)).isEqualTo(full.min());
            assertThat(back.quantile(1)).isEqualTo(full.max());
        }
        // all 64 jittered pixels and the breast-cancer columns of more than 256 distinct values
        assertThat(sketched).isGreaterThan(64 + 20);
    }

    @Test
    void decodedQuantilesKeepTheRankBoundAgainstTheTrueValues() throws Exception {
        double eps = DistributionSummary.rankError();
        for (double[] column : continuousColumns()) {
            DistributionSummary full = summarize(column);
            if (full.isExact()) {
                continue;
            }
            DistributionSummary back = read(bytes(full));
            double delta = (full.max() - full.min()) * VALUE_BOUND;
            double[] sorted = column.clone();
            Arrays.sort(sorted);
            for (double q : new double[] {0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99}) {
                // the reported value is within delta of one whose true rank is within eps of q
                double v = back.quantile(q);
                double below = (double) countBelow(sorted, v - delta) / sorted.length;
                double atOrBelow = (double) countAtOrBelow(sorted, v + delta) / sorted.length;
                assertThat(q).as("q %s", q).isBetween(below - eps, atOrBelow + eps);
            }
        }
    }

    @Test
    void reEncodingOnWiderRangesGivesWhatOneEncodingOnTheWidestGives() throws Exception {
        // fewer items than k, so that KLL keeps every one and the items can be compared one by one
        double[] area = Datasets.column(Datasets.breastCancer(), 3);
        double[] values = Arrays.copyOf(area, 190);
        KllDoublesSketch held = null;
        for (int host = 0; host < 10; host++) {
            KllDoublesSketch incoming = KllDoublesSketch.newHeapInstance(DistributionSummary.SKETCH_K);
            for (int i = host * 19; i < (host + 1) * 19; i++) {
                incoming.update(values[i]);
            }
            // what the fleet aggregator does with each host's bucket: decode the held merge, merge, encode
            if (held == null) {
                held = CompactKll.decode(CompactKll.encode(incoming));
            } else {
                held.merge(CompactKll.decode(CompactKll.encode(incoming)));
                held = CompactKll.decode(CompactKll.encode(held));
            }
        }
        KllDoublesSketch all = KllDoublesSketch.newHeapInstance(DistributionSummary.SKETCH_K);
        for (double v : values) {
            all.update(v);
        }
        KllDoublesSketch once = CompactKll.decode(CompactKll.encode(all));
        assertThat(held.getN()).isEqualTo(values.length);
        assertThat(items(held)).containsExactly(items(once));
        // the grid did move the items (else the comparison above would prove nothing)
        double[] original = items(all);
        double[] decoded = items(once);
        assertThat(decoded).hasSize(values.length).isNotEqualTo(original);
        double bound = (all.getMaxItem() - all.getMinItem()) * VALUE_BOUND;
        for (int i = 0; i < original.length; i++) {
            assertThat(Math.abs(decoded[i] - original[i])).isLessThanOrEqualTo(bound);
        }
    }

    @Test
    void aDecodedSketchEncodesToTheSameBytes() throws Exception {
        for (double[] column : continuousColumns().subList(60, 70)) {
            DistributionSummary full = summarize(column);
            byte[] once = bytes(full);
            assertThat(bytes(read(once))).isEqualTo(once);
        }
    }

    @Test
    void aCompactSketchIsAboutASixthOfTheFullForm() throws Exception {
        double[] column = continuousColumns().get(36);
        DistributionSummary full = summarize(column);
        byte[] compact = bytes(full);
        KllDoublesSketch sketch = KllDoublesSketch.newHeapInstance(DistributionSummary.SKETCH_K);
        for (double v : column) {
            sketch.update(v);
        }
        // the 45 bytes before the sketch and its i32 length are the same in both forms
        assertThat(compact.length - 45).isLessThan(sketch.toByteArray().length / 5);
    }

    @Test
    void theFullFormForCheckpointsGivesBackTheVerySketch() throws Exception {
        DistributionSummary full = summarize(continuousColumns().get(36));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        full.writeTo(new DataOutputStream(out), SketchForm.FULL);
        byte[] bytes = out.toByteArray();
        assertThat(form(bytes)).isEqualTo(1);
        DistributionSummary back = read(bytes);
        for (int i = 0; i <= 1000; i++) {
            assertThat(back.quantile(i / 1000.0)).isEqualTo(full.quantile(i / 1000.0));
        }
    }

    @Test
    void aLargeGapBetweenClustersDecodesWhereverItsRunOfOnesEnds() throws Exception {
        // two clusters of values 1e-6 apart, far from each other: the Rice parameter fits the small gaps, so the gap
        // between the clusters is a run of thousands of ones; 500 variants end such runs at every position of the
        // reader's 64-bit buffer, and the second cluster's items after it show any bit the run left behind
        for (int variant = 0; variant < 500; variant++) {
            KllDoublesSketch sketch = KllDoublesSketch.newHeapInstance(DistributionSummary.SKETCH_K);
            for (int i = 0; i < 50 + variant / 5; i++) {
                sketch.update(1 + i * 1e-6);
            }
            for (int i = 0; i < 40; i++) {
                sketch.update(1 + (1 + variant % 5) * 0.01 + i * 1e-6);
            }
            KllDoublesSketch back = CompactKll.decode(CompactKll.encode(sketch));
            double bound = (sketch.getMaxItem() - sketch.getMinItem()) * VALUE_BOUND;
            double[] original = items(sketch);
            double[] decoded = items(back);
            for (int i = 0; i < original.length; i++) {
                assertThat(Math.abs(decoded[i] - original[i])).isLessThanOrEqualTo(bound);
            }
        }
    }

    @Test
    void aSketchOfOneRepeatedValueKeepsIt() throws Exception {
        KllDoublesSketch sketch = KllDoublesSketch.newHeapInstance(DistributionSummary.SKETCH_K);
        for (int i = 0; i < 5000; i++) {
            sketch.update(3.25);
        }
        KllDoublesSketch back = CompactKll.decode(CompactKll.encode(sketch));
        assertThat(back.getN()).isEqualTo(5000);
        assertThat(back.getNumRetained()).isEqualTo(sketch.getNumRetained());
        assertThat(back.getQuantile(0.5)).isEqualTo(3.25);
    }

    @Test
    void sketchesTheCompactFormCannotHoldGoOutInTheFullForm() throws Exception {
        // max - min overflows: no grid over that range; DataSketches' own form keeps every item as it is
        DistributionSummary huge = new DistributionSummary();
        for (int i = 0; i < 600; i++) {
            huge.add((i - 300) * 5e305);
        }
        byte[] bytes = bytes(huge);
        assertThat(form(bytes)).isEqualTo(1);
        DistributionSummary back = read(bytes);
        for (double q : new double[] {0, 0.1, 0.5, 0.9, 1}) {
            assertThat(back.quantile(q)).isEqualTo(huge.quantile(q));
        }
    }

    @Test
    void damagedCompactSketchesAreRefused() {
        KllDoublesSketch sketch = KllDoublesSketch.newHeapInstance(DistributionSummary.SKETCH_K);
        double[] column = continuousColumns().get(20);
        for (double v : column) {
            sketch.update(v);
        }
        byte[] good = CompactKll.encode(sketch);
        assertThatThrownBy(() -> CompactKll.decode(Arrays.copyOf(good, good.length - 3)))
                .isInstanceOf(IOException.class).hasMessageContaining("ends early");
        assertThatThrownBy(() -> CompactKll.decode(Arrays.copyOf(good, good.length + 2)))
                .isInstanceOf(IOException.class).hasMessageContaining("unexpected bytes");
    }

    /** The retained items, sorted (a sorted view would add min and max where no item equals them). */
    private static double[] items(KllDoublesSketch sketch) {
        double[] items = new double[sketch.getNumRetained()];
        var it = sketch.iterator();
        for (int i = 0; it.next(); i++) {
            items[i] = it.getQuantile();
        }
        Arrays.sort(items);
        return items;
    }

    private static int countBelow(double[] sorted, double v) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < v) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private static int countAtOrBelow(double[] sorted, double v) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] <= v) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
