package io.infermon.anodot.delivery;

import io.infermon.anodot.AnodotMetric;
import io.infermon.anodot.AnodotValidator;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one file's worth of metrics (a closed bucket, or a stored 2.0 file) to Anodot: validates and sorts them,
 * splits them into batches, and sends each batch until Anodot answers for good, recording every acknowledged batch
 * in the {@link DeliveryLedger} before going on. One thread at a time: the spool's worker, or the send command.
 *
 * <p>Retries with exponential back-off and jitter on connection errors, time-outs, 429 and 5xx; gives up at once on
 * 400, 401, 403 (and other 4xx), which no retry would change. Starts at most
 * {@link SenderConfig#requestsPerSecond()} requests a second.
 */
public final class MetricSender {
    private static final Logger LOG = LoggerFactory.getLogger(MetricSender.class);
    private static final int MAX_LOGGED_METRIC_ERRORS = 20;

    /** How a file's delivery ended. */
    public enum Status {
        /** Every valid metric reached Anodot (some may have been listed in its {@code errors}). */
        DELIVERED,
        /** The ledger says this file was delivered before: nothing was sent. */
        ALREADY_DELIVERED,
        /** Anodot refused a request (400, 401, 403...): the rest of the file was not sent. */
        REFUSED,
        /** {@link SenderConfig#maxAttempts()} attempts failed for one batch. */
        GAVE_UP,
        /** {@link #stop()} was called while waiting. What was acknowledged is in the ledger. */
        STOPPED
    }

    /** What happened to one file. Counts are of metrics. */
    public record FileResult(Status status, long sent, long rejected, long invalid, String reason) {
    }

    /** Told after each batch; the send command draws its progress bar from it. */
    public interface Progress {
        void batchDone(String name, long doneInFile, long totalInFile);

        Progress NONE = (n, d, t) -> { };
    }

    private final SenderConfig config;
    private final AnodotHttpClient client;
    private final DeliveryLedger ledger;
    private final SenderHealth health;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final long minNanosBetweenRequests;
    private long lastRequestNanos;
    private boolean outage; // log the start and end of an outage, not every retry

    public MetricSender(SenderConfig config, DeliveryLedger ledger, SenderHealth health) {
        this.config = config;
        this.client = new AnodotHttpClient(config);
        this.ledger = ledger;
        this.health = health;
        this.minNanosBetweenRequests = (long) (1e9 / config.requestsPerSecond());
        this.lastRequestNanos = System.nanoTime() - minNanosBetweenRequests;
    }

    public SenderConfig config() {
        return config;
    }

    public SenderHealth health() {
        return health;
    }

    public DeliveryLedger ledger() {
        return ledger;
    }

    /** Ends waits (back-off, rate limit) at once; a send in progress returns {@link Status#STOPPED}. */
    public void stop() {
        stopped.countDown();
    }

    public boolean isStopped() {
        return stopped.getCount() == 0;
    }

    /**
     * Sends the metrics of the file {@code name}, skipping what the ledger says Anodot already has.
     *
     * @throws IOException when the ledger cannot be written (then nothing more is sent: better late than twice)
     */
    public FileResult send(String name, List<AnodotMetric> metrics, Progress progress)
            throws IOException, InterruptedException {
        AnodotValidator.Result checked = AnodotValidator.check(metrics, config.clock().instant().getEpochSecond());
        List<AnodotMetric> valid = checked.valid();
        if (ledger.isDelivered(name)) {
            health.alreadyDelivered.addAndGet(valid.size());
            return new FileResult(Status.ALREADY_DELIVERED, 0, 0, 0, "delivered before");
        }
        long invalid = checked.invalidCount();
        if (invalid > 0) {
            health.invalid.addAndGet(invalid);
            LOG.warn("{}: {} metrics break Anodot's rules and are not sent: {}; e.g. {}", name, invalid,
                    checked.invalidByReason(), checked.examples().get(0));
        }
        int total = valid.size();
        long from = Math.min(ledger.acknowledged(name), total);
        long sent = 0;
        long rejected = 0;
        if (total == 0) {
            ledger.record(name, 0, 0);
        }
        for (int start = (int) from; start < total; start += config.batchSize()) {
            int end = Math.min(total, start + config.batchSize());
            List<AnodotMetric> batch = valid.subList(start, end);
            AnodotHttpClient.Outcome outcome = postWithRetries(name, batch);
            if (outcome instanceof AnodotHttpClient.Accepted accepted) {
                ledger.record(name, end, total);
                int errors = countErrors(name, batch, accepted.errors());
                rejected += errors;
                sent += batch.size() - errors;
                health.rejected.addAndGet(errors);
                health.sent.addAndGet(batch.size() - errors);
                progress.batchDone(name, end, total);
            } else if (outcome instanceof AnodotHttpClient.Refused refused) {
                long unsent = total - start;
                health.rejected.addAndGet(unsent);
                LOG.error("Anodot refused {} ({} metrics not sent; no retry): {}", name, unsent, refused.reason());
                return new FileResult(Status.REFUSED, sent, rejected + unsent, invalid, refused.reason());
            } else if (outcome instanceof AnodotHttpClient.Retry retry) {
                return new FileResult(isStopped() ? Status.STOPPED : Status.GAVE_UP, sent, rejected, invalid,
                        retry.reason());
            }
        }
        return new FileResult(Status.DELIVERED, sent, rejected, invalid, "");
    }

    /** Distinct metrics of the batch that Anodot listed in {@code errors}, each logged with its name. */
    private static int countErrors(String name, List<AnodotMetric> batch, List<AnodotHttpClient.MetricError> errors) {
        java.util.BitSet seen = new java.util.BitSet(batch.size());
        int logged = 0;
        for (AnodotHttpClient.MetricError e : errors) {
            if (e.index() < 0 || e.index() >= batch.size() || seen.get(e.index())) {
                continue;
            }
            seen.set(e.index());
            if (logged++ < MAX_LOGGED_METRIC_ERRORS) {
                LOG.warn("{}: Anodot rejected {} (error {}: {})", name, batch.get(e.index()), e.code(),
                        e.description());
            }
        }
        if (logged > MAX_LOGGED_METRIC_ERRORS) {
            LOG.warn("{}: ... and {} more rejected metrics", name, logged - MAX_LOGGED_METRIC_ERRORS);
        }
        return seen.cardinality();
    }

    /** Sends one batch until Anodot answers for good, attempts run out, or stop. The last outcome is returned. */
    private AnodotHttpClient.Outcome postWithRetries(String name, List<AnodotMetric> batch)
            throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            if (!awaitRateLimit()) {
                return new AnodotHttpClient.Retry("stopped", java.util.Optional.empty());
            }
            if (attempt > 1) {
                health.retried.incrementAndGet();
            }
            AnodotHttpClient.Outcome outcome = client.post(batch);
            if (!(outcome instanceof AnodotHttpClient.Retry retry)) {
                if (outage) {
                    outage = false;
                    LOG.warn("Anodot answers again ({}); sending {}", config.redactedEndpoint(), name);
                }
                return outcome;
            }
            if (!outage) {
                outage = true;
                LOG.warn("Anodot not reachable ({}): {}; retrying with back-off",
                        config.redactedEndpoint(), retry.reason());
            }
            if (config.maxAttempts() > 0 && attempt >= config.maxAttempts()) {
                return retry;
            }
            Duration wait = backoff(attempt);
            if (retry.retryAfter().isPresent() && retry.retryAfter().get().compareTo(wait) > 0) {
                wait = retry.retryAfter().get().compareTo(config.maxBackoff()) > 0 ? config.maxBackoff()
                        : retry.retryAfter().get();
            }
            if (stopped.await(wait.toNanos(), TimeUnit.NANOSECONDS)) {
                return retry;
            }
        }
    }

    /** Exponential back-off with "equal jitter": half the doubled delay fixed, half random. */
    Duration backoff(int failedAttempts) {
        long initial = config.initialBackoff().toNanos();
        long max = config.maxBackoff().toNanos();
        long exp = failedAttempts >= 62 ? max : initial << Math.min(failedAttempts - 1, 40);
        long delay = exp <= 0 || exp > max ? max : exp;
        long half = delay / 2;
        return Duration.ofNanos(half + (half == 0 ? 0 : ThreadLocalRandom.current().nextLong(half + 1)));
    }

    /** Waits for the next request slot; false when stopped meanwhile. */
    private boolean awaitRateLimit() throws InterruptedException {
        long wait = lastRequestNanos + minNanosBetweenRequests - System.nanoTime();
        if (wait > 0 && stopped.await(wait, TimeUnit.NANOSECONDS)) {
            return false;
        }
        if (isStopped()) {
            return false;
        }
        lastRequestNanos = System.nanoTime();
        return true;
    }
}
