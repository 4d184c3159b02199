package io.infermon.processor.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.infermon.capture.CaptureRecord;
import io.infermon.processor.bucket.ModelKey;
import io.infermon.processor.profile.BucketProfile;
import io.infermon.processor.profile.ProfileCodec;
import io.infermon.processor.queue.CaptureQueueReader;
import io.infermon.processor.stats.BucketStatistics;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.zip.GZIPInputStream;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code infermon reference build}: a reference profile from rows of a CSV or JSONL file, or from a time range of a
 * queue. The profile has the same format as a bucket's, so a run's own profiles can serve as references too.
 */
@Command(name = "build", mixinStandardHelpOptions = true,
        description = "Build a reference profile from a CSV or JSONL file of feature rows, or from a queue.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the reference was written", "1:no rows for the model, or a file could not be read",
                "2:bad options"})
public final class ReferenceBuildCommand implements Callable<Integer> {

    static final class Source {
        @Option(names = "--csv", description = "Rows of numbers, comma-separated; a first line that is not all "
                + "numbers is a header. May be gzipped (.gz).")
        Path csv;

        @Option(names = "--jsonl", description = "One row per line: a JSON array of numbers, or an object with a "
                + "\"features\" array. May be gzipped (.gz).")
        Path jsonl;

        @Option(names = "--queue", description = "An agent's queue: every record of the model in [--from, --to).")
        Path queue;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--model", required = true, description = "The model the reference is for (its name).")
    String model;

    @Option(names = "--columns", description = "Feature columns of a CSV or JSONL row, e.g. 0-63 or 0,2,5-9 "
            + "(default: all).")
    String columns;

    @Option(names = "--from", description = "With --queue: first capture time included (ISO-8601, e.g. "
            + "2026-11-24T10:00:00Z). Default: the beginning.")
    Instant from;

    @Option(names = "--to", description = "With --queue: first capture time excluded. Default: the end.")
    Instant to;

    @Option(names = "--out", required = true, description = "The profile file to write.")
    Path out;

    @Mixin
    ProgressOptions progressOptions;

    private long badRows;
    /** Rows taken into the profile so far, on stderr. */
    private Progress progress = Progress.NONE;

    @Override
    public Integer call() throws Exception {
        BucketStatistics statistics = new BucketStatistics();
        long start = 0;
        long end = 0;
        // how many rows a file or queue range holds is not known before reading it all: the bar counts up
        try (Progress p = progressOptions.start(System.err, "reference build", -1, "rows")) {
            progress = p;
            if (source.queue != null) {
                start = from == null ? 0 : from.toEpochMilli();
                end = to == null ? Long.MAX_VALUE : to.toEpochMilli();
                readQueue(statistics, start, end);
            } else {
                int[] picked = columns == null ? null : parseColumns(columns);
                if (source.csv != null) {
                    readCsv(source.csv, picked, statistics);
                } else {
                    readJsonl(source.jsonl, picked, statistics);
                }
            }
        } finally {
            progress = Progress.NONE;
        }
        if (statistics.rows() == 0) {
            System.err.println("infermon: no rows for model " + model + "; no reference written");
            return 1;
        }
        BucketProfile profile = new BucketProfile(new ModelKey(model, "", ""), start, end, statistics);
        ProfileCodec.write(out, profile);
        System.out.println("infermon: reference for " + model + " from " + statistics.rows() + " rows and "
                + statistics.features().size() + " features written to " + out
                + (badRows > 0 ? " (" + badRows + " bad rows skipped)" : ""));
        return 0;
    }

    private void readQueue(BucketStatistics statistics, long fromMillis, long toMillis) {
        try (CaptureQueueReader reader = new CaptureQueueReader(source.queue.toAbsolutePath())) {
            for (CaptureRecord r; (r = reader.next()) != null; ) {
                long t = Math.floorDiv(r.captureTimeEpochNanos(), 1_000_000L);
                if (r.modelName().equals(model) && t >= fromMillis && t < toMillis) {
                    statistics.add(r);
                    progress.stepTo(statistics.rows());
                }
            }
        }
    }

    /** What one line held: a row of numbers, or why it is not one; neither means the line is skipped quietly. */
    private record Parsed(double[] row, String problem) {
        static Parsed row(double[] row) {
            return new Parsed(row, null);
        }

        static Parsed bad(String problem) {
            return new Parsed(null, problem);
        }

