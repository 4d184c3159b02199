package io.infermon.processor.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.infermon.anodot.AnodotFiles;
import io.infermon.anodot.AnodotMetric;
import io.infermon.processor.Datasets;
import io.infermon.processor.profile.BucketProfile;
import io.infermon.processor.profile.ProfileCodecTestAccess;
import io.infermon.processor.profile.ProfileCodec;
import io.infermon.processor.stats.FeatureSummary;
import io.infermon.processor.stats.Textbook;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ProfileCommandsTest {
    @TempDir
    Path dir;

    private static int infermon(String... args) {
        return new CommandLine(new InfermonCli()).execute(args);
    }

    private Path digitsCsv() throws Exception {
        Path csv = dir.resolve("digits.csv.gz");
        try (InputStream in = getClass().getResourceAsStream("/datasets/digits.csv.gz")) {
            Files.copy(in, csv, StandardCopyOption.REPLACE_EXISTING);
        }
        return csv;
    }

    @Test
    void aReferenceBuiltFromACsvHasTheFileStatistics() throws Exception {
        Path ref = dir.resolve("ref.profile");
        assertThat(infermon("reference", "build", "--csv", digitsCsv().toString(), "--columns", "0-63",
                "--model", "digits", "--out", ref.toString())).isZero();
        BucketProfile p = ProfileCodec.read(ref);
        assertThat(p.model().name()).isEqualTo("digits");
        assertThat(p.statistics().rows()).isEqualTo(1797);
        assertThat(p.statistics().features()).hasSize(64);
        double[][] digits = Datasets.digits();
        for (int j : new int[] {0, 10, 36, 63}) {
            double[] col = Datasets.column(digits, j);
            FeatureSummary f = p.statistics().features().get(j);
            assertThat(f.values().mean()).isCloseTo(Textbook.mean(col), within(1e-9));
            assertThat(f.values().quantile(0.75)).isEqualTo(Textbook.quantile(col, 0.75));
        }
    }

    @Test
    void jsonlRowsAndBadLinesAreHandled() throws Exception {
        Path jsonl = dir.resolve("rows.jsonl");
        Files.writeString(jsonl, "[1, 2]\n{\"features\": [3, 4]}\nnot json\n[5, \"x\"]\n[7, 8]\n");
        Path ref = dir.resolve("ref.profile");
        assertThat(infermon("reference", "build", "--jsonl", jsonl.toString(), "--model", "m", "--out",
                ref.toString())).isZero();
        BucketProfile p = ProfileCodec.read(ref);
        assertThat(p.statistics().rows()).isEqualTo(3);
        assertThat(p.statistics().features().get(1).values().mean()).isEqualTo((2 + 4 + 8) / 3.0);
    }

    @Test
    void mergeRollsProfilesUpAndWritesTheirMetrics() throws Exception {
        Path a = dir.resolve("in/digits-0.profile");
        Path b = dir.resolve("in/digits-60.profile");
        ProfileCodec.write(a, new BucketProfile(ProfileCodecTestAccess.MODEL, 0, 60_000,
                ProfileCodecTestAccess.digitCalls(0, 900)));
        ProfileCodec.write(b, new BucketProfile(ProfileCodecTestAccess.MODEL, 60_000, 120_000,
                ProfileCodecTestAccess.digitCalls(900, 1797)));
        Path merged = dir.resolve("merged.profile");
        Path anodot = dir.resolve("merged.json");
        assertThat(infermon("merge", dir.resolve("in").toString(), "--out", merged.toString(), "--anodot",
                anodot.toString())).isZero();
        BucketProfile p = ProfileCodec.read(merged);
        assertThat(p.statistics().rows()).isEqualTo(1797);
        assertThat(p.endMillis()).isEqualTo(120_000);
        ProfileCodecTestAccess.assertSame(p.statistics(), ProfileCodecTestAccess.digitCalls(0, 1797));
        List<AnodotMetric> metrics = AnodotFiles.read(anodot);
        assertThat(metrics.stream().filter(m -> m.what().equals("buffer_count")).findFirst().orElseThrow().value())
                .isEqualTo(1797);
        assertThat(metrics).allSatisfy(m -> assertThat(m.timestamp()).isZero());
    }

    @Test
    void mergingProfilesOfTwoModelsFailsWithAMessage() throws Exception {
        Path a = dir.resolve("a.profile");
        Path b = dir.resolve("b.profile");
        Path csv = digitsCsv();
        assertThat(infermon("reference", "build", "--csv", csv.toString(), "--model", "a", "--out", a.toString()))
                .isZero();
        assertThat(infermon("reference", "build", "--csv", csv.toString(), "--model", "b", "--out", b.toString()))
                .isZero();
        assertThat(infermon("merge", a.toString(), b.toString(), "--out", dir.resolve("x.profile").toString()))
                .isNotZero();
        assertThat(dir.resolve("x.profile")).doesNotExist();
    }

    @Test
    void aReferenceFromATimeRangeOfAQueueTakesThatModelsRecordsInTheRange() throws Exception {
        Path queue = dir.resolve("queue");
        long t0 = 1_795_500_000_000L;
        double[][] digits = Datasets.digits();
        try (net.openhft.chronicle.queue.ChronicleQueue q =
                     net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder.binary(queue).build()) {
            net.openhft.chronicle.queue.ExcerptAppender a = q.createAppender();
            for (int i = 0; i < 100; i++) {
                float[][] x = {{(float) digits[i][10], (float) digits[i][20]}};
                for (String model : new String[] {"digits", "other"}) {
                    try (net.openhft.chronicle.wire.DocumentContext dc = a.writingDocument()) {
                        dc.wire().bytes().write(io.infermon.processor.Records.encode(
                                io.infermon.processor.Records.call(t0 + i * 1_000L, model, x, null)));
                    }
                }
            }
        }
        Path ref = dir.resolve("ref.profile");
        assertThat(infermon("reference", "build", "--queue", queue.toString(), "--model", "digits",
                "--from", java.time.Instant.ofEpochMilli(t0 + 20_000).toString(),
                "--to", java.time.Instant.ofEpochMilli(t0 + 60_000).toString(), "--out", ref.toString())).isZero();
        BucketProfile p = ProfileCodec.read(ref);
        // calls at seconds 20..59 of model digits only: rows 20..59 of the data set
        assertThat(p.statistics().inferenceCalls()).isEqualTo(40);
        double[] expected = java.util.Arrays.copyOfRange(Datasets.column(digits, 10), 20, 60);
        assertThat(p.statistics().features().get(0).values().mean()).isCloseTo(Textbook.mean(expected), within(1e-9));
        assertThat(p.startMillis()).isEqualTo(t0 + 20_000);
    }
}
