package io.infermon.benchmarks.agent;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SustainedRateLatencyTest {

    @Test
    void percentilesAreNearestRankOfTheSortedCalls() {
        long[] nanos = new long[1000];
        for (int i = 0; i < nanos.length; i++) {
            nanos[i] = (i + 1) * 1_000L; // 1 .. 1000 us
        }
        assertThat(SustainedRateLatency.pct(nanos, 0.5)).isEqualTo(500.0);
        assertThat(SustainedRateLatency.pct(nanos, 0.99)).isEqualTo(990.0);
        assertThat(SustainedRateLatency.pct(nanos, 0.999)).isEqualTo(999.0);
        assertThat(SustainedRateLatency.pct(nanos, 0.9999)).isEqualTo(1000.0);
    }

    @Test
    void aSingleSlowCallIsTheWholeTailOfASmallRun() {
        long[] nanos = {10_000, 10_000, 10_000, 9_000_000};
        assertThat(SustainedRateLatency.pct(nanos, 0.5)).isEqualTo(10.0);
        assertThat(SustainedRateLatency.pct(nanos, 0.99)).isEqualTo(9_000.0);
    }
}
