package io.infermon.benchmarks.soak;

import static org.assertj.core.api.Assertions.assertThat;

import io.infermon.benchmarks.processor.DigitsTraffic;
import io.infermon.capture.CaptureCodec;
import io.infermon.capture.CaptureRecord;
import io.infermon.capture.CapturedTensor;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class SoakTrafficTest {

    @Test
    void aCallDecodesToItsDigitsRowItsTimeAndItsLatency() throws Exception {
        SoakTraffic traffic = new SoakTraffic();
        DigitsTraffic digits = DigitsTraffic.load();
        long k = 1797L * 3 + 41; // wraps round the data set to row 41
        CaptureRecord r = CaptureCodec.decode(traffic.encode(k, 1_795_000_000_123_456_789L));

        assertThat(r.captureTimeEpochNanos()).isEqualTo(1_795_000_000_123_456_789L);
        assertThat(r.durationNanos()).isEqualTo(40_000L + (k * 7919 % 97) * 1_000L);
        assertThat(r.modelName()).isEqualTo("digits");
        assertThat(r.tensors()).hasSize(2);
        assertThat(floats(r.tensors().get(0))).containsExactly(digits.features(41));
        assertThat(floats(r.tensors().get(1))).containsExactly(digits.probabilities(41));
        assertThat(r.tensors().get(0).shape()).containsExactly(1, DigitsTraffic.FEATURES);
    }

    @Test
    void theReusedBufferHoldsOnlyTheLatestCall() throws Exception {
        SoakTraffic traffic = new SoakTraffic();
        traffic.encode(5, 1_000L);
        CaptureRecord second = CaptureCodec.decode(traffic.encode(6, 2_000L));
        assertThat(second.captureTimeEpochNanos()).isEqualTo(2_000L);
        assertThat(floats(second.tensors().get(0))).containsExactly(DigitsTraffic.load().features(6));
    }

    private static float[] floats(CapturedTensor t) {
        var b = t.data().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        float[] v = new float[b.remaining() / 4];
        for (int i = 0; i < v.length; i++) {
            v[i] = b.getFloat(b.position() + 4 * i);
        }
        return v;
    }
}
