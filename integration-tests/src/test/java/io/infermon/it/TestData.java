package io.infermon.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * The data sets and the apps' reports, parsed independently of the code under test, for computing expected values
 * the straightforward way (two-pass mean and variance in double, exact ranks by sorting).
 */
final class TestData {
    private TestData() {
    }

    /** Columns of the features as the apps feed them (float32 values, widened to double). */
    static double[][] digitsColumns() throws IOException {
        return columns(read("/datasets/digits.csv.gz", true, false));
    }

    static double[][] breastCancerColumns() throws IOException {
        return columns(read("/datasets/breast_cancer.csv", false, true));
    }

    private static List<float[]> read(String resource, boolean gzip, boolean header) throws IOException {
        try (InputStream raw = TestData.class.getResourceAsStream(resource)) {
            BufferedReader r = new BufferedReader(new InputStreamReader(gzip ? new GZIPInputStream(raw) : raw,
                    StandardCharsets.US_ASCII));
            if (header) {
                r.readLine();
            }
            List<float[]> rows = new ArrayList<>();
            for (String line; (line = r.readLine()) != null; ) {
                if (!line.isBlank()) {
                    String[] cells = line.split(",");
                    float[] row = new float[cells.length - 1];
                    for (int i = 0; i < row.length; i++) {
                        row[i] = Float.parseFloat(cells[i]);
                    }
                    rows.add(row);
                }
            }
            return rows;
        }
    }

    private static double[][] columns(List<float[]> rows) {
        double[][] cols = new double[rows.get(0).length][rows.size()];
        for (int r = 0; r < rows.size(); r++) {
            for (int c = 0; c < cols.length; c++) {
                cols[c][r] = rows.get(r)[c];
            }
        }
        return cols;
    }

    /** Rows of probabilities written by an app's {@code --probabilities} option. */
    static double[][] probabilities(Path file) throws IOException {
        return Files.readAllLines(file).stream().filter(l -> !l.isBlank())
                .map(l -> Arrays.stream(l.split(",")).mapToDouble(s -> Float.parseFloat(s)).toArray())
                .toArray(double[][]::new);
    }

    /** An app's {@code key=value} report. */
    static java.util.Map<String, Long> report(Path file) throws IOException {
        java.util.Map<String, Long> out = new java.util.TreeMap<>();
        for (String line : Files.readAllLines(file)) {
            int eq = line.indexOf('=');
            out.put(line.substring(0, eq), Long.parseLong(line.substring(eq + 1)));
        }
        return out;
    }

    static double mean(double[] xs) {
        double s = 0;
        for (double x : xs) {
            s += x;
        }
        return s / xs.length;
    }

    /** Population standard deviation, two-pass. */
    static double std(double[] xs) {
        double m = mean(xs);
        double s = 0;
        for (double x : xs) {
            s += (x - m) * (x - m);
        }
        return Math.sqrt(s / xs.length);
    }

    /**
     * The normalized ranks {@code [share of values < v, share of values <= v]}: a quantile estimate {@code v} for
     * {@code q} is right to within {@code eps} when {@code q} lies in {@code [lo - eps, hi + eps]}.
     */
    static double[] rankInterval(double[] xs, double v) {
        return rankInterval(xs, v, 0);
    }

    /**
     * The true shares of values {@code < v - delta} and {@code <= v + delta}: the ranks of any value within
     * {@code delta} of {@code v}, for a quantile read from a profile's compact sketch (docs/profile-format.md).
     */
    static double[] rankInterval(double[] xs, double v, double delta) {
        long below = 0;
        long atOrBelow = 0;
        for (double x : xs) {
            if (x < v - delta) {
                below++;
            }
            if (x <= v + delta) {
                atOrBelow++;
            }
        }
        return new double[] {(double) below / xs.length, (double) atOrBelow / xs.length};
    }
}
