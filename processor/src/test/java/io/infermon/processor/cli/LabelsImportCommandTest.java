package io.infermon.processor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.infermon.processor.labels.Label;
import io.infermon.processor.labels.LabelStream;
import io.infermon.processor.labels.LabelStreamTestAccess;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class LabelsImportCommandTest {
    @TempDir
    Path dir;

    private record Result(int exit, String out, String err) {
    }

    private Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CommandLine cmd = new CommandLine(new LabelsImportCommand(new PrintStream(out, true),
                new PrintStream(err, true)));
        int exit = cmd.execute(args);
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private List<Label> imported(Path outDir, int[] rejected) throws Exception {
        List<Label> all = new ArrayList<>();
        try (var files = Files.list(outDir.resolve("labels").resolve("inbox"))) {
            for (Path f : files.sorted().toList()) {
                LabelStream.Batch b = LabelStreamTestAccess.read(f);
                all.addAll(b.labels());
                rejected[0] += b.rejectedRows();
            }
        }
        return all;
    }

    @Test
    void csvRowsAreImportedAndBadOnesNamedByLine() throws Exception {
        Path csv = dir.resolve("labels.csv");
        Files.writeString(csv, """
                id,label,time
                a,1,2026-11-20T00:00:00Z
                "b,with comma",0,1795000000
                c,cat,
                ,1,
                d,2
                e,65535,
                """);
        Path out = dir.resolve("out");
        Result r = run("--out", out.toString(), csv.toString());
        assertThat(r.exit()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).contains("labels.csv:4: label must be a class id")
                .contains("labels.csv:5: no id").contains("labels.csv:6: 2 fields, the header has 3");
        int[] rejected = {0};
        List<Label> labels = imported(out, rejected);
        assertThat(labels).extracting(Label::id).containsExactly("a", "b,with comma", "e");
        assertThat(labels.get(1).timeMillis()).isEqualTo(1_795_000_000_000L);
        assertThat(labels.get(2).value()).isEqualTo(65535.0);
        assertThat(rejected[0]).isEqualTo(3);
        assertThat(r.out()).contains("3 labels imported").contains("3 bad rows");
    }

    @Test
    void bigJsonlFilesGoInBatchesWithProgress() throws Exception {
        Path jsonl = dir.resolve("labels.jsonl");
        StringBuilder s = new StringBuilder();
        int n = 2 * LabelsImportCommand.BATCH_ROWS + 123;
        for (int i = 0; i < n; i++) {
            s.append(i == 500 ? "{\"id\": \"r500\", \"value\": \"x\"}" : "{\"id\": \"r" + i + "\", \"value\": " + i * 0.5 + "}")
                    .append('\n');
        }
        Files.writeString(jsonl, s);
        Path out = dir.resolve("out");
        Result r = run("--out", out.toString(), jsonl.toString(), "--progress");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("labels.jsonl:501: value must be a number");
        assertThat(r.out()).contains((n - 1) + " labels imported").contains("in 3 batch(es)").doesNotContain("\r");
        // the bar (stderr, forced): every row read, good and bad, and the whole file
        String[] drawings = r.err().split("\r");
        String last = drawings[drawings.length - 1];
        assertThat(last).startsWith("labels import").contains(" " + n + "/?").contains("100% of labels.jsonl");
        int[] rejected = {0};
        List<Label> labels = imported(out, rejected);
        assertThat(labels).hasSize(n - 1);
        assertThat(labels.get(n - 2)).isEqualTo(new Label("r" + (n - 1), (n - 1) * 0.5,
                labels.get(n - 2).timeMillis()));
        assertThat(rejected[0]).isEqualTo(1);
    }

    @Test
    void aFileOfUnknownFormatIsRefused() throws Exception {
        Path txt = dir.resolve("labels.txt");
        Files.writeString(txt, "id,label\n");
        Result r = run("--out", dir.resolve("out").toString(), txt.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--format csv or --format jsonl");
    }
}
