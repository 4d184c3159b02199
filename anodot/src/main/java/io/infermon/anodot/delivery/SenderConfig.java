package io.infermon.anodot.delivery;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * How the sender talks to Anodot. Defaults suit a live processor; tests shorten the timeouts and back-off.
 *
 * @param baseUrl            Anodot's API root, e.g. {@code https://api.anodot.com}; the sender appends
 *                           {@code /api/v1/metrics}
 * @param token              the data-collection token
 * @param batchSize          metrics per request, 1 to {@value #MAX_BATCH_SIZE} (Anodot's documented maximum)
 * @param connectTimeout     for opening a connection
 * @param requestTimeout     for a whole request, from sending to the last byte of the answer
 * @param initialBackoff     the wait after the first failed attempt; it doubles with each further failure
 * @param maxBackoff         the longest wait between two attempts
 * @param maxAttempts        attempts per batch before giving up, or 0 to retry until stopped (the spool's way)
 * @param requestsPerSecond  at most this many requests are started per second
 * @param clock              for the "not more than an hour in the future" rule
 */
public record SenderConfig(URI baseUrl, AnodotToken token, int batchSize, Duration connectTimeout,
                           Duration requestTimeout, Duration initialBackoff, Duration maxBackoff, int maxAttempts,
                           double requestsPerSecond, Clock clock) {
    /** Anodot 2.0 accepts at most this many metrics in one request. */
    public static final int MAX_BATCH_SIZE = 10_000;
    public static final int DEFAULT_BATCH_SIZE = 1_000;

    public SenderConfig {
        Objects.requireNonNull(baseUrl, "baseUrl");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(clock, "clock");
        String scheme = baseUrl.getScheme();
        if (!"https".equalsIgnoreCase(scheme) && !"http".equalsIgnoreCase(scheme)) {
            throw new IllegalArgumentException("the Anodot URL must start with https:// (or http://), not '"
                    + token.redact(baseUrl.toString()) + "'");
        }
        if (baseUrl.getRawQuery() != null) {
            // a query would have to carry the token; it comes from INFERMON_ANODOT_TOKEN or a token file instead
            throw new IllegalArgumentException("the Anodot URL must not have a query (?...): give only the server, "
                    + "e.g. https://api.anodot.com, and the token through INFERMON_ANODOT_TOKEN or a token file");
        }
        if (batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
            throw new IllegalArgumentException("batch size " + batchSize + " is outside 1.." + MAX_BATCH_SIZE
                    + " (Anodot accepts at most " + MAX_BATCH_SIZE + " metrics per request)");
        }
        if (maxAttempts < 0) {
            throw new IllegalArgumentException("maxAttempts " + maxAttempts + " < 0");
        }
        if (!(requestsPerSecond > 0)) {
            throw new IllegalArgumentException("requestsPerSecond must be positive");
        }
        if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("back-off must satisfy 0 <= initial <= max");
        }
    }

    /** Production defaults: batches of 1,000, 10 s to connect, 30 s per request, 1 s doubling to 5 min, 5 req/s. */
    public static SenderConfig defaults(URI baseUrl, AnodotToken token) {
        return new SenderConfig(baseUrl, token, DEFAULT_BATCH_SIZE, Duration.ofSeconds(10), Duration.ofSeconds(30),
                Duration.ofSeconds(1), Duration.ofMinutes(5), 0, 5.0, Clock.systemUTC());
    }

    public SenderConfig withBatchSize(int n) {
        return new SenderConfig(baseUrl, token, n, connectTimeout, requestTimeout, initialBackoff, maxBackoff,
                maxAttempts, requestsPerSecond, clock);
    }

    public SenderConfig withTimeouts(Duration connect, Duration request) {
        return new SenderConfig(baseUrl, token, batchSize, connect, request, initialBackoff, maxBackoff,
                maxAttempts, requestsPerSecond, clock);
    }

    public SenderConfig withBackoff(Duration initial, Duration max) {
        return new SenderConfig(baseUrl, token, batchSize, connectTimeout, requestTimeout, initial, max,
                maxAttempts, requestsPerSecond, clock);
    }

    public SenderConfig withMaxAttempts(int n) {
        return new SenderConfig(baseUrl, token, batchSize, connectTimeout, requestTimeout, initialBackoff,
                maxBackoff, n, requestsPerSecond, clock);
    }

    public SenderConfig withRequestsPerSecond(double rate) {
        return new SenderConfig(baseUrl, token, batchSize, connectTimeout, requestTimeout, initialBackoff,
                maxBackoff, maxAttempts, rate, clock);
    }

    public SenderConfig withClock(Clock c) {
        return new SenderConfig(baseUrl, token, batchSize, connectTimeout, requestTimeout, initialBackoff,
                maxBackoff, maxAttempts, requestsPerSecond, c);
    }

    /** The metrics endpoint as it may be printed: the token replaced by {@code ***}. */
    public String redactedEndpoint() {
        return stripSlash(baseUrl.toString()) + "/api/v1/metrics?token=" + AnodotToken.MASK + "&protocol=anodot20";
    }

    URI endpoint() {
        return URI.create(stripSlash(baseUrl.toString()) + "/api/v1/metrics?token=" + token.urlEncoded()
                + "&protocol=anodot20");
    }

    private static String stripSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
}
