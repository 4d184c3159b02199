package io.infermon.processor.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.Authenticator;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpPrincipal;
import com.sun.net.httpserver.HttpServer;
import io.infermon.processor.ProcessorHealth;
import io.infermon.processor.alerts.AlertsView;
import io.infermon.processor.history.BucketHistory;
import io.infermon.processor.history.MetricGroup;
import io.infermon.processor.history.MetricsLog;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The dashboard: one HTML page and its scripts (from this jar's resources), the chart library (its WebJar), the JSON
 * API ({@code /api/v1/...}) and {@code /metrics}, all served by the JDK's HTTP server. Its data is
 * {@code OUT/metrics.jsonl} and {@code OUT/alerts.jsonl}, followed as they grow (so the history survives restarts and
 * the standalone {@code infermon dashboard} shows the same as a running processor). docs/dashboard.md describes it.
 *
 * <p>With a token, {@code /api/} and {@code /metrics} need {@code Authorization: Bearer <token>}; the page and
 * script hold no data and are served to anyone, and the page takes the token from the address's {@code #token=}
 * fragment (which browsers never send to a server, so it stays out of logs).
 */
public final class DashboardServer implements AutoCloseable {
    /** How often metrics.jsonl is looked at. */
    static final Duration POLL = Duration.ofMillis(250);
    /** Events of alerts.jsonl that GET /api/v1/alerts returns at most (the latest). */
    static final int RECENT_ALERT_EVENTS = 100;
    /** How long metrics.jsonl must be quiet before its last bucket counts as complete (see MetricsLog). */
    static final Duration SETTLE = Duration.ofMillis(750);
    /** Buckets kept per model key: a day of one-minute buckets. */
    public static final int DEFAULT_MAX_BUCKETS = 1440;

    private final HttpServer server;
    private final ExecutorService httpThreads;
    private final ScheduledExecutorService follower;
    private final BucketHistory history;
    private final RunningTotals totals;
    private final MetricsLog log;
    private final Authenticator auth;

    private DashboardServer(HttpServer server, ExecutorService httpThreads, ScheduledExecutorService follower,
                            BucketHistory history, RunningTotals totals, MetricsLog log, Authenticator auth) {
        this.auth = auth;
        this.totals = totals;
        this.server = server;
        this.httpThreads = httpThreads;
        this.follower = follower;
        this.history = history;
        this.log = log;
    }

    /**
     * Reads what {@code outDir/metrics.jsonl} holds, starts following it and starts serving.
     *
     * @param health the running processor's health for {@code /metrics}, or null (standalone dashboard)
     * @throws IOException when the address cannot be bound (in use, not this machine's)
     */
    public static DashboardServer start(DashboardSettings settings, Path outDir, ProcessorHealth health,
                                        int maxBuckets) throws IOException {
        BucketHistory history = new BucketHistory(maxBuckets);
        RunningTotals totals = new RunningTotals();
        MetricsLog log = new MetricsLog(outDir.resolve("metrics.jsonl"));
        // the history already in the file is read before the first request is answered
        for (MetricGroup g : log.poll(SETTLE)) {
            history.add(g);
            totals.add(g);
        }
        HttpServer server = HttpServer.create(new InetSocketAddress(settings.bind(), settings.port()), 0);
        ExecutorService httpThreads = Executors.newFixedThreadPool(4, daemon("infermon-dashboard-http"));
        server.setExecutor(httpThreads);
        ObjectMapper json = new ObjectMapper();
        Authenticator auth = settings.token() == null ? null : new BearerAuthenticator(settings.token());

        server.createContext("/", new StaticFiles(chartJsVersion()));
        AlertsView alerts = new AlertsView(outDir, RECENT_ALERT_EVENTS);
        protect(server.createContext("/api/v1/", new ApiHandler(history, json, alerts)), auth);
        protect(server.createContext("/metrics", new MetricsHandler(PrometheusMetrics.registry(history, totals,
                health, alerts))), auth);
        ScheduledExecutorService follower = Executors.newSingleThreadScheduledExecutor(
                daemon("infermon-dashboard-follow"));
        DashboardServer dashboard = new DashboardServer(server, httpThreads, follower, history, totals, log,
                auth);
        follower.scheduleWithFixedDelay(dashboard::follow, POLL.toMillis(), POLL.toMillis(), TimeUnit.MILLISECONDS);
        server.start();
        return dashboard;
    }

    /**
     * Also serves {@code POST /v1/labels} (behind the same token): good rows go to the label inbox in
     * {@code labelsDir}, then {@code onBatch} is told.
     *
     * @param maxFuture labels stamped further ahead of this machine's clock are refused
     */
    public void acceptLabels(Path labelsDir, Duration maxFuture, Runnable onBatch) {
        protect(server.createContext("/v1/labels", new LabelsHandler(labelsDir, maxFuture, onBatch,
                new ObjectMapper())), auth);
    }

    private void follow() {
        try {
            for (MetricGroup g : log.poll(SETTLE)) {
                history.add(g);
                totals.add(g);
            }
        } catch (IOException | RuntimeException e) {
            // a file being replaced, a disk hiccup: the next poll tries again; the dashboard must not die of it
        }
    }

    private static void protect(HttpContext context, Authenticator auth) {
        if (auth != null) {
            context.setAuthenticator(auth);
        }
    }

    /** The dashboard's address, e.g. {@code http://127.0.0.1:8686/}. */
    public URI url() {
        InetSocketAddress a = server.getAddress();
        String host = a.getAddress().getHostAddress();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return URI.create("http://" + host + ":" + a.getPort() + "/");
    }

    public BucketHistory history() {
        return history;
    }

    @Override
    public void close() {
        follower.shutdownNow();
        server.stop(0);
        httpThreads.shutdownNow();
    }

    static String chartJsVersion() {
        Properties p = new Properties();
        try (InputStream in = DashboardServer.class.getResourceAsStream("/dashboard/versions.properties")) {
            if (in == null) {
                throw new IllegalStateException("dashboard/versions.properties is missing from the jar");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p.getProperty("chartjs.version");
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** {@code Authorization: Bearer <token>}, compared in constant time; the token is never echoed or logged. */
    private static final class BearerAuthenticator extends Authenticator {
        private final DashboardSettings.Token token;

        BearerAuthenticator(DashboardSettings.Token token) {
            this.token = token;
        }

        @Override
        public Result authenticate(HttpExchange exchange) {
            String header = exchange.getRequestHeaders().getFirst("Authorization");
            if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
                    && token.matches(header.substring(7).strip())) {
                return new Success(new HttpPrincipal("bearer", "infermon"));
            }
            exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"infermon\"");
            return new Failure(401);
        }
    }

    /** Sends a whole body with the given status and type. */
    static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, head ? -1 : body.length == 0 ? -1 : body.length);
        if (!head && body.length > 0) {
            exchange.getResponseBody().write(body);
        }
        exchange.close();
    }

    /** index.html, its scripts (app.js, labels.js, alerts.js) and the chart library. */
    private static final class StaticFiles implements HttpHandler {
        private final String chartJs;

        StaticFiles(String chartJsVersion) {
            this.chartJs = "/META-INF/resources/webjars/chart.js/" + chartJsVersion + "/dist/chart.umd.min.js";
        }

        @Override
        public void handle(HttpExchange exchange) throws IOException {
            String path = exchange.getRequestURI().getPath();
            String resource;
            String type;
            switch (path) {
                case "/", "/index.html" -> {
                    resource = "/dashboard/index.html";
                    type = "text/html; charset=utf-8";
                }
                case "/app.js", "/labels.js", "/alerts.js" -> {
                    resource = "/dashboard" + path;
                    type = "text/javascript; charset=utf-8";
                }
                case "/vendor/chart.umd.min.js" -> {
                    resource = chartJs;
                    type = "text/javascript; charset=utf-8";
                }
                default -> {
                    send(exchange, 404, "text/plain; charset=utf-8", "not found\n".getBytes());
                    return;
                }
            }
            if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
                send(exchange, 405, "text/plain; charset=utf-8", "GET only\n".getBytes());
                return;
            }
            byte[] body;
            try (InputStream in = DashboardServer.class.getResourceAsStream(resource)) {
                if (in == null) {
                    send(exchange, 500, "text/plain; charset=utf-8", (resource + " missing\n").getBytes());
                    return;
                }
                body = in.readAllBytes();
            }
            exchange.getResponseHeaders().set("Content-Security-Policy",
                    "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'");
            send(exchange, 200, type, body);
        }
    }
}
