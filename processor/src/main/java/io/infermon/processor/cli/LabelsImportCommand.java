package io.infermon.processor.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.infermon.processor.labels.Label;
import io.infermon.processor.labels.LabelRows;
import io.infermon.processor.labels.LabelStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code infermon labels import --out OUT FILE}: reads labels from a CSV or JSONL file and puts them, in batches, in
 * the processor's label inbox ({@code OUT/labels/inbox}), where a running processor (or the next run) takes them.
 */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Import labels from a CSV (header: id,label or id,value, optional time) or JSONL file "
                + "({\"id\": ..., \"label\": ...} per line) into the processor's label inbox in OUT/labels.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every row imported", "1:some rows were bad (refused and counted; the good ones imported)",
                "2:bad options, an unknown format, a missing file or a CSV without a usable header"})
public final class LabelsImportCommand implements Callable<Integer> {
    /** Rows per batch file: big enough to be cheap, small enough to apply without a pause. */
    static final int BATCH_ROWS = 50_000;
    static final int ERRORS_SHOWN = 20;

    @Parameters(paramLabel = "FILE", description = "A .csv or .jsonl file (or - for standard input, with --format).")
    Path file;

    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "The processor's output directory (the labels go to DIR/labels/inbox).")
    Path out;

    @Option(names = "--format", paramLabel = "FORMAT",
            description = "csv or jsonl. Default: by the file's extension (.csv; .jsonl, .json, .ndjson).")
    String format;

    @Option(names = "--max-future", defaultValue = "1h", converter = DurationConverter.class,
            description = "Labels stamped further ahead of this machine's clock are refused. Default: "
                    + "${DEFAULT-VALUE}.")
    Duration maxFuture;

    @Option(names = "--quiet", description = "No progress bar (the same as --no-progress).")
    boolean quiet;

    @Mixin
    ProgressOptions progressOptions;

    private final PrintStream stdout;
    private final PrintStream stderr;

    public LabelsImportCommand() {
        this(System.out, System.err);
    }

    LabelsImportCommand(PrintStream stdout, PrintStream stderr) {
        this.stdout = stdout;
        this.stderr = stderr;
    }

    @Override
    public Integer call() throws Exception {
        boolean stdin = file.toString().equals("-");
        String kind = format != null ? format.toLowerCase(Locale.ROOT) : formatOf(file);
        if (kind == null || !(kind.equals("csv") || kind.equals("jsonl"))) {
            stderr.println("infermon: cannot tell the format of " + file + "; give --format csv or --format jsonl");
            return 2;
        }
        if (!stdin && !Files.isRegularFile(file)) {
            stderr.println("infermon: no file " + file);
            return 2;
        }
        long size = stdin ? -1 : Files.size(file);
        Path labelsDir = out.resolve("labels");
        Import run = new Import(labelsDir, size);
        // rows read, good and bad; the share of the file read so far beside them
        try (Progress progress = quiet ? Progress.NONE
                : progressOptions.start(stderr, "labels import", -1, "rows");
             InputStream raw = stdin ? System.in : Files.newInputStream(file);
             CountingStream counted = new CountingStream(raw);
             BufferedReader in = new BufferedReader(new InputStreamReader(counted, StandardCharsets.UTF_8))) {
            run.counted = counted;
            run.progress = progress;
            if (kind.equals("csv")) {
                if (!run.csv(in)) {
                    return 2;
                }
            } else {
                run.jsonl(in);
            }
            run.flush();
        }
        if (run.bad > ERRORS_SHOWN) {
            stderr.println("infermon: ... and " + (run.bad - ERRORS_SHOWN) + " more bad rows");
        }
        stdout.println("infermon: " + run.good + " labels imported into " + labelsDir.resolve("inbox") + " in "
                + run.batches + " batch(es); " + run.bad + " bad rows refused (counted as rejected_rows)");
        return run.bad > 0 ? 1 : 0;
    }

    static String formatOf(Path f) {
        String n = f.getFileName().toString().toLowerCase(Locale.ROOT);
        if (n.endsWith(".csv")) {
            return "csv";
        }
        if (n.endsWith(".jsonl") || n.endsWith(".json") || n.endsWith(".ndjson")) {
            return "jsonl";
        }
        return null;
    }

    private final class Import {
        final Path labelsDir;
        final long size;
        final long now = System.currentTimeMillis();
        final long latest = now + maxFuture.toMillis();
        final List<Label> batch = new ArrayList<>();
        CountingStream counted;
        Progress progress = Progress.NONE;
        int batchRejected;
        long good;
        long bad;
        long batches;

        Import(Path labelsDir, long size) {
            this.labelsDir = labelsDir;
            this.size = size;
        }

        boolean csv(BufferedReader in) throws IOException {
            String header = in.readLine();
            if (header == null) {
                stderr.println("infermon: " + file + " is empty");
                return false;
            }
            List<String> names = splitCsv(header.startsWith("\uFEFF") ? header.substring(1) : header);
            int id = names.indexOf("id");
            int label = names.indexOf("label");
            int value = names.indexOf("value");
            int time = names.indexOf("time");
            if (id < 0 || (label < 0 && value < 0)) {
                stderr.println("infermon: " + file + ":1: the header must name the columns id and label (or value), "
                        + "optionally time; it is: " + header);
                return false;
            }
            long line = 1;
            for (String s; (s = in.readLine()) != null; ) {
                line++;
                if (s.isBlank()) {
                    continue;
                }
                List<String> f = splitCsv(s);
                try {
                    if (f.size() != names.size()) {
                        throw new LabelRows.BadRow(f.size() + " fields, the header has " + names.size());
                    }
                    add(LabelRows.of(f.get(id), label < 0 ? null : f.get(label), value < 0 ? null : f.get(value),
                            time < 0 ? null : f.get(time), now, latest));
                } catch (LabelRows.BadRow e) {
                    bad(line, e.getMessage());
                }
            }
            return true;
        }

        void jsonl(BufferedReader in) throws IOException {
            ObjectMapper json = new ObjectMapper();
            long line = 0;
            for (String s; (s = in.readLine()) != null; ) {
                line++;
                if (s.isBlank()) {
                    continue;
                }
                try {
                    JsonNode row;
                    try {
                        row = json.readTree(s);
                    } catch (IOException e) {
                        throw new LabelRows.BadRow("not JSON");
                    }
                    add(LabelRows.fromJson(row, now, latest));
                } catch (LabelRows.BadRow e) {
                    bad(line, e.getMessage());
                }
            }
        }

        void add(Label l) throws IOException {
            batch.add(l);
            good++;
            progressed();
            if (batch.size() >= BATCH_ROWS) {
                flush();
            }
        }

        void bad(long line, String message) throws IOException {
            bad++;
            progressed();
            batchRejected++;
            if (bad <= ERRORS_SHOWN) {
                stderr.println("infermon: " + file + ":" + line + ": " + message);
            }
        }

        void flush() throws IOException {
            if (batch.isEmpty() && batchRejected == 0) {
                return;
            }
            LabelStream.write(labelsDir, new LabelStream.Batch(List.copyOf(batch), batchRejected));
            batches++;
            batch.clear();
            batchRejected = 0;
        }

        private void progressed() {
            progress.stepTo(good + bad);
            if (size > 0) {
                progress.message((int) (100 * Math.min(size, counted.count) / size) + "% of " + file.getFileName());
            }
        }
    }

    /** Splits a CSV line: commas, with double-quoted fields ({@code ""} inside quotes is a quote). */
    static List<String> splitCsv(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder f = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    f.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    f.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                out.add(f.toString().strip());
                f.setLength(0);
            } else {
                f.append(c);
            }
        }
        out.add(f.toString().strip());
        return out;
    }

    /** Counts the bytes read, for progress. */
    private static final class CountingStream extends java.io.FilterInputStream {
        long count;

        CountingStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }
}
