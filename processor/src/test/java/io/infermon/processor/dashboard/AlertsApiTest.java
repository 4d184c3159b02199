package io.infermon.processor.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.infermon.processor.alerts.AlertEvent;
import io.infermon.processor.alerts.AlertsFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GET /api/v1/alerts and infermon_alerts_open, both read from alerts.jsonl (so the standalone dashboard has them). */
class AlertsApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path out;

    private static String get(URI base, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static AlertEvent event(String alert, boolean open, String model, long bucket) {
        return new AlertEvent(alert, open, "drift_share", Map.of("what", "drift_share", "model", model), open ? 0.8
                : 0.1, "above 0.3", 2, bucket, open ? null : bucket - 120);
    }

    private void append(AlertEvent... events) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (AlertEvent e : events) {
            sb.append(e.toJsonLine()).append('\n');
        }
        Files.writeString(out.resolve(AlertsFile.NAME), sb, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    @Test
    void openAlertsAndRecentEventsFollowTheFile() throws Exception {
        append(event("drift", true, "digits", 600), event("drift", true, "iris", 600),
                event("drift", false, "digits", 720), event("slow", true, "digits", 780));
        try (DashboardServer server = DashboardServer.start(DashboardSettings.of("127.0.0.1", 0, null), out, null,
                100)) {
            JsonNode body = JSON.readTree(get(server.url(), "api/v1/alerts"));
            assertThat(body.get("events")).hasSize(4);
            assertThat(body.get("events").get(2).get("state").asText()).isEqualTo("resolved");
            assertThat(body.get("events").get(2).get("opened_bucket").asLong()).isEqualTo(600);
            List<String> open = body.get("open").findValuesAsText("alert");
            assertThat(open).containsExactly("drift", "slow");
            assertThat(body.get("open").get(0).get("series").get("model").asText()).isEqualTo("iris");

            PrometheusText metrics = PrometheusText.parse(get(server.url(), "metrics"));
            assertThat(metrics.value("infermon_alerts_open", "alert", "drift")).isEqualTo(1);
            assertThat(metrics.value("infermon_alerts_open", "alert", "slow")).isEqualTo(1);

            append(event("drift", false, "iris", 840)); // the file grows: the next request sees it
            assertThat(PrometheusText.parse(get(server.url(), "metrics")).value("infermon_alerts_open", "alert",
                    "drift")).isEqualTo(0);
            Files.writeString(out.resolve(AlertsFile.NAME), event("slow", true, "iris", 900).toJsonLine() + "\n");
            // cut back and rewritten (a restart): read again from the start
            JsonNode again = JSON.readTree(get(server.url(), "api/v1/alerts"));
            assertThat(again.get("events")).hasSize(1);
            assertThat(again.get("open").get(0).get("series").get("model").asText()).isEqualTo("iris");
        }
    }
}
