package io.infermon.processor.stats;

import static org.assertj.core.api.Assertions.assertThat;

import io.infermon.processor.Datasets;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The ground a crash-safe processor stands on: statistics restored from their serialized form and fed the same values
 * after the same reseed end in exactly the same state, byte for byte, as statistics that were never serialized.
 */
class RepeatabilityTest {

    private static byte[] bytes(FeatureSummary f) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        f.writeTo(new DataOutputStream(out), SketchForm.FULL);
        return out.toByteArray();
    }

    @Test
    void aRestoredSummaryContinuesExactlyLikeTheOriginal() throws Exception {
        // real values well beyond exact counting and the KLL sketch's first compactions: areas, rounded (integral,
        // so the frequency and distinct sketches are exercised too) and not rounded, repeated with a shift
        double[] area = Datasets.column(Datasets.breastCancer(), 3);
        double[] stream = new double[area.length * 40];
        for (int i = 0; i < stream.length; i++) {
            stream[i] = area[i % area.length] + i / area.length;
        }
        for (boolean integral : new boolean[] {true, false}) {
            double[] values = integral ? Arrays.stream(stream).map(Math::rint).toArray() : stream;
            FeatureSummary original = new FeatureSummary();
            int half = values.length / 2;
            SketchRandomness.reseed(1);
            for (int i = 0; i < half; i++) {
                original.add(values[i]);
            }
            FeatureSummary restored = FeatureSummary.readFrom(new DataInputStream(new ByteArrayInputStream(
                    bytes(original))));
            assertThat(SketchRandomness.reseed(42)).isTrue();
            for (int i = half; i < values.length; i++) {
                original.add(values[i]);
            }
            SketchRandomness.reseed(42);
            for (int i = half; i < values.length; i++) {
                restored.add(values[i]);
            }
            assertThat(original.values().isExact()).isFalse();
            assertThat(bytes(restored)).isEqualTo(bytes(original));
        }
    }
}
