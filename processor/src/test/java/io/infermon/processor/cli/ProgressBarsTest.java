package io.infermon.processor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The long commands' progress bars: forced with {@code --progress} into a captured stderr, the last count drawn is
 * the number of rows (or profiles) the command reports on stdout and the input holds; without a terminal and
 * without {@code --progress}, or with {@code --no-progress}, stderr stays empty and stdout is the same.
 */
class ProgressBarsTest {
    /** The library draws "<task> ... <done>/<max>" (max "?" when unknown); the last drawing is the final one. */
    private static final Pattern COUNT = Pattern.compile("(\\d+)/(\\d+|\\?)");

    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {
    }

    private static Run infermon(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int exit = new CommandLine(new InfermonCli()).execute(args);
            return new Run(exit, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    /** The count in the last drawing of the bar (drawings are separated by carriage returns). */
    private static long lastCount(String err) {
        String[] drawings = err.split("\r");
        for (int i = drawings.length - 1; i >= 0; i--) {
            Matcher m = COUNT.matcher(drawings[i]);
            long last = -1;
            while (m.find()) {
                last = Long.parseLong(m.group(1));
            }
            if (last >= 0) {
                return last;
            }
        }
        throw new AssertionError("no count drawn in: " + err);
    }

    private Path digitsCsv() throws Exception {
        Path csv = dir.resolve("digits.csv");
        try (InputStream in = new GZIPInputStream(getClass().getResourceAsStream("/datasets/digits.csv.gz"))) {
            Files.copy(in, csv);
        }
        return csv;
    }

    @Test
    void referenceBuildCountsEveryRowItReads() throws Exception {
        Path csv = digitsCsv();
        // the rows: the file's lines of numbers (a header, if any, is not one)
        long rows = Files.readAllLines(csv).stream().filter(l -> l.matches("[0-9.,eE+-]+")).count();
        Run forced = infermon("reference", "build", "--csv", csv.toString(), "--columns", "0-63", "--model", "d",
                "--out", dir.resolve("a.profile").toString(), "--progress");
        assertThat(forced.exit()).as(forced.err()).isZero();
        assertThat(forced.out()).contains("from " + rows + " rows");
        assertThat(forced.err()).startsWith("\rreference build");
        assertThat(lastCount(forced.err())).isEqualTo(rows);

        Run quiet = infermon("reference", "build", "--csv", csv.toString(), "--columns", "0-63", "--model", "d",
                "--out", dir.resolve("b.profile").toString());
        assertThat(quiet.err()).as("no terminal here: no bar").isEmpty();
        assertThat(quiet.out()).isEqualTo(forced.out().replace("a.profile", "b.profile"));
        assertThat(infermon("reference", "build", "--csv", csv.toString(), "--model", "d", "--out",
                dir.resolve("c.profile").toString(), "--no-progress").err()).isEmpty();
    }

    @Test
    void mergeCountsTheProfilesItMerged() throws Exception {
        Path csv = digitsCsv();
        Path in = dir.resolve("in");
        for (String part : new String[] {"p1", "p2", "p3"}) {
            assertThat(infermon("reference", "build", "--csv", csv.toString(), "--model", "d", "--out",
                    in.resolve(part + ".profile").toString()).exit()).isZero();
        }
        Run merged = infermon("merge", in.toString(), "--out", dir.resolve("all.profile").toString(), "--progress");
        assertThat(merged.exit()).as(merged.err()).isZero();
        assertThat(merged.out()).contains("merged 3 profiles");
        assertThat(lastCount(merged.err())).isEqualTo(3);
        assertThat(merged.err()).contains("3/3");
    }
}
