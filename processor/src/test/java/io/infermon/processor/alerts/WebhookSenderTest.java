package io.infermon.processor.alerts;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alert webhook against a WireMock receiver: through an outage and its recovery, and across a restart, every
 * event arrives exactly once and in order; a refusal (4xx) is counted and skipped; the token is in no message.
 */
class WebhookSenderTest {
    private static final String TOKEN = "tok-7f3a9c-secret";
    private static final String PATH = "/hooks/T0001/secret-path";

    @TempDir
    Path out;

    private WireMockServer receiver;
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong committed = new AtomicLong();

    @BeforeEach
    void start() {
        receiver = new WireMockServer(options().dynamicPort().jettyAcceptors(1));
        receiver.start();
    }

    @AfterEach
    void stop() {
        receiver.stop();
    }

    private WebhookSettings settings(int retries) {
        return new WebhookSettings(URI.create("http://127.0.0.1:" + receiver.port() + PATH),
                Map.of("Authorization", "Bearer " + TOKEN), Duration.ofSeconds(5), retries, Duration.ofMillis(10),
                Duration.ofMillis(50));
    }

    private void answer(int status) {
        receiver.resetMappings();
        receiver.stubFor(post(urlEqualTo(PATH)).withHeader("Authorization", equalTo("Bearer " + TOKEN))
                .willReturn(aResponse().withStatus(status)));
    }

    /** Appends events for buckets from..to-1 to alerts.jsonl and makes them final. */
    private List<String> events(int from, int to) throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = from; i < to; i++) {
            lines.add(new AlertEvent("drift", i % 2 == 0, "drift_share", Map.of("what", "drift_share", "model",
                    "digits"), 0.1 * i, "above 0.3", 1, 60L * i, i % 2 == 0 ? null : 60L * (i - 1)).toJsonLine());
        }
        Files.writeString(out.resolve(AlertsFile.NAME), String.join("\n", lines) + "\n", StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        committed.set(Files.size(out.resolve(AlertsFile.NAME)));
        return lines;
    }

    /** The bodies the receiver accepted (2xx), in the order it got them. */
    private List<String> accepted() {
        List<ServeEvent> all = new ArrayList<>(receiver.getAllServeEvents());
        Collections.reverse(all); // WireMock lists the newest first
        return all.stream().filter(e -> e.getResponse().getStatus() == 200)
                .map(e -> e.getRequest().getBodyAsString()).toList();
    }

    @Test
    void everyEventArrivesOnceThroughAnOutageAndARestart() throws Exception {
        answer(503);
        List<String> first = events(0, 3);
        WebhookSender sender = WebhookSender.start(settings(WebhookSettings.UNLIMITED), out, committed::get,
                log::add);
        await().atMost(Duration.ofSeconds(20)).until(() -> sender.failedAttempts() >= 4);
        assertThat(sender.offset()).isZero();
        answer(200); // the receiver is back
        await().atMost(Duration.ofSeconds(20)).until(() -> sender.offset() == committed.get());
        assertThat(accepted()).containsExactlyElementsOf(first);
        sender.close();

        List<String> second = events(3, 6); // written while the processor was down
        assertThat(Files.readString(out.resolve(WebhookSender.OFFSET_FILE)).trim())
                .isEqualTo(String.valueOf(first.stream().mapToInt(l -> l.length() + 1).sum()));
        WebhookSender restarted = WebhookSender.start(settings(WebhookSettings.UNLIMITED), out, committed::get,
                log::add);
        await().atMost(Duration.ofSeconds(20)).until(() -> restarted.offset() == committed.get());
        restarted.close();
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        assertThat(accepted()).containsExactlyElementsOf(all);
        assertThat(receiver.getAllServeEvents()).allSatisfy(e ->
                assertThat(e.getRequest().getHeader("Content-Type")).isEqualTo("application/json"));
        assertThat(log).isNotEmpty().allSatisfy(line -> assertThat(line).doesNotContain(TOKEN)
                .doesNotContain("secret-path"));
        assertThat(log).anyMatch(l -> l.contains("HTTP 503"));
    }

    @Test
    void onlyWhatACheckpointHoldsIsSent() throws Exception {
        answer(200);
        List<String> lines = events(0, 4);
        long twoLines = lines.get(0).length() + 1 + lines.get(1).length() + 1;
        committed.set(twoLines);
        WebhookSender sender = WebhookSender.start(settings(WebhookSettings.UNLIMITED), out, committed::get,
                log::add);
        await().atMost(Duration.ofSeconds(20)).until(() -> sender.offset() == twoLines);
        assertThat(accepted()).containsExactlyElementsOf(lines.subList(0, 2));
        committed.set(Files.size(out.resolve(AlertsFile.NAME)));
        sender.committed();
        await().atMost(Duration.ofSeconds(20)).until(() -> sender.offset() == committed.get());
        sender.close();
        assertThat(accepted()).containsExactlyElementsOf(lines);
    }

    @Test
    void aRefusedEventIsCountedAndSkippedAndRetriesAreBounded() throws Exception {
        answer(400);
        events(0, 2);
        WebhookSender sender = WebhookSender.start(settings(WebhookSettings.UNLIMITED), out, committed::get,
                log::add);
        await().atMost(Duration.ofSeconds(20)).until(() -> sender.offset() == committed.get());
        sender.close();
        assertThat(sender.refused()).isEqualTo(2);
        assertThat(sender.sent()).isZero();
        assertThat(receiver.getAllServeEvents()).hasSize(2); // a 4xx is not retried
        assertThat(log).anyMatch(l -> l.contains("refused an event with HTTP 400"));

        answer(500);
        events(2, 3);
        WebhookSender bounded = WebhookSender.start(settings(2), out, committed::get, log::add);
        await().atMost(Duration.ofSeconds(20)).until(() -> bounded.offset() == committed.get());
        bounded.close();
        assertThat(bounded.refused()).isEqualTo(1);
        assertThat(bounded.failedAttempts()).isEqualTo(3); // the first attempt and 2 retries
        assertThat(log).allSatisfy(line -> assertThat(line).doesNotContain(TOKEN).doesNotContain("secret-path"));
    }
}
