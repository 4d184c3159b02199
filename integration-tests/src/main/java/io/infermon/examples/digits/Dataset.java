package io.infermon.examples.digits;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * A classification data set shipped with the examples (see datasets/README.md for sources and licences).
 *
 * @param features one row per example
 * @param labels   the true class of each row
 * @param classes  the number of classes
 */
public record Dataset(float[][] features, int[] labels, int classes) {

    /** UCI handwritten digits: 1797 rows of 64 pixels (0..16), classes 0..9. */
    public static Dataset digits() {
        return read("/datasets/digits.csv.gz", true, false, 10);
    }

    /** UCI breast cancer (diagnostic): 569 rows of 30 measurements, classes 0 (malignant) and 1 (benign). */
    public static Dataset breastCancer() {
        return read("/datasets/breast_cancer.csv", false, true, 2);
    }

    public int rows() {
        return labels.length;
    }

    public int width() {
        return features[0].length;
    }

    /** The first {@code n} rows (all of them when there are fewer): a small training set makes a weak model. */
    public Dataset head(int n) {
        int rows = Math.min(n, features.length);
        return new Dataset(java.util.Arrays.copyOf(features, rows), java.util.Arrays.copyOf(labels, rows), classes);
    }

    /** A copy with every feature replaced by {@code ceiling - x}: the "inverted pixels" drift of the demo. */
    public Dataset inverted(float ceiling) {
        float[][] out = new float[features.length][];
        for (int r = 0; r < features.length; r++) {
            out[r] = new float[features[r].length];
            for (int c = 0; c < out[r].length; c++) {
                out[r][c] = ceiling - features[r][c];
            }
        }
        return new Dataset(out, labels, classes);
    }

    private static Dataset read(String resource, boolean gzip, boolean header, int classes) {
        try (InputStream raw = Dataset.class.getResourceAsStream(resource)) {
            if (raw == null) {
                throw new IllegalStateException(resource + " is not on the class path");
            }
            InputStream in = gzip ? new GZIPInputStream(raw) : raw;
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
            if (header) {
                reader.readLine();
            }
            List<float[]> rows = new ArrayList<>();
            List<Integer> labels = new ArrayList<>();
            for (String line; (line = reader.readLine()) != null; ) {
                if (line.isBlank()) {
                    continue;
                }
                String[] cells = line.split(",");
                float[] row = new float[cells.length - 1];
                for (int i = 0; i < row.length; i++) {
                    row[i] = Float.parseFloat(cells[i]);
                }
                rows.add(row);
                labels.add(Integer.parseInt(cells[cells.length - 1].trim()));
            }
            return new Dataset(rows.toArray(new float[0][]), labels.stream().mapToInt(Integer::intValue).toArray(),
                    classes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
