package io.infermon.processor.alerts;

import io.infermon.processor.output.CommittedFileFollower;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * POSTs each line of {@code alerts.jsonl} to the webhook, in order, following the file as a
 * {@link CommittedFileFollower}: only as far as the latest checkpoint holds, with its progress in
 * {@code OUT/alerts.webhook-offset}, written after each answered event, so each event is sent once.
 *
 * <p>Connection errors, time-outs, 5xx and 429 are retried with doubling back-off (up to {@code retries} times,
 * without limit by default); any other answer that is not 2xx is the receiver refusing the event: logged, counted
 * and skipped, since sending it again would not change the answer. Messages name the webhook by scheme, host and
 * port only: the URL's path and the headers may hold secrets.
 */
public final class WebhookSender extends CommittedFileFollower {
    public static final String OFFSET_FILE = "alerts.webhook-offset";

    private final WebhookSettings settings;
    private final Path alertsFile;
    private final HttpClient client;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong failedAttempts = new AtomicLong();

    private WebhookSender(WebhookSettings settings, Path outDir, LongSupplier committed, Consumer<String> log)
            throws IOException {
        super(outDir.resolve(AlertsFile.NAME), outDir.resolve(OFFSET_FILE), "every alert event", committed,
                "alert webhook", "infermon-alert-webhook", log);
        this.settings = settings;
        this.alertsFile = outDir.resolve(AlertsFile.NAME);
        this.client = HttpClient.newBuilder().connectTimeout(settings.timeout()).build();
    }

    /**
     * Starts sending.
     *
     * @param committed how far alerts.jsonl is final (the latest checkpoint's length)
     * @param log       where problems are told (never with the URL's path or a header's value)
     */
    public static WebhookSender start(WebhookSettings settings, Path outDir, LongSupplier committed,
                                      Consumer<String> log) throws IOException {
        WebhookSender s = new WebhookSender(settings, outDir, committed, log);
        s.startFollowing();
        return s;
    }

    /** Sends every whole line between the offset and {@code end}. */
    @Override
    protected void follow(long end) throws IOException, InterruptedException {
        for (AlertsFile.Line line : AlertsFile.wholeLines(alertsFile, offset(), end, 1 << 20)) {
            if (isClosed() || !deliver(line.text())) {
                return; // closed while retrying: this event is sent by the next run
            }
            advanceTo(line.end());
        }
    }

    /** Sends one event until it is answered; false when closed before. */
    private boolean deliver(String line) throws InterruptedException {
        long pause = settings.backoff().toMillis();
        for (int attempt = 0; !isClosed(); attempt++) {
            String failure;
            try {
                HttpRequest.Builder request = HttpRequest.newBuilder(settings.url()).timeout(settings.timeout())
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(line, StandardCharsets.UTF_8));
                settings.headers().forEach(request::header);
                int status = client.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status / 100 == 2) {
                    sent.incrementAndGet();
                    return true;
                }
                if (status != 429 && status < 500) {
                    refused.incrementAndGet();
                    log.accept("infermon: alert webhook " + settings.redactedUrl() + " refused an event with HTTP "
                            + status + "; skipped it (" + refused.get() + " refused so far)");
                    return true;
                }
                failure = "HTTP " + status;
            } catch (IOException e) {
                failure = e.getClass().getSimpleName(); // its message could hold the URL
            }
            failedAttempts.incrementAndGet();
            if (settings.retries() != WebhookSettings.UNLIMITED && attempt >= settings.retries()) {
                refused.incrementAndGet();
                log.accept("infermon: alert webhook " + settings.redactedUrl() + " failed " + (attempt + 1)
                        + " times (" + failure + "); gave up on an event (" + refused.get() + " given up so far)");
                return true;
            }
            if (attempt == 0) {
                log.accept("infermon: alert webhook " + settings.redactedUrl() + " failed (" + failure
                        + "); retrying with back-off");
            }
            pause(pause);
            pause = Math.min(pause * 2, settings.backoffMax().toMillis());
        }
        return false;
    }

    public long sent() {
        return sent.get();
    }

    /** Events the receiver refused (a 4xx) or that were given up after the retries. */
    public long refused() {
        return refused.get();
    }

    public long failedAttempts() {
        return failedAttempts.get();
    }

    /** Waits until everything final is answered or {@code timeout} passes; true when it is. */
    public boolean awaitSent(Duration timeout) throws InterruptedException {
        return awaitCaughtUp(timeout);
    }

    @Override
    public void close() throws InterruptedException {
        stopFollowing(settings.timeout().toMillis() + 1000);
    }
}
