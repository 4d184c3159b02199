package io.infermon.processor.config;

import io.infermon.config.YamlNode;
import io.infermon.config.ConfigProblem;
import io.infermon.config.KnownKeys;
import io.infermon.processor.alerts.AlertRule;
import io.infermon.processor.alerts.WebhookSettings;
import io.infermon.processor.time.Durations;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the file-only sections {@code alerts:} and {@code webhook:}, adding every problem (with line and key) to the
 * list rather than stopping at the first.
 */
final class AlertsSection {
    static final List<String> RULE_KEYS = List.of("name", "metric", "where", "above", "below", "for",
            "resolve_after");
    static final List<String> WEBHOOK_KEYS = List.of("url", "headers", "timeout", "retries", "backoff",
            "backoff_max");

    private final String source;
    private final List<ConfigProblem> problems;

    AlertsSection(String source, List<ConfigProblem> problems) {
        this.source = source;
        this.problems = problems;
    }

    private void problem(YamlNode n, String key, String message) {
        problems.add(new ConfigProblem(source, n.line(), key, message));
    }

    List<AlertRule> rules(YamlNode alerts) {
        if (alerts == null || alerts.isNull()) {
            return List.of();
        }
        if (!alerts.isList()) {
            problem(alerts, "alerts", "must be a list of rules (each item starting with '- name:'), not "
                    + alerts.describe());
            return List.of();
        }
        List<AlertRule> rules = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < alerts.list().size(); i++) {
            YamlNode item = alerts.list().get(i);
            String path = "alerts[" + i + "]";
            if (!item.isMap()) {
                problem(item, path, "must be a map (name, metric, above or below...), not " + item.describe());
                continue;
            }
            AlertRule r = rule(item, path);
            if (r != null) {
                if (!names.add(r.name())) {
                    problem(item.map().get("name"), path + ".name", "the alert name '" + r.name()
                            + "' is used twice; give each rule its own name");
                }
                rules.add(r);
            }
        }
        return List.copyOf(rules);
    }

    private AlertRule rule(YamlNode item, String path) {
        int before = problems.size();
        Map<String, YamlNode> m = item.map();
        rejectUnknown(m, path, RULE_KEYS);
        String name = text(m.get("name"), path + ".name");
        String metric = text(m.get("metric"), path + ".metric");
        if (m.get("name") == null) {
            problem(item, path, "needs 'name' (what the alert is called in alerts.jsonl)");
        }
        if (m.get("metric") == null) {
            problem(item, path, "needs 'metric' (a metric's 'what', e.g. drift_share; docs/metrics.md)");
        }
        Map<String, String> where = where(m.get("where"), path + ".where");
        YamlNode above = m.get("above");
        YamlNode below = m.get("below");
        double threshold = 0;
        if ((above == null) == (below == null)) {
            problem(item, path, "needs exactly one condition: 'above: X' or 'below: X' (a drift flag: "
                    + "metric: drift_detected, above: 0.5)");
        } else {
            threshold = number(above != null ? above : below, path + (above != null ? ".above" : ".below"));
        }
        int forBuckets = count(m.get("for"), path + ".for");
        int resolveAfter = count(m.get("resolve_after"), path + ".resolve_after");
        if (problems.size() > before) {
            return null;
        }
        return new AlertRule(name, metric, where, above != null, threshold, forBuckets, resolveAfter);
    }

    private Map<String, String> where(YamlNode n, String path) {
        if (n == null || n.isNull()) {
            return Map.of();
        }
        if (!n.isMap()) {
            problem(n, path, "must be a map of property: value (e.g. model: digits), not " + n.describe());
            return Map.of();
        }
        Map<String, String> out = new LinkedHashMap<>();
        n.map().forEach((k, v) -> {
            String value = text(v, path + "." + k);
            if (value != null) {
                out.put(k, value);
            }
        });
        return out;
    }

    WebhookSettings webhook(YamlNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isMap()) {
            problem(n, "webhook", "must be a map (url, headers, timeout, retries, backoff, backoff_max), not "
                    + n.describe());
            return null;
        }
        int before = problems.size();
        Map<String, YamlNode> m = n.map();
        rejectUnknown(m, "webhook", WEBHOOK_KEYS);
        URI url = null;
        YamlNode urlNode = m.get("url");
        if (urlNode == null) {
            problem(n, "webhook", "needs 'url' (where alert events are POSTed)");
        } else {
            String u = text(urlNode, "webhook.url");
            if (u != null) {
                try {
                    url = new URI(u);
                    if (!("http".equals(url.getScheme()) || "https".equals(url.getScheme())) || url.getHost() == null) {
                        problem(urlNode, "webhook.url", "must be an http:// or https:// URL with a host");
                    }
                } catch (URISyntaxException e) {
                    // the URL may hold a secret: say what is wrong without repeating it
                    problem(urlNode, "webhook.url", "is not a URL (" + e.getReason() + " at index " + e.getIndex()
                            + ")");
                }
            }
        }
        Map<String, String> headers = new LinkedHashMap<>();
        YamlNode h = m.get("headers");
        if (h != null && !h.isNull()) {
            if (!h.isMap()) {
                problem(h, "webhook.headers", "must be a map of header: value, not a " + (h.isList() ? "list"
                        : "single value"));
            } else {
                h.map().forEach((k, v) -> {
                    if (!v.isScalar() || v.scalar() == null) {
                        // never describe() a header: its value may be a token
                        problem(v, "webhook.headers." + k, "must be a single value");
                    } else {
                        headers.put(k, v.scalar());
                    }
                });
            }
        }
        Duration timeout = duration(m.get("timeout"), "webhook.timeout", WebhookSettings.DEFAULT_TIMEOUT);
        Duration backoff = duration(m.get("backoff"), "webhook.backoff", WebhookSettings.DEFAULT_BACKOFF);
        Duration backoffMax = duration(m.get("backoff_max"), "webhook.backoff_max",
                WebhookSettings.DEFAULT_BACKOFF_MAX);
        int retries = WebhookSettings.UNLIMITED;
        YamlNode r = m.get("retries");
        if (r != null && !r.isNull()) {
            String t = text(r, "webhook.retries");
            if (t != null) {
                try {
                    retries = Integer.parseInt(t.trim());
                } catch (NumberFormatException e) {
                    retries = -2;
                }
                if (retries < 0) {
                    problem(r, "webhook.retries", "must be a whole number from 0 up (leave it out for no limit), "
                            + "not '" + t + "'");
                }
            }
        }
        if (problems.size() > before) {
            return null;
        }
        return new WebhookSettings(url, headers, timeout, retries, backoff,
                backoffMax.compareTo(backoff) < 0 ? backoff : backoffMax);
    }

    private void rejectUnknown(Map<String, YamlNode> m, String path, List<String> known) {
        m.forEach((k, v) -> {
            if (!known.contains(k)) {
                problem(v, path + "." + k, KnownKeys.unknown(k, known));
            }
        });
    }

    private String text(YamlNode n, String key) {
        if (n == null) {
            return null;
        }
        if (!n.isScalar() || n.scalar() == null || n.scalar().isBlank()) {
            problem(n, key, "must be a single value, not " + n.describe());
            return null;
        }
        return n.scalar();
    }

    private double number(YamlNode n, String key) {
        String t = text(n, key);
        if (t != null) {
            try {
                double d = Double.parseDouble(t.trim());
                if (Double.isFinite(d)) {
                    return d;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            problem(n, key, "must be a number, not '" + t + "'");
        }
        return 0;
    }

    private int count(YamlNode n, String key) {
        if (n == null || n.isNull()) {
            return 1;
        }
        String t = text(n, key);
        if (t != null) {
            try {
                int c = Integer.parseInt(t.trim());
                if (c >= 1) {
                    return c;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            problem(n, key, "must be a whole number of buckets from 1 up, not '" + t + "'");
        }
        return 1;
    }

    private Duration duration(YamlNode n, String key, Duration fallback) {
        if (n == null || n.isNull()) {
            return fallback;
        }
        String t = text(n, key);
        if (t != null) {
            try {
                Duration d = Durations.parse(t);
                if (!d.isZero()) {
                    return d;
                }
                problem(n, key, "must be longer than 0");
            } catch (RuntimeException e) {
                problem(n, key, e.getMessage());
            }
        }
        return fallback;
    }
}
