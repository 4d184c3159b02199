package io.infermon.processor.cli;

import io.infermon.processor.time.Durations;
import java.time.Duration;
import picocli.CommandLine;

/** Options that take a duration ({@link Durations}' grammar: {@code 500ms}, {@code 10s}, {@code 1h}, ...). */
public final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        try {
            return Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
