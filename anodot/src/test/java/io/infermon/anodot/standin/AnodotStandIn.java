package io.infermon.anodot.standin;

import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for Anodot's 2.0 metrics endpoint on WireMock, for tests. It enforces the documented rules and answers
 * the way Anodot's documentation says it does:
 * <ul>
 *   <li>{@code POST /api/v1/metrics?token=T&protocol=anodot20} only; a wrong token gets 401 (error 2001), a missing
 *       protocol or a body that is not a JSON array 400 (1001), more metrics than the limit 400;</li>
 *   <li>each metric is checked (what present, 1..20 properties, keys <= 50 and values <= 150 ASCII characters
 *       without {@code .}, {@code =} or space, <= 40 tags, a numeric finite value, a timestamp in epoch seconds
 *       not more than an hour ahead); a broken metric is listed in a 200 answer's {@code errors} with its
 *       {@code index} and an error code, the rest are stored;</li>
 *   <li>it records every stored metric, each request's batch size, whether the batch was sorted by timestamp and
 *       when it arrived, so tests can check "every metric once".</li>
 * </ul>
 * Faults are scripted: {@link #failNext} queues answers for the next requests, {@link #mode} sets the answer for all
 * following ones, {@link #stop}/{@link #start} take the server down and up on the same port. A timed-out request
 * is dropped before it is processed (nothing stored), as a gateway time-out would.
 *
 * <p>Error codes are the ones Anodot publishes (2001 token not active, 2004-2012 property rules); 2013 (tags),
 * 2014 (timestamp) and 2015 (value) are this stand-in's own.
 */
public final class AnodotStandIn implements AutoCloseable {
    public enum Mode { ACCEPT, FAIL_500, TIME_OUT, RESET, THROTTLE_429 }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String token;
    private final int maxBatch;
    private final long timeOutDelayMillis;
    private final ConcurrentLinkedQueue<Mode> script = new ConcurrentLinkedQueue<>();
    private volatile Mode mode = Mode.ACCEPT;
    private final List<String> stored = new CopyOnWriteArrayList<>();
    private final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
    private final List<Long> arrivalNanos = new CopyOnWriteArrayList<>();
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger unsortedBatches = new AtomicInteger();
    private final AtomicInteger metricErrors = new AtomicInteger();
    private WireMockServer server;
    private int port;

    public AnodotStandIn(String token, int maxBatch, long timeOutDelayMillis) {
        this.token = token;
        this.maxBatch = maxBatch;
        this.timeOutDelayMillis = timeOutDelayMillis;
    }

    public AnodotStandIn start() {
        server = new WireMockServer(options().port(port).extensions(new Rules()).jettyAcceptors(1)
                .containerThreads(16).disableRequestJournal());
        server.start();
        port = server.port();
        server.stubFor(any(anyUrl()).willReturn(ok()));
        return this;
    }

    /** Takes the server down: connections are refused until {@link #start()}. */
    public void stop() {
        server.stop();
    }

    public String url() {
        return "http://localhost:" + port;
    }

    /** Answers the next requests with these faults, in order, then goes back to {@link #mode}. */
    public void failNext(Mode... faults) {
        Collections.addAll(script, faults);
    }

    public void mode(Mode m) {
        this.mode = m;
    }

    public int requests() {
        return requests.get();
    }

    /** Stored metrics as {@code name@timestamp=value}, name = sorted {@code key=value} joined by dots. */
    public List<String> stored() {
        return List.copyOf(stored);
    }

    public List<Integer> batchSizes() {
        return List.copyOf(batchSizes);
    }

    public List<Long> arrivalNanos() {
        return List.copyOf(arrivalNanos);
    }

    public int unsortedBatches() {
        return unsortedBatches.get();
    }

    public int metricErrors() {
        return metricErrors.get();
    }

    @Override
    public void close() {
        if (server != null && server.isRunning()) {
            server.stop();
        }
    }

    private final class Rules implements ResponseDefinitionTransformerV2 {
        @Override
        public String getName() {
            return "anodot-stand-in";
        }

        @Override
        public ResponseDefinition transform(ServeEvent event) {
            requests.incrementAndGet();
            arrivalNanos.add(System.nanoTime());
            Mode m = script.poll();
            switch (m == null ? mode : m) {
                case FAIL_500 -> {
                    return answer(500, "{\"errors\":[{\"error\":1002,\"description\":\"General error\"}]}");
                }
                case TIME_OUT -> {
                    return ResponseDefinitionBuilder.responseDefinition().withStatus(200).withBody("{}")
                            .withFixedDelay((int) timeOutDelayMillis).build();
                }
                case RESET -> {
                    return ResponseDefinitionBuilder.responseDefinition()
                            .withFault(Fault.CONNECTION_RESET_BY_PEER).build();
                }
                case THROTTLE_429 -> {
                    return ResponseDefinitionBuilder.responseDefinition().withStatus(429)
                            .withHeader("Retry-After", "0").build();
                }
                default -> {
                    return handle(event.getRequest());
                }
            }
        }
    }

    private ResponseDefinition handle(Request request) {
        URI uri = URI.create(request.getUrl());
        Map<String, String> query = new HashMap<>();
        if (uri.getRawQuery() != null) {
            for (String kv : uri.getRawQuery().split("&")) {
                int eq = kv.indexOf('=');
                if (eq > 0) {
                    query.put(kv.substring(0, eq), URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        if (!request.getMethod().getName().equals("POST") || !uri.getPath().equals("/api/v1/metrics")) {
            return answer(404, "{\"errors\":[{\"error\":1002,\"description\":\"Not found\"}]}");
        }
        if (!token.equals(query.get("token"))) {
            return answer(401, "{\"errors\":[{\"error\":2001,\"description\":\"Token is not active\"}]}");
        }
        if (!"anodot20".equals(query.get("protocol"))) {
            return answer(400, "{\"errors\":[{\"error\":1002,\"description\":\"protocol must be anodot20\"}]}");
        }
        JsonNode body;
        try {
            body = JSON.readTree(request.getBody());
        } catch (Exception e) {
            body = null;
        }
        if (body == null || !body.isArray()) {
            return answer(400, "{\"errors\":[{\"error\":1001,\"description\":\"Json parsing error\"}]}");
        }
        if (body.size() > maxBatch) {
            return answer(400, "{\"errors\":[{\"error\":1002,\"description\":\"at most " + maxBatch
                    + " metrics per request\"}]}");
        }
        batchSizes.add(body.size());
        ArrayNode errors = JSON.createArrayNode();
        long now = System.currentTimeMillis() / 1000;
        long previous = Long.MIN_VALUE;
        boolean sorted = true;
        List<String> accepted = new ArrayList<>();
        for (int i = 0; i < body.size(); i++) {
            JsonNode m = body.get(i);
            long ts = m.path("timestamp").asLong(0);
            sorted &= ts >= previous;
            previous = ts;
            String problem = problem(m, now);
            if (problem != null) {
                String[] cd = problem.split(" ", 2);
                ObjectNode e = errors.addObject();
                e.put("index", String.valueOf(i));
                e.put("error", Integer.parseInt(cd[0]));
                e.put("description", cd[1]);
                metricErrors.incrementAndGet();
            } else {
                accepted.add(key(m));
            }
        }
        if (!sorted) {
            unsortedBatches.incrementAndGet();
        }
        stored.addAll(accepted);
        return answer(200, errors.isEmpty() ? "{}" : "{\"errors\":" + errors + "}");
    }

    private static String problem(JsonNode m, long now) {
        JsonNode props = m.get("properties");
        if (props == null || !props.isObject() || props.isEmpty()) {
            return "2004 Metric properties are not defined";
        }
        if (!props.has("what")) {
            return "2012 Property 'what' is undefined";
        }
        if (props.size() > 20) {
            return "2005 Metric properties limit exceeded";
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = props.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> p = it.next();
            String k = p.getKey();
            String v = p.getValue().asText();
            if (k.isEmpty()) {
                return "2006 Undefined property key";
            }
            if (k.length() > 50) {
                return "2007 Property key length exceeded";
            }
            if (v.isEmpty()) {
                return "2008 Undefined property value";
            }
            if (v.length() > 150) {
                return "2009 Property value length exceeded";
            }
            if (!legal(k)) {
                return "2010 Property key contains illegal characters";
            }
            if (!legal(v)) {
                return "2011 Property value contains illegal characters";
            }
        }
        int tags = 0;
        for (JsonNode t : m.path("tags")) {
            tags += t.isArray() ? t.size() : 1;
        }
        if (tags > 40) {
            return "2013 Metric tags limit exceeded";
        }
        JsonNode ts = m.get("timestamp");
        if (ts == null || !ts.isIntegralNumber() || ts.asLong() <= 0 || ts.asLong() > now + 3600) {
            return "2014 Illegal timestamp";
        }
        JsonNode value = m.get("value");
        if (value == null || !value.isNumber() || !Double.isFinite(value.asDouble())) {
            return "2015 Illegal value";
        }
        return null;
    }

    private static boolean legal(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c > 127 || c == '.' || c == '=' || Character.isWhitespace(c)) {
                return false;
            }
        }
        return true;
    }

    /** {@code name@timestamp=value} of a metric as sent (JSON), computed independently of our own model class. */
    public static String key(JsonNode m) {
        Map<String, String> sortedProps = new TreeMap<>();
        m.get("properties").fields().forEachRemaining(e -> sortedProps.put(e.getKey(), e.getValue().asText()));
        StringBuilder sb = new StringBuilder();
        sortedProps.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ".").append(k).append('=').append(v));
        return sb + "@" + m.get("timestamp").asLong() + "=" + m.get("value").asDouble();
    }

    private static ResponseDefinition answer(int status, String body) {
        return ResponseDefinitionBuilder.responseDefinition().withStatus(status)
                .withHeader("Content-Type", "application/json").withBody(body).build();
    }
}
