package io.infermon.anodot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnodotMetricTest {

    @Test
    void serializesAsAnodot20() throws Exception {
        AnodotMetric m = AnodotMetric.builder("feature_value", TargetType.GAUGE)
                .property("model", "digits")
                .property("feature", "feat_3")
                .property("stat", "mean")
                .tag("env", "test")
                .timestamp(1_700_000_040L)
                .value(4.25);

        JsonNode json = new ObjectMapper().readTree(AnodotJson.toJsonLine(m));

        assertThat(json.get("properties").get("what").asText()).isEqualTo("feature_value");
        assertThat(json.get("properties").get("target_type").asText()).isEqualTo("gauge");
        assertThat(json.get("properties").get("feature").asText()).isEqualTo("feat_3");
        assertThat(json.get("tags").get("env").get(0).asText()).isEqualTo("test");
        assertThat(json.get("timestamp").asLong()).isEqualTo(1_700_000_040L);
        assertThat(json.get("value").asDouble()).isEqualTo(4.25);
        assertThat(AnodotJson.readLine(AnodotJson.toJsonLine(m))).isEqualTo(m);
    }

    @Test
    void replacesDotsEqualsAndSpacesInKeysAndValues() {
        AnodotMetric m = AnodotMetric.builder("buffer count", TargetType.COUNTER)
                .property("model", "fraud.v2 = best")
                .property("a.b", "x\ty")
                .timestamp(1)
                .value(3);
        assertThat(m.what()).isEqualTo("buffer_count");
        assertThat(m.property("model")).isEqualTo("fraud_v2___best");
        assertThat(m.property("a_b")).isEqualTo("x_y");
        assertThat(m.name()).doesNotContain(" ").contains("model=fraud_v2___best");
    }

    @Test
    void cutsOverlongKeysAndValues() {
        AnodotMetric m = AnodotMetric.builder("w", TargetType.GAUGE)
                .property("k".repeat(80), "v".repeat(400))
                .timestamp(1)
                .value(1);
        assertThat(m.property("k".repeat(50))).hasSize(150);
    }

    @Test
    void refusesWhatAnodotCannotStore() {
        assertThatThrownBy(() -> AnodotMetric.builder("w", TargetType.GAUGE).timestamp(1).value(Double.NaN))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not finite");
        assertThatThrownBy(() -> AnodotMetric.builder("w", TargetType.GAUGE).value(Double.POSITIVE_INFINITY))
                .isInstanceOf(IllegalArgumentException.class);
        AnodotMetric.Builder many = AnodotMetric.builder("w", TargetType.GAUGE);
        for (int i = 0; i < 18; i++) {
            many.property("p" + i, "v");
        }
        assertThatThrownBy(() -> many.property("one_too_many", "v"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("20 properties");
        AnodotMetric.Builder tagged = AnodotMetric.builder("w", TargetType.GAUGE);
        for (int i = 0; i < 40; i++) {
            tagged.tag("t", "v" + i);
        }
        assertThatThrownBy(() -> tagged.tag("t", "v40")).hasMessageContaining("40 tags");
        assertThatThrownBy(() -> AnodotMetric.builder("w", TargetType.GAUGE).property("model", ""))
                .hasMessageContaining("non-empty");
    }

    @Test
    void writesFilesAtomicallyAndReadsThemBack(@TempDir Path dir) throws Exception {
        List<AnodotMetric> metrics = List.of(
                AnodotMetric.builder("buffer_count", TargetType.COUNTER).property("model", "m").timestamp(60).value(10),
                AnodotMetric.builder("inference_calls", TargetType.COUNTER).property("model", "m").timestamp(60).value(2));
        Path file = dir.resolve("anodot/m-60.json");

        AnodotFiles.writeAtomically(file, metrics);
        AnodotFiles.writeAtomically(file, metrics); // rewriting replaces, and leaves no temporary files behind

        assertThat(AnodotFiles.read(file)).isEqualTo(metrics);
        try (var files = Files.list(file.getParent())) {
            assertThat(files).containsExactly(file);
        }
        assertThat(new ObjectMapper().readTree(file.toFile()).isArray()).isTrue();
    }
}