        static final Parsed SKIP = new Parsed(null, null);
    }

    /** Feeds every non-blank line of {@code file} through {@code parse}, counting the lines that are not rows. */
    private void readRows(Path file, int[] picked, BucketStatistics statistics,
                          java.util.function.BiFunction<Long, String, Parsed> parse) throws IOException {
        try (BufferedReader r = reader(file)) {
            long lineNo = 0;
            for (String line; (line = r.readLine()) != null; ) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                Parsed p = parse.apply(lineNo, line);
                if (p.row() != null) {
                    addRow(file, lineNo, p.row(), picked, statistics);
                } else if (p.problem() != null) {
                    bad(file, lineNo, p.problem());
                }
            }
        }
    }

    private void readCsv(Path file, int[] picked, BucketStatistics statistics) throws IOException {
        readRows(file, picked, statistics, (lineNo, line) -> {
            String[] cells = line.split(",", -1);
            double[] row = new double[cells.length];
            for (int i = 0; i < cells.length; i++) {
                try {
                    row[i] = cells[i].isBlank() ? Double.NaN : Double.parseDouble(cells[i].trim());
                } catch (NumberFormatException e) {
                    // a first line that is not all numbers is a header
                    return lineNo == 1 ? Parsed.SKIP : Parsed.bad("not a row of numbers");
                }
            }
            return Parsed.row(row);
        });
    }

    private void readJsonl(Path file, int[] picked, BucketStatistics statistics) throws IOException {
        ObjectMapper json = new ObjectMapper();
        readRows(file, picked, statistics, (lineNo, line) -> {
            JsonNode node;
            try {
                node = json.readTree(line);
            } catch (IOException e) {
                return Parsed.bad("not JSON");
            }
            JsonNode array = node.isObject() ? node.get("features") : node;
            if (array == null || !array.isArray()) {
                return Parsed.bad("neither an array nor an object with a \"features\" array");
            }
            double[] row = new double[array.size()];
            for (int i = 0; i < row.length; i++) {
                JsonNode v = array.get(i);
                if (v.isNumber()) {
                    row[i] = v.asDouble();
                } else if (v.isNull()) {
                    row[i] = Double.NaN;
                } else {
                    return Parsed.bad("a feature that is not a number");
                }
            }
            return Parsed.row(row);
        });
    }

    private void addRow(Path file, long lineNo, double[] row, int[] picked, BucketStatistics statistics) {
        if (picked == null) {
            statistics.addFeatureRow(row);
            progress.step();
            return;
        }
        double[] selected = new double[picked.length];
        for (int i = 0; i < picked.length; i++) {
            if (picked[i] >= row.length) {
                bad(file, lineNo, "has " + row.length + " columns, column " + picked[i] + " was asked for");
                return;
            }
            selected[i] = row[picked[i]];
        }
        statistics.addFeatureRow(selected);
        progress.step();
    }

    private void bad(Path file, long lineNo, String why) {
        badRows++;
        if (badRows <= 10) {
            System.err.println("infermon: " + file + ":" + lineNo + ": skipped, " + why);
        }
    }

    private static BufferedReader reader(Path file) throws IOException {
        InputStream in = Files.newInputStream(file);
        if (file.getFileName().toString().endsWith(".gz")) {
            in = new GZIPInputStream(in);
        }
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    }

    /** {@code "0-3,7"} → {@code [0, 1, 2, 3, 7]}. */
    static int[] parseColumns(String spec) {
        List<Integer> cols = new ArrayList<>();
        for (String part : spec.split(",")) {
            String p = part.trim();
            int dash = p.indexOf('-');
            try {
                if (dash > 0) {
                    int a = Integer.parseInt(p.substring(0, dash).trim());
                    int b = Integer.parseInt(p.substring(dash + 1).trim());
                    if (a > b || a < 0) {
                        throw new IllegalArgumentException("bad column range " + p);
                    }
                    for (int c = a; c <= b; c++) {
                        cols.add(c);
                    }
                } else {
                    int c = Integer.parseInt(p);
                    if (c < 0) {
                        throw new IllegalArgumentException("bad column " + p);
                    }
                    cols.add(c);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad column list '" + spec + "': " + p + " is not a number or "
                        + "a range");
            }
        }
        return cols.stream().mapToInt(Integer::intValue).toArray();
    }
}
