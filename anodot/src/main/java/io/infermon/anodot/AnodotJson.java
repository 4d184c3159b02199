package io.infermon.anodot;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/** Anodot 2.0 JSON: an array of metrics for a file or a request body, one metric per line for {@code metrics.jsonl}. */
public final class AnodotJson {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
    private static final TypeReference<List<AnodotMetric>> LIST = new TypeReference<>() {
    };

    private AnodotJson() {
    }

    /** A JSON array of the metrics, as UTF-8. */
    public static byte[] toJsonArray(List<AnodotMetric> metrics) {
        try {
            return MAPPER.writeValueAsBytes(metrics);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One metric as a single line of JSON (no line break). */
    public static String toJsonLine(AnodotMetric metric) {
        try {
            return MAPPER.writeValueAsString(metric);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static List<AnodotMetric> readArray(InputStream in) throws IOException {
        return MAPPER.readValue(in, LIST);
    }

    public static AnodotMetric readLine(String line) throws IOException {
        return MAPPER.readValue(line, AnodotMetric.class);
    }
}
