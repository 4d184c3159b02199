package io.infermon.config;

/**
 * One thing wrong with the agent's or the processor's configuration, and where: a file and line, or the system
 * property or environment variable that set the key.
 *
 * @param source  the file, or e.g. {@code -Dinfermon.sampling.rate} or {@code INFERMON_PROCESSOR_BUCKET}
 * @param line    1-based line in the file, or 0 when not from a file line
 * @param key     the dotted key ({@code sampling.rate}, {@code alerts[0].above}), or empty
 * @param message what is wrong, in words a user can act on
 */
public record ConfigProblem(String source, int line, String key, String message) {

    @Override
    public String toString() {
        return source + (line > 0 ? ":" + line : "") + ": " + (key.isEmpty() ? "" : key + ": ") + message;
    }
}
