package io.infermon.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A node of a parsed {@code agent.yaml} or {@code processor.yaml} that remembers its line, so every problem can say
 * where it is. Read with Jackson's streaming YAML parser rather than data binding precisely to keep those positions.
 *
 * @param scalar the text of a scalar, or null for a map, a list or an explicit null
 * @param map    the entries of a map, in file order, or null
 * @param list   the items of a list, or null
 * @param line   the 1-based line of the node (of its key, for a map entry)
 */
public record YamlNode(String scalar, Map<String, YamlNode> map, List<YamlNode> list, int line) {

    public static final YamlNode EMPTY_MAP = new YamlNode(null, Collections.emptyMap(), null, 1);

    public boolean isMap() {
        return map != null;
    }

    public boolean isList() {
        return list != null;
    }

    public boolean isScalar() {
        return map == null && list == null;
    }

    /** An explicit {@code ~}/{@code null} or a key without a value. */
    public boolean isNull() {
        return isScalar() && scalar == null;
    }

    public String describe() {
        return isMap() ? "a map" : isList() ? "a list" : scalar == null ? "empty" : "'" + scalar + "'";
    }

    /** Parses a whole file; bad YAML, duplicate keys and a root that is not a map are added to {@code problems}. */
    public static YamlNode parse(String text, String source, List<ConfigProblem> problems) {
        try (JsonParser p = new YAMLFactory().createParser(text)) {
            if (p.nextToken() == null) {
                return EMPTY_MAP;
            }
            YamlNode root = read(p, line(p.currentTokenLocation()), source, "", problems);
            if (!root.isMap()) {
                problems.add(new ConfigProblem(source, root.line(), "",
                        "the file must be a map of settings (key: value), not " + root.describe()));
                return EMPTY_MAP;
            }
            return root;
        } catch (JsonProcessingException e) {
            JsonLocation where = e.getLocation();
            problems.add(new ConfigProblem(source, where == null ? 0 : line(where), "",
                    "not valid YAML: " + e.getOriginalMessage().lines().findFirst().orElse("")));
        } catch (IOException e) {
            problems.add(new ConfigProblem(source, 0, "", "cannot read: " + e.getMessage()));
        }
        return EMPTY_MAP;
    }

    private static int line(JsonLocation l) {
        return Math.max(l.getLineNr(), 0);
    }

    private static YamlNode read(JsonParser p, int line, String source, String path, List<ConfigProblem> problems)
            throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.START_OBJECT) {
            Map<String, YamlNode> entries = new LinkedHashMap<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                int keyLine = line(p.currentTokenLocation());
                p.nextToken();
                String childPath = path.isEmpty() ? key : path + "." + key;
                YamlNode value = read(p, keyLine, source, childPath, problems);
                if (entries.putIfAbsent(key, value) != null) {
                    problems.add(new ConfigProblem(source, keyLine, childPath, "appears twice (first on line "
                            + entries.get(key).line() + ")"));
                }
            }
            return new YamlNode(null, entries, null, line);
        }
        if (t == JsonToken.START_ARRAY) {
            List<YamlNode> items = new ArrayList<>();
            int i = 0;
            while (p.nextToken() != JsonToken.END_ARRAY) {
                items.add(read(p, line(p.currentTokenLocation()), source, path + "[" + i++ + "]", problems));
            }
            return new YamlNode(null, null, items, line);
        }
        return new YamlNode(t == JsonToken.VALUE_NULL ? null : p.getText(), null, null, line);
    }
}
