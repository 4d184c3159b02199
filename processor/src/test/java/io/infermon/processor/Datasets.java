package io.infermon.processor;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** The two real data sets the unit tests compute statistics of (see resources/datasets/README.md). */
public final class Datasets {
    private Datasets() {
    }

    /** UCI digits: 1,797 rows of 64 pixel counts, 0..16. */
    public static double[][] digits() {
        return read("/datasets/digits.csv.gz", true, false, 64);
    }

    /** The digit (0..9) of each {@link #digits()} row. */
    public static int[] digitLabels() {
        return Arrays.stream(read("/datasets/digits.csv.gz", true, false, 65)).mapToInt(r -> (int) r[64]).toArray();
    }

    /** Breast cancer (diagnostic): 569 rows of 30 real-valued measurements of very different scales. */
    public static double[][] breastCancer() {
        return read("/datasets/breast_cancer.csv", false, true, 30);
    }

    /** The diagnosis of each {@link #breastCancer()} row: 0 malignant, 1 benign (the file's header names them). */
    public static int[] breastCancerLabels() {
        return Arrays.stream(read("/datasets/breast_cancer.csv", false, true, 31)).mapToInt(r -> (int) r[30])
                .toArray();
    }

    /** Column {@code j} of {@code rows}. */
    public static double[] column(double[][] rows, int j) {
        return Arrays.stream(rows).mapToDouble(r -> r[j]).toArray();
    }

    /** 16 - x for every pixel: the drifted digits of the drift tests. */
    public static double[][] inverted(double[][] digits) {
        return Arrays.stream(digits).map(r -> Arrays.stream(r).map(x -> 16 - x).toArray()).toArray(double[][]::new);
    }

    private static double[][] read(String resource, boolean gzip, boolean header, int columns) {
        List<double[]> rows = new ArrayList<>();
        try (InputStream raw = Datasets.class.getResourceAsStream(resource);
             BufferedReader r = new BufferedReader(new InputStreamReader(gzip ? new GZIPInputStream(raw) : raw,
                     StandardCharsets.US_ASCII))) {
            if (header) {
                r.readLine();
            }
            for (String line; (line = r.readLine()) != null; ) {
                rows.add(Arrays.stream(line.split(",")).limit(columns).mapToDouble(Double::parseDouble).toArray());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return rows.toArray(double[][]::new);
    }
}
