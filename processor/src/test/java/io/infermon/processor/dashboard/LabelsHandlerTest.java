package io.infermon.processor.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.infermon.processor.labels.Label;
import io.infermon.processor.labels.LabelStream;
import io.infermon.processor.labels.LabelStreamTestAccess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code POST /v1/labels}: good rows kept durably, bad rows refused with their index, the token enforced. */
class LabelsHandlerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    private static HttpResponse<String> post(URI base, String body, String token) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(base.resolve("v1/labels")).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            r.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    private List<LabelStream.Batch> inbox(Path labels) throws Exception {
        List<LabelStream.Batch> batches = new ArrayList<>();
        try (var files = Files.list(labels.resolve("inbox"))) {
            for (Path f : files.sorted().toList()) {
                batches.add(LabelStreamTestAccess.read(f));
            }
        }
        return batches;
    }

    @Test
    void goodRowsAreKeptAndBadOnesRefusedByIndex() throws Exception {
        Path out = dir.resolve("out");
        Files.createDirectories(out);
        Path labels = out.resolve("labels");
        AtomicInteger told = new AtomicInteger();
        try (DashboardServer server = DashboardServer.start(DashboardSettings.of("127.0.0.1", 0, null), out, null,
                10)) {
            server.acceptLabels(labels, Duration.ofHours(1), told::incrementAndGet);
            long before = System.currentTimeMillis();
            String body = """
                    [{"id": "a1", "label": 3},
                     {"id": 17, "label": "0", "time": "2026-11-20T10:00:00Z"},
                     {"id": "r", "value": 2.5, "time": 1795000000.25},
                     {"id": "bad", "label": 2.5},
                     {"label": 1},
                     {"id": "x", "label": 1, "value": 2},
                     {"id": "y", "lable": 1},
                     {"id": "z", "label": 1, "time": "yesterday"},
                     {"id": "f", "label": 1, "time": "2099-01-01T00:00:00Z"},
                     "not an object"]""";
            HttpResponse<String> r = post(server.url(), body, null);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode answer = JSON.readTree(r.body());
            assertThat(answer.get("accepted").asInt()).isEqualTo(3);
            assertThat(answer.get("rejected").asInt()).isEqualTo(7);
            List<Integer> indexes = new ArrayList<>();
            answer.get("errors").forEach(e -> indexes.add(e.get("index").asInt()));
            assertThat(indexes).containsExactly(3, 4, 5, 6, 7, 8, 9);
            assertThat(answer.get("errors").get(0).get("error").asText()).contains("label must be a class id");
            assertThat(answer.get("errors").get(3).get("error").asText()).contains("unknown field 'lable'");
            assertThat(answer.get("errors").get(5).get("error").asText()).contains("in the future");
            assertThat(told).hasValue(1);

            List<LabelStream.Batch> batches = inbox(labels);
            assertThat(batches).hasSize(1);
            LabelStream.Batch b = batches.get(0);
            assertThat(b.rejectedRows()).isEqualTo(7);
            assertThat(b.labels()).hasSize(3);
            assertThat(b.labels().get(0).id()).isEqualTo("a1");
            assertThat(b.labels().get(0).value()).isEqualTo(3.0);
            assertThat(b.labels().get(0).timeMillis()).isBetween(before, System.currentTimeMillis());
            assertThat(b.labels().get(1)).isEqualTo(new Label("17", 0, Instant.parse("2026-11-20T10:00:00Z")
                    .toEpochMilli()));
            assertThat(b.labels().get(2)).isEqualTo(new Label("r", 2.5, 1_795_000_000_250L));

            HttpResponse<String> notArray = post(server.url(), "{\"id\": \"a\", \"label\": 1}", null);
            assertThat(notArray.statusCode()).isEqualTo(400);
            HttpResponse<String> broken = post(server.url(), "[{\"id\": \"a\", \"label\": 1}", null);
            assertThat(broken.statusCode()).isEqualTo(400);
            assertThat(inbox(labels)).hasSize(1); // nothing kept of a body that is not an array
            HttpResponse<String> get = HTTP.send(HttpRequest.newBuilder(server.url().resolve("v1/labels")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(get.statusCode()).isEqualTo(405);
        }
    }

    @Test
    void withATokenLabelsNeedIt() throws Exception {
        Path out = dir.resolve("out");
        Files.createDirectories(out);
        Path tokenFile = dir.resolve("token");
        Files.writeString(tokenFile, "s3cret-label-token\n");
        try (DashboardServer server = DashboardServer.start(DashboardSettings.of("127.0.0.1", 0, tokenFile), out,
                null, 10)) {
            server.acceptLabels(out.resolve("labels"), Duration.ofHours(1), () -> { });
            String body = "[{\"id\": \"a\", \"label\": 1}]";
            HttpResponse<String> without = post(server.url(), body, null);
            assertThat(without.statusCode()).isEqualTo(401);
            assertThat(without.body()).doesNotContain("s3cret");
            assertThat(post(server.url(), body, "wrong").statusCode()).isEqualTo(401);
            assertThat(Files.exists(out.resolve("labels").resolve("inbox"))
                    && Files.list(out.resolve("labels").resolve("inbox")).findAny().isPresent()).isFalse();
            HttpResponse<String> with = post(server.url(), body, "s3cret-label-token");
            assertThat(with.statusCode()).isEqualTo(200);
            assertThat(inbox(out.resolve("labels"))).hasSize(1);
        }
    }
}
