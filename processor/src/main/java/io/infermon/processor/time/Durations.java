package io.infermon.processor.time;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them: {@code 500ms}, {@code 10s}, {@code 5m}, {@code 1h}, {@code 1d}. One grammar for
 * the command line ({@code cli.DurationConverter}), {@code processor.yaml} (config) and the {@code label_window}
 * names read back (history), so that none of those has to reach into another for it.
 */
public final class Durations {
    private static final Pattern FORM = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    private Durations() {
    }

    /** @throws IllegalArgumentException naming what is expected, when {@code value} is not such a duration */
    public static Duration parse(String value) {
        Matcher m = FORM.matcher(value.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + value
                    + "' is not a duration: write a whole number and a unit, e.g. 500ms, 10s, 5m, 1h, 1d");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }
}
