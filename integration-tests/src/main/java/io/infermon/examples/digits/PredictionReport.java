package io.infermon.examples.digits;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What an example app predicted, by its own count: calls made, rows predicted, and how many rows went to each class
 * (argmax of the probabilities, lowest index on ties). Written as {@code key=value} lines so a test can compare the
 * monitor's numbers with the app's. The probabilities themselves can be written too, for recomputing statistics.
 */
public final class PredictionReport {
    private final long[] classCounts;
    private long rows;
    private long calls;
    private long correct;
    private final StringBuilder probabilities = new StringBuilder();

    public PredictionReport(int classes) {
        this.classCounts = new long[classes];
    }

    /** Records one call's probabilities ({@code [rows][classes]}) and, where known, the true labels. */
    public void add(float[][] probabilities, int[] labels, int labelOffset) {
        calls++;
        for (int r = 0; r < probabilities.length; r++) {
            int best = 0;
            for (int c = 1; c < probabilities[r].length; c++) {
                if (probabilities[r][c] > probabilities[r][best]) {
                    best = c;
                }
            }
            classCounts[best]++;
            for (int c = 0; c < probabilities[r].length; c++) {
                this.probabilities.append(c == 0 ? "" : ",").append(probabilities[r][c]);
            }
            this.probabilities.append('\n');
            if (labels != null && labels[labelOffset + r] == best) {
                correct++;
            }
            rows++;
        }
    }

    public long rows() {
        return rows;
    }

    public void write(Path file) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("calls=" + calls);
        lines.add("rows=" + rows);
        lines.add("correct=" + correct);
        for (int c = 0; c < classCounts.length; c++) {
            lines.add("class_" + c + "=" + classCounts[c]);
        }
        Files.write(file, lines);
    }

    /** Every row's probabilities as CSV, one row per line, in prediction order ({@code Float.toString}, exact). */
    public void writeProbabilities(Path file) throws IOException {
        Files.writeString(file, probabilities);
    }
}
