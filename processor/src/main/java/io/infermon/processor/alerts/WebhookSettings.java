package io.infermon.processor.alerts;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * Where and how alert events are POSTed. The URL and the header values may carry secrets (a token in a header, or
 * in the path of a chat service's webhook URL), so {@link #toString} and every message show only the scheme, host
 * and port.
 *
 * @param url        the http or https URL events are POSTed to
 * @param headers    extra request headers (e.g. {@code Authorization}); their values never appear in any output
 * @param timeout    time-out of one request
 * @param retries    further attempts for one event after a connection error, 5xx or 429; -1 for no limit
 * @param backoff    first wait after a failed attempt; doubles per failure
 * @param backoffMax longest wait between attempts
 */
public record WebhookSettings(URI url, Map<String, String> headers, Duration timeout, int retries, Duration backoff,
                              Duration backoffMax) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_BACKOFF = Duration.ofSeconds(1);
    public static final Duration DEFAULT_BACKOFF_MAX = Duration.ofMinutes(5);
    public static final int UNLIMITED = -1;

    public WebhookSettings {
        headers = Map.copyOf(headers);
    }

    /** {@code https://hooks.example.com:443}: enough to say where, nothing secret. */
    public String redactedUrl() {
        return url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort());
    }

    @Override
    public String toString() {
        return "webhook " + redactedUrl() + " (headers " + headers.keySet() + ", timeout " + timeout + ", retries "
                + (retries == UNLIMITED ? "unlimited" : retries) + ")";
    }
}
