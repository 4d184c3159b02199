package io.infermon.processor.alerts;

import io.infermon.processor.output.OffsetFile;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * POSTs each line of {@code alerts.jsonl} to the webhook, in order, from a thread of its own so that a slow or absent
 * receiver never holds up the processor. It sends only as far as the latest checkpoint holds (a line past it may
 * still be cut off by a restart) and records how far it got in {@code OUT/alerts.webhook-offset}, written atomically
 * after each answered event: a restart goes on from there, so each event is sent once. (Killed in the instant between
 * the receiver's answer and that write, the one event in flight is sent again.)
 *
 * <p>Connection errors, time-outs, 5xx and 429 are retried with doubling back-off (up to {@code retries} times,
 * without limit by default); any other answer that is not 2xx is the receiver refusing the event: logged, counted
 * and skipped, since sending it again would not change the answer. Messages name the webhook by scheme, host and
 * port only: the URL's path and the headers may hold secrets.
 */
public final class WebhookSender implements AutoCloseable {
    public static final String OFFSET_FILE = "alerts.webhook-offset";
    private static final long IDLE_WAIT_MILLIS = 200;

    private final WebhookSettings settings;
    private final Path alertsFile;
    private final Path offsetFile;
    private final LongSupplier committed;
    private final Consumer<String> log;
    private final HttpClient client;
    private final Thread thread;
    private final Object wake = new Object();
    private volatile boolean closed;
    private volatile long offset;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong failedAttempts = new AtomicLong();

    private WebhookSender(WebhookSettings settings, Path outDir, LongSupplier committed, Consumer<String> log)
            throws IOException {
        this.settings = settings;
        this.alertsFile = outDir.resolve(AlertsFile.NAME);
        this.offsetFile = outDir.resolve(OFFSET_FILE);
        this.committed = committed;
        this.log = log;
        this.offset = OffsetFile.read(offsetFile, "every alert event");
        this.client = HttpClient.newBuilder().connectTimeout(settings.timeout()).build();
        this.thread = new Thread(this::run, "infermon-alert-webhook");
        thread.setDaemon(true);
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
        s.thread.start();
        return s;
    }

    /** Tells the sender that more of alerts.jsonl is final (it also looks by itself a few times a second). */
    public void committed() {
        synchronized (wake) {
            wake.notifyAll();
        }
    }

    private void run() {
        boolean failing = false;
        while (!closed) {
            try {
                long end = committed.getAsLong();
                if (end < offset) {
                    log.accept("infermon: alerts.jsonl was started afresh (shorter than what the webhook had sent); "
                            + "sending it from its beginning");
                    saveOffset(0);
                }
                if (offset >= end) {
                    pause(IDLE_WAIT_MILLIS);
                    continue;
                }
                sendUpTo(end);
                if (failing) {
                    failing = false;
                }
            } catch (IOException e) {
                if (!failing) {
                    failing = true;
                    log.accept("infermon: alert webhook: cannot read or record progress (" + e.getMessage()
                            + "); will retry");
                }
                try {
                    pause(1000);
                } catch (InterruptedException stop) {
                    return;
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Sends every whole line between the offset and {@code end}. */
    private void sendUpTo(long end) throws IOException, InterruptedException {
        for (AlertsFile.Line line : AlertsFile.wholeLines(alertsFile, offset, end, 1 << 20)) {
            if (closed || !deliver(line.text())) {
                return; // closed while retrying: this event is sent by the next run
            }
            saveOffset(line.end());
        }
    }

    /** Sends one event until it is answered; false when closed before. */
    private boolean deliver(String line) throws InterruptedException {
        long pause = settings.backoff().toMillis();
        for (int attempt = 0; !closed; attempt++) {
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

    private void pause(long millis) throws InterruptedException {
        synchronized (wake) {
            if (!closed) {
                TimeUnit.MILLISECONDS.timedWait(wake, millis);
            }
        }
    }

    private void saveOffset(long next) throws IOException {
        OffsetFile.write(offsetFile, next);
        offset = next;
    }

    /** Bytes of alerts.jsonl answered so far. */
    public long offset() {
        return offset;
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
        long deadline = System.nanoTime() + timeout.toNanos();
        while (offset < committed.getAsLong() && System.nanoTime() < deadline) {
            committed();
            Thread.sleep(20); // a drain's last wait for a background thread, not a test's synchronisation
        }
        return offset >= committed.getAsLong();
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        committed();
        thread.join(settings.timeout().toMillis() + 1000);
    }
}
