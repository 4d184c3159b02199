package io.infermon.agent.config;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The agent's settings. Each key is looked up as a system property {@code infermon.<key>}, then as an environment
 * variable {@code INFERMON_<KEY>} (upper case, dots as underscores), then in the agent argument
 * ({@code -javaagent:infermon-agent.jar=key=value,key=value}, the only way to pass settings when attaching to a
 * running JVM), then falls back to its default. docs/agent-yaml.md lists the keys.
 *
 * @param enabled        whether to capture at all
 * @param queueDir       the Chronicle Queue directory the agent appends to
 * @param modelName      the model name to record, or null to derive it (from a SavedModel's path, else {@code default})
 * @param modelVersion   the model version to record, or null to derive it
 * @param bufferBytes    size of the in-memory hand-off buffer between inference threads and the queue writer
 *                       (a power of two)
 */
public record AgentConfig(boolean enabled, Path queueDir, String modelName, String modelVersion, int bufferBytes) {

    public static final int DEFAULT_BUFFER_BYTES = 32 << 20;

    /** The largest record the hand-off buffer accepts: an eighth of its size (a limit of the ring buffer). */
    public int maxRecordBytes() {
        return bufferBytes / 8;
    }

    public static AgentConfig fromEnvironment(String agentArgs) {
        return from(System.getProperties()::getProperty, System.getenv(), agentArgs);
    }

    static AgentConfig from(Function<String, String> systemProperties, Map<String, String> environment,
                            String agentArgs) {
        Map<String, String> args = parseAgentArgs(agentArgs);
        Function<String, String> lookup = key -> {
            String v = systemProperties.apply("infermon." + key);
            if (v == null) {
                v = environment.get("INFERMON_" + key.toUpperCase(Locale.ROOT).replace('.', '_'));
            }
            if (v == null) {
                v = args.get(key);
            }
            return v == null || v.isBlank() ? null : v.trim();
        };
        boolean enabled = !"false".equalsIgnoreCase(orDefault(lookup.apply("enabled"), "true"));
        Path queueDir = Path.of(orDefault(lookup.apply("queue.dir"), "infermon-queue")).toAbsolutePath();
        int bufferBytes = powerOfTwo("buffer.bytes", orDefault(lookup.apply("buffer.bytes"),
                Integer.toString(DEFAULT_BUFFER_BYTES)));
        return new AgentConfig(enabled, queueDir, lookup.apply("model.name"), lookup.apply("model.version"),
                bufferBytes);
    }

    /** {@code key=value,key=value}; a key without {@code =} or an empty argument is an error worth reporting. */
    static Map<String, String> parseAgentArgs(String agentArgs) {
        Map<String, String> args = new HashMap<>();
        if (agentArgs == null || agentArgs.isBlank()) {
            return args;
        }
        for (String part : agentArgs.split(",")) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("the agent argument '" + agentArgs
                        + "' is not a list of key=value pairs separated by commas (at '" + part + "')");
            }
            args.put(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
        }
        return args;
    }

    private static String orDefault(String value, String fallback) {
        return value == null ? fallback : value;
    }

    private static int powerOfTwo(String key, String raw) {
        int v;
        try {
            v = Integer.parseInt(raw);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("infermon." + key + " must be a whole number of bytes, not '" + raw
                    + "'");
        }
        if (v < 1 << 16 || Integer.bitCount(v) != 1) {
            throw new IllegalArgumentException("infermon." + key + " must be a power of two of at least 65536, not "
                    + v);
        }
        return v;
    }
}
