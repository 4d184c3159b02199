package io.infermon.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.infermon.processor.cli.DurationConverter;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationConverterTest {
    @Test
    void readsTheUnitsTheDocsList() {
        assertThat(DurationConverter.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(DurationConverter.parse("10s")).isEqualTo(Duration.ofSeconds(10));
        assertThat(DurationConverter.parse("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(DurationConverter.parse("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(DurationConverter.parse(" 1d ")).isEqualTo(Duration.ofDays(1));
    }

    @Test
    void explainsWhatItExpects() {
        assertThatThrownBy(() -> DurationConverter.parse("60")).hasMessageContaining("e.g. 500ms, 10s");
        assertThatThrownBy(() -> DurationConverter.parse("1.5h")).hasMessageContaining("not a duration");
    }
}
