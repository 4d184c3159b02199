package io.infermon.anodot.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.infermon.anodot.AnodotJson;
import io.infermon.anodot.AnodotMetric;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One request to Anodot's 2.0 endpoint, {@code POST {url}/api/v1/metrics?token=...&protocol=anodot20} with a JSON
 * array, and what its answer means for the caller. Nothing here retries or waits; {@link MetricSender} does.
 */
public final class AnodotHttpClient {
    /** Anodot's error codes that mean "slow down", whole-request rather than about one metric. */
    private static final List<String> THROTTLE_CODES = List.of("2002", "2003");
    private static final int MAX_REASON_CHARS = 300;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SenderConfig config;
    private final HttpClient http;

    public AnodotHttpClient(SenderConfig config) {
        this.config = config;
        this.http = HttpClient.newBuilder()
                .connectTimeout(config.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER) // a redirect would carry the token to another place
                .build();
    }

    /** What one request came to. */
    public sealed interface Outcome {
    }

    /** Anodot took the request; {@code errors} lists the metrics it refused (by index into the batch). */
    public record Accepted(List<MetricError> errors) implements Outcome {
    }

    /** Worth trying again: connection error, time-out, 429, 5xx, or a throttling answer. */
    public record Retry(String reason, Optional<Duration> retryAfter) implements Outcome {
    }

    /** Trying again would get the same answer (400, 401, 403, other 4xx). */
    public record Refused(int status, String reason) implements Outcome {
    }

    /** One entry of a 200 answer's {@code errors}: which metric of the batch, Anodot's code and text. */
    public record MetricError(int index, String code, String description) {
    }

    public Outcome post(List<AnodotMetric> batch) throws InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(config.endpoint())
                .timeout(config.requestTimeout())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(AnodotJson.toJsonArray(batch)))
                .build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException e) {
            return new Retry("no answer within " + config.requestTimeout().toMillis() + " ms", Optional.empty());
        } catch (IOException e) {
            // the JDK's messages name hosts, not query strings, but redact anyway: this text gets logged
            return new Retry("connection failed: " + config.token().redact(String.valueOf(e)), Optional.empty());
        }
        int status = response.statusCode();
        String body = config.token().redact(response.body());
        if (status >= 200 && status < 300) {
            return accepted(body);
        }
        if (status == 429 || status == 408 || status >= 500) {
            return new Retry("HTTP " + status + reasonSuffix(body), retryAfter(response));
        }
        return new Refused(status, "HTTP " + status + reasonSuffix(body));
    }

    private static Outcome accepted(String body) {
        List<MetricError> errors = new ArrayList<>();
        JsonNode root;
        try {
            root = body == null || body.isBlank() ? null : JSON.readTree(body);
        } catch (IOException e) {
            root = null; // a 200 whose body is not JSON: Anodot took the batch and said nothing more
        }
        JsonNode list = root == null ? null : root.get("errors");
        if (list != null && list.isArray()) {
            for (JsonNode e : list) {
                String code = text(e, "error", "code", "id");
                String description = text(e, "description", "message");
                JsonNode index = e.get("index");
                if (index == null || !(index.canConvertToInt() || index.asText().trim().matches("\\d+"))) {
                    if (THROTTLE_CODES.contains(code)) {
                        return new Retry("throttled by Anodot (" + code + ": " + description + ")",
                                Optional.empty());
                    }
                    continue; // an error about the whole request that still accepted it: nothing to count
                }
                int i = index.isNumber() ? index.asInt() : Integer.parseInt(index.asText().trim());
                errors.add(new MetricError(i, code, description));
            }
        }
        return new Accepted(errors);
    }

    private static String text(JsonNode e, String... names) {
        for (String n : names) {
            JsonNode v = e.get(n);
            if (v != null && !v.isNull()) {
                return v.asText();
            }
        }
        return "";
    }

    private static Optional<Duration> retryAfter(HttpResponse<?> response) {
        return response.headers().firstValue("Retry-After").flatMap(v -> {
            try {
                return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(v.trim()))));
            } catch (NumberFormatException e) {
                return Optional.empty(); // an HTTP date: fall back on our own back-off
            }
        });
    }

    private static String reasonSuffix(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        String oneLine = body.replaceAll("\\s+", " ").strip();
        return ": " + (oneLine.length() > MAX_REASON_CHARS ? oneLine.substring(0, MAX_REASON_CHARS) + "..." : oneLine);
    }
}
