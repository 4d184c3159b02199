package io.infermon.processor.output;

import static org.assertj.core.api.Assertions.assertThat;

import io.infermon.anodot.AnodotFiles;
import io.infermon.anodot.AnodotJson;
import io.infermon.anodot.AnodotMetric;
import io.infermon.processor.Records;
import io.infermon.processor.bucket.ClosedBucket;
import io.infermon.processor.bucket.ModelKey;
import io.infermon.processor.stats.BucketStatistics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricFilesTest {

    @Test
    void writesOneAnodotFilePerModelAndBucketAndAppendsJsonLines(@TempDir Path out) throws Exception {
        BucketStatistics v1 = new BucketStatistics();
        v1.add(Records.call(0, "digits", new float[][] {{1}}, null));
        BucketStatistics v2 = new BucketStatistics();
        v2.add(Records.call(0, "digits", new float[][] {{2}}, null));
        BucketStatistics other = new BucketStatistics();
        other.add(Records.call(0, "fraud.model", new float[][] {{3}}, null));
        try (MetricFiles files = new MetricFiles(out)) {
            List<ClosedBucket> closed = List.of(new ClosedBucket(new ModelKey("digits", "1", ""), 60_000, 120_000, v1),
                    new ClosedBucket(new ModelKey("digits", "2", ""), 60_000, 120_000, v2),
                    new ClosedBucket(new ModelKey("fraud.model", "", ""), 60_000, 120_000, other));
            files.write(closed, closed.stream().map(BucketMetrics::of).toList());
        }
        try (var listing = Files.list(out.resolve("anodot"))) {
            assertThat(listing.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("digits-60.json", "fraud_model-60.json");
        }
        List<AnodotMetric> digits = AnodotFiles.read(out.resolve("anodot/digits-60.json"));
        assertThat(digits).extracting(m -> m.property("model_version")).containsOnly("1", "2");
        List<AnodotMetric> lines = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("metrics.jsonl"))) {
            lines.add(AnodotJson.readLine(line));
        }
        List<AnodotMetric> all = new ArrayList<>(digits);
        all.addAll(AnodotFiles.read(out.resolve("anodot/fraud_model-60.json")));
        assertThat(lines).containsExactlyInAnyOrderElementsOf(all);
    }
}
