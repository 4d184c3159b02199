package io.infermon.processor.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@code alerts.jsonl} says now, for the dashboard: the open alerts (opened and not resolved since) and the
 * most recent events. Read from the file, not from the processor, so the standalone {@code infermon dashboard}
 * serves the same; followed as it grows, and read again from the start when a restart cut it back.
 */
public final class AlertsView {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final int recentMax;
    private long offset;
    private final Map<String, JsonNode> open = new LinkedHashMap<>();
    private final Deque<JsonNode> recent = new ArrayDeque<>();
    private final java.util.Set<String> names = new java.util.TreeSet<>();
    private final Map<String, Long> opened = new TreeMap<>();

    public AlertsView(Path outDir, int recentMax) {
        this.file = outDir.resolve(AlertsFile.NAME);
        this.recentMax = recentMax;
    }

    /** The open alerts' opening events, oldest first. */
    public synchronized List<JsonNode> open() {
        refresh();
        return List.copyOf(open.values());
    }

    /** The latest events, oldest first. */
    public synchronized List<JsonNode> recent() {
        refresh();
        return List.copyOf(recent);
    }

    /** Open alerts per rule name (rules with events only; a resolved one counts 0). */
    public synchronized Map<String, Integer> openCounts() {
        refresh();
        Map<String, Integer> counts = new TreeMap<>();
        names.forEach(n -> counts.put(n, 0));
        open.values().forEach(e -> counts.merge(e.path("alert").asText(), 1, Integer::sum));
        return counts;
    }

    /**
     * How many times each rule has opened, over the whole file (rules with events only). The file is cut back with
     * the checkpoint, so these counts continue across restarts of the processor.
     */
    public synchronized Map<String, Long> openedCounts() {
        refresh();
        Map<String, Long> counts = new TreeMap<>();
        names.forEach(n -> counts.put(n, 0L));
        counts.putAll(opened);
        return counts;
    }

    private void refresh() {
        try {
            if (!Files.exists(file)) {
                reset();
                return;
            }
            long size = Files.size(file);
            if (size < offset) {
                reset(); // cut back by a restart: what was read may be gone
            }
            for (AlertsFile.Line line : AlertsFile.wholeLines(file, offset, size, 16 << 20)) {
                add(line.text());
                offset = line.end();
            }
        } catch (IOException e) {
            // the file is being replaced or unreadable right now: show what was read, try again next time
        }
    }

    private void add(String line) throws IOException {
        JsonNode e = JSON.readTree(line);
        String key = e.path("alert").asText() + "\u0000" + e.path("series").toString();
        names.add(e.path("alert").asText());
        if ("open".equals(e.path("state").asText())) {
            open.put(key, e);
            opened.merge(e.path("alert").asText(), 1L, Long::sum);
        } else {
            open.remove(key);
        }
        recent.addLast(e);
        while (recent.size() > recentMax) {
            recent.removeFirst();
        }
    }

    private void reset() {
        offset = 0;
        open.clear();
        recent.clear();
        names.clear();
        opened.clear();
    }
}
