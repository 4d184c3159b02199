package io.infermon.processor.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class DistributionSummaryTest {

    /** The 30 columns of the breast-cancer data: real values of very different scales (0.0008 to 4254). */
    static double[][] breastCancerColumns() throws Exception {
        List<double[]> rows = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                DistributionSummaryTest.class.getResourceAsStream("/datasets/breast_cancer.csv"),
                StandardCharsets.US_ASCII))) {
            r.readLine();
            for (String line; (line = r.readLine()) != null; ) {
                rows.add(Arrays.stream(line.split(",")).limit(30).mapToDouble(Double::parseDouble).toArray());
            }
        }
        double[][] cols = new double[30][rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            for (int j = 0; j < 30; j++) {
                cols[j][i] = rows.get(i)[j];
            }
        }
        return cols;
    }

    @Test
    void momentsMatchATwoPassComputationOnRealData() throws Exception {
        for (double[] column : breastCancerColumns()) {
            DistributionSummary s = new DistributionSummary();
            for (double x : column) {
                s.add(x);
            }
            double mean = Arrays.stream(column).sum() / column.length;
            double var = Arrays.stream(column).map(x -> (x - mean) * (x - mean)).sum() / column.length;
            assertThat(s.count()).isEqualTo(569);
            assertThat(s.mean()).isCloseTo(mean, within(1e-9 * Math.abs(mean)));
            assertThat(s.std()).isCloseTo(Math.sqrt(var), within(1e-9 * Math.sqrt(var)));
            assertThat(s.min()).isEqualTo(Arrays.stream(column).min().orElseThrow());
            assertThat(s.max()).isEqualTo(Arrays.stream(column).max().orElseThrow());
            assertThat(s.range()).isEqualTo(s.max() - s.min());
        }
    }

    @Test
    void quantilesAreWithinTheStatedRankError() throws Exception {
        double eps = DistributionSummary.rankError();
        assertThat(eps).isCloseTo(0.0133, within(0.00005)); // the bound docs/metrics.md states for k = 200
        for (double[] column : breastCancerColumns()) {
            DistributionSummary s = new DistributionSummary();
            for (double x : column) {
                s.add(x);
            }
            for (double q : new double[] {0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99}) {
                double v = s.quantile(q);
                long below = Arrays.stream(column).filter(x -> x < v).count();
                long atOrBelow = Arrays.stream(column).filter(x -> x <= v).count();
                assertThat(q).isBetween((double) below / column.length - eps,
                        (double) atOrBelow / column.length + eps);
            }
        }
    }

    @Test
    void upToTheSketchSizeQuantilesAreExactByTheInclusiveRule() {
        DistributionSummary s = new DistributionSummary();
        for (int i = 10; i >= 1; i--) {
            s.add(i);
        }
        // inclusive rule: the smallest value whose share of values <= it reaches q
        assertThat(s.quantile(0.25)).isEqualTo(3);
        assertThat(s.quantile(0.5)).isEqualTo(5);
        assertThat(s.quantile(0.75)).isEqualTo(8);
        assertThat(s.quantile(1.0)).isEqualTo(10);
    }

    @Test
    void mergingEqualsSummarizingEverythingAtOnce() throws Exception {
        double[] column = breastCancerColumns()[3]; // area: values in the hundreds and thousands
        DistributionSummary whole = new DistributionSummary();
        DistributionSummary first = new DistributionSummary();
        DistributionSummary second = new DistributionSummary();
        for (int i = 0; i < column.length; i++) {
            whole.add(column[i]);
            (i < 200 ? first : second).add(column[i]);
        }
        first.merge(second);
        assertThat(first.count()).isEqualTo(whole.count());
        assertThat(first.mean()).isCloseTo(whole.mean(), within(1e-9 * whole.mean()));
        assertThat(first.std()).isCloseTo(whole.std(), within(1e-9 * whole.std()));
        assertThat(first.min()).isEqualTo(whole.min());
        assertThat(first.max()).isEqualTo(whole.max());
        DistributionSummary empty = new DistributionSummary();
        empty.merge(whole);
        assertThat(empty.mean()).isEqualTo(whole.mean());
    }

    @Test
    void anEmptySummaryHasNoStatistics() {
        DistributionSummary s = new DistributionSummary();
        assertThat(s.mean()).isNaN();
        assertThat(s.std()).isNaN();
        assertThat(s.quantile(0.5)).isNaN();
    }
}
