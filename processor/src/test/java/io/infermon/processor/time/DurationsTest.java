package io.infermon.processor.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
    @Test
    void readsTheUnitsTheDocsList() {
        assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse("10s")).isEqualTo(Duration.ofSeconds(10));
        assertThat(Durations.parse("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Durations.parse("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(Durations.parse(" 1d ")).isEqualTo(Duration.ofDays(1));
    }

    @Test
    void explainsWhatItExpects() {
        assertThatThrownBy(() -> Durations.parse("60")).hasMessageContaining("e.g. 500ms, 10s");
        assertThatThrownBy(() -> Durations.parse("1.5h")).hasMessageContaining("not a duration");
    }
}
