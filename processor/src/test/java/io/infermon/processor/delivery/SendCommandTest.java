package io.infermon.processor.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.infermon.anodot.AnodotFiles;
import io.infermon.anodot.AnodotMetric;
import io.infermon.anodot.TargetType;
import io.infermon.anodot.standin.AnodotStandIn;
import io.infermon.processor.cli.InfermonCli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code infermon send DIR} against the Anodot stand-in, run in-process as the command line runs it. */
class SendCommandTest {
    private static final String TOKEN = "send-T0KEN-4c3b2a";
    private static final long NOW = System.currentTimeMillis() / 1000;

    @TempDir
    Path tmp;

    private AnodotStandIn anodot;
    private Path tokenFile;
    private Path files;

    @BeforeEach
    void setUp() throws Exception {
        anodot = new AnodotStandIn(TOKEN, 1000, 1000).start();
        tokenFile = tmp.resolve("token");
        Files.writeString(tokenFile, TOKEN + "\n");
        Files.setPosixFilePermissions(tokenFile, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        files = tmp.resolve("anodot");
        for (int b = 0; b < 3; b++) {
            AnodotFiles.writeAtomically(files.resolve("digits-" + (NOW - 180 + 60 * b) + ".json"),
                    bucket("digits", NOW - 180 + 60 * b, 25));
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        anodot.close();
        try (Stream<Path> all = Files.walk(tmp)) {
            for (Path f : all.filter(Files::isRegularFile).filter(f -> !f.equals(tokenFile)).toList()) {
                assertThat(Files.readString(f, StandardCharsets.ISO_8859_1)).as("file %s", f).doesNotContain(TOKEN);
            }
        }
    }

    private static List<AnodotMetric> bucket(String model, long start, int n) {
        List<AnodotMetric> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(AnodotMetric.builder("feature_value", TargetType.GAUGE).property("model", model)
                    .property("feature", "feat_" + i).timestamp(start).value(i));
        }
        return out;
    }

    private record Run(int exit, String output) {
    }

    private Run send(String... extra) {
        PrintStream original = System.out;
        PrintStream originalErr = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(buf, true, StandardCharsets.UTF_8);
        System.setOut(capture);
        System.setErr(capture);
        try {
            List<String> args = new ArrayList<>(List.of("send", files.toString(), "--anodot-url", anodot.url(),
                    "--anodot-token-file", tokenFile.toString(), "--anodot-backoff", "5ms",
                    "--anodot-backoff-max", "20ms", "--anodot-timeout", "3s", "--anodot-rate", "1000",
                    "--anodot-batch-size", "10"));
            args.addAll(List.of(extra));
            int exit = new CommandLine(new InfermonCli()).execute(args.toArray(new String[0]));
            String output = buf.toString(StandardCharsets.UTF_8);
            original.print(output);
            return new Run(exit, output);
        } finally {
            System.setOut(original);
            System.setErr(originalErr);
        }
    }

    @Test
    void sendsEveryFileOnceAndARepeatedRunSendsNothing() {
        Run first = send();

        assertThat(first.exit()).isZero();
        assertThat(first.output()).contains("75 metrics sent, 0 rejected by Anodot, 0 invalid")
                .contains("[3/3] 75 metrics sent").contains("token=***").doesNotContain(TOKEN);
        assertThat(anodot.stored()).hasSize(75).doesNotHaveDuplicates();
        assertThat(anodot.batchSizes()).hasSize(9).allMatch(n -> n <= 10);
        int requests = anodot.requests();

        Run second = send();
        assertThat(second.exit()).isZero();
        assertThat(second.output()).contains("0 metrics sent").contains("3 files delivered before");
        assertThat(anodot.requests()).isEqualTo(requests);
    }

    @Test
    void exitsNonZeroWhenAnodotRejectsSomething() throws Exception {
        List<AnodotMetric> m = bucket("digits", NOW, 3);
        m.add(AnodotMetric.builder("feature_value", TargetType.GAUGE).property("model", "modèle").timestamp(NOW)
                .value(1));
        AnodotFiles.writeAtomically(files.resolve("other-" + NOW + ".json"), m);

        Run r = send();

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.output()).contains("78 metrics sent, 1 rejected by Anodot");
        assertThat(anodot.stored()).hasSize(78);
    }

    @Test
    void dryRunValidatesAndSendsNothing() throws Exception {
        Files.writeString(files.resolve("bad-" + NOW + ".json"), "[{\"properties\":{\"what\":\"x\"},\"tags\":{},"
                + "\"timestamp\":" + NOW + ",\"value\":\"NaN\"}]");
        Files.writeString(files.resolve("broken-" + NOW + ".json"), "{not json");

        Run r = send("--dry-run");

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.output()).contains("5 files, 75 metrics would be sent, 1 invalid {value is NaN or infinite=1}")
                .contains("1 files unreadable").contains("broken-" + NOW + ".json: not an Anodot 2.0 JSON array");
        assertThat(anodot.requests()).isZero();
    }

    @Test
    void exitsWithTwoAndKeepsTheRestWhenAnodotIsDown() {
        anodot.stop();

        Run r = send("--max-attempts", "2");

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.output()).contains("Anodot not reachable after 2 attempts").contains("3 files not sent");

        anodot.start();
        Run later = send();
        assertThat(later.exit()).isZero();
        assertThat(anodot.stored()).hasSize(75).doesNotHaveDuplicates();
    }

    @Test
    void aWrongTokenIsRefusedWithoutRetryAndNeverPrinted() throws Exception {
        Files.writeString(tokenFile, "not-the-" + TOKEN);

        Run r = send();

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.output()).contains("refused by Anodot: HTTP 401").contains("3 files refused")
                .doesNotContain(TOKEN);
        assertThat(anodot.requests()).isEqualTo(3);
    }

    @Test
    void saysWhatIsMissingWithoutAToken() {
        PrintStream originalErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int exit = new CommandLine(new InfermonCli()).execute("send", files.toString(), "--anodot-url",
                    anodot.url());
            assertThat(exit).isEqualTo(2);
        } finally {
            System.setErr(originalErr);
        }
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("no Anodot token: set INFERMON_ANODOT_TOKEN");
    }
}
