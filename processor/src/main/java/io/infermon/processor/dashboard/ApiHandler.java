package io.infermon.processor.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.infermon.processor.alerts.AlertsView;
import io.infermon.processor.history.BucketHistory;
import io.infermon.processor.history.ModelRef;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The JSON API, version 1 (docs/dashboard.md):
 * <ul>
 *   <li>{@code GET /api/v1/models}: every model key with its number of buckets and first and latest start;</li>
 *   <li>{@code GET /api/v1/buckets?model=M[&version=V][&signature=S][&since=T]}: the buckets of the matching model
 *       keys, one series per key, oldest first, only those starting after {@code T} when given;</li>
 *   <li>{@code GET /api/v1/labels?model=M[&version=V][&signature=S][&after=G]}: the label windows of the matching
 *       model keys, those read after generation {@code G} when given (label windows carry their bucket's old start,
 *       so a client follows them by generation, not by start);</li>
 *   <li>{@code GET /api/v1/agents[?since=T]}: the agents' health per bucket;</li>
 *   <li>{@code GET /api/v1/alerts}: the open alerts and the recent events of {@code alerts.jsonl}.</li>
 * </ul>
 */
final class ApiHandler implements HttpHandler {
    private final BucketHistory history;
    private final ObjectMapper json;
    private final AlertsView alerts;

    ApiHandler(BucketHistory history, ObjectMapper json, AlertsView alerts) {
        this.history = history;
        this.json = json;
        this.alerts = alerts;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try {
            if (!"GET".equals(exchange.getRequestMethod())) {
                error(exchange, 405, "GET only");
                return;
            }
            Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            switch (exchange.getRequestURI().getPath()) {
                case "/api/v1/models" -> models(exchange);
                case "/api/v1/buckets" -> buckets(exchange, query);
                case "/api/v1/labels" -> labels(exchange, query);
                case "/api/v1/agents" -> ok(exchange, Map.of("generation", history.generation(),
                        "buckets", history.agentHealth(since(query))));
                case "/api/v1/alerts" -> ok(exchange, Map.of("open", alerts.open(), "events", alerts.recent()));
                default -> error(exchange, 404, "no such endpoint; see docs/dashboard.md");
            }
        } catch (IllegalArgumentException e) {
            error(exchange, 400, e.getMessage());
        }
    }

    private void models(HttpExchange exchange) throws IOException {
        List<Map<String, Object>> models = new ArrayList<>();
        for (BucketHistory.ModelSummary s : history.models()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("model", s.model().model());
            m.put("version", s.model().version());
            m.put("signature", s.model().signature());
            m.put("buckets", s.buckets());
            m.put("first", s.first());
            m.put("latest", s.latest());
            models.add(m);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("generation", history.generation());
        body.put("models", models);
        ok(exchange, body);
    }

    private void buckets(HttpExchange exchange, Map<String, String> query) throws IOException {
        String model = query.get("model");
        if (model == null || model.isEmpty()) {
            throw new IllegalArgumentException("model is required: /api/v1/buckets?model=NAME");
        }
        List<ModelRef> keys = history.find(model, query.get("version"), query.get("signature"));
        if (keys.isEmpty()) {
            error(exchange, 404, "no buckets of model '" + model + "'"
                    + (query.containsKey("version") ? " version '" + query.get("version") + "'" : ""));
            return;
        }
        long since = since(query);
        List<Map<String, Object>> series = new ArrayList<>();
        for (ModelRef key : keys) {
            Map<String, Object> s = series(key);
            s.put("buckets", history.buckets(key, since));
            series.add(s);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("generation", history.generation());
        body.put("series", series);
        ok(exchange, body);
    }

    /** The start of one model key's part of an answer: its model, version and signature. */
    private static Map<String, Object> series(ModelRef key) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("model", key.model());
        s.put("version", key.version());
        s.put("signature", key.signature());
        return s;
    }

    private void labels(HttpExchange exchange, Map<String, String> query) throws IOException {
        String model = query.get("model");
        if (model == null || model.isEmpty()) {
            throw new IllegalArgumentException("model is required: /api/v1/labels?model=NAME");
        }
        long after = number(query, "after", "a generation (the generation of an earlier answer)");
        // read once: a window added meanwhile has a larger sequence than this and comes with the next request
        long generation = history.generation();
        SortedSet<ModelRef> keys = new TreeSet<>(
                history.find(model, query.get("version"), query.get("signature")));
        keys.addAll(history.findLabelled(model, query.get("version"), query.get("signature")));
        if (keys.isEmpty()) {
            error(exchange, 404, "no buckets of model '" + model + "'");
            return;
        }
        List<Map<String, Object>> series = new ArrayList<>();
        for (ModelRef key : keys) {
            Map<String, Object> s = series(key);
            s.put("windows", history.labelWindows(key, after).stream()
                    .filter(w -> w.sequence() <= generation).toList());
            series.add(s);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("generation", generation);
        body.put("series", series);
        ok(exchange, body);
    }

    private static long number(Map<String, String> query, String name, String what) {
        String s = query.get(name);
        if (s == null || s.isEmpty()) {
            return Long.MIN_VALUE;
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be " + what + ", not '" + s + "'");
        }
    }

    private static long since(Map<String, String> query) {
        String s = query.get("since");
        if (s == null || s.isEmpty()) {
            return Long.MIN_VALUE;
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("since must be a bucket start in epoch seconds, not '" + s + "'");
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new HashMap<>();
        if (raw == null) {
            return q;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            q.putIfAbsent(k, v);
        }
        return q;
    }

    private void ok(HttpExchange exchange, Object body) throws IOException {
        DashboardServer.send(exchange, 200, "application/json", json.writeValueAsBytes(body));
    }

    private void error(HttpExchange exchange, int status, String message) throws IOException {
        DashboardServer.send(exchange, status, "application/json", json.writeValueAsBytes(Map.of("error", message)));
    }
}
