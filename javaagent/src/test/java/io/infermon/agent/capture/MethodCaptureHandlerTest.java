package io.infermon.agent.capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.infermon.agent.config.AgentConfig;
import io.infermon.agent.config.ConfigReader;
import io.infermon.agent.queue.CaptureRing;
import io.infermon.agent.util.EpochClock;
import io.infermon.capture.CaptureCodec;
import io.infermon.capture.CaptureRecord;
import io.infermon.capture.CapturedTensor;
import io.infermon.capture.DType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;

/**
 * The fault matrix for values handed to a method point, at the handler (what the advice calls): whatever the value,
 * the handler never throws, and each case ends up recorded as it is, or dropped and counted.
 */
class MethodCaptureHandlerTest {
    private CaptureRing ring;
    private CaptureCounters counters;
    private AgentCaptureHandler handler;

    private void start(Path tmp, String extraYaml) throws Exception {
        Path file = Files.writeString(tmp.resolve("agent.yaml"), extraYaml + """
                methods:
                  - name: handler
                    class: com.acme.Handler
                    method: handle
                    arguments: {0: {role: id, getter: getRequestId}}
                  - name: predict
                    class: com.acme.Model
                    method: predict
                    arguments: {0: features}
                    return: probabilities
                """);
        AgentConfig config = ConfigReader.read(k -> null, Map.of(), "config=" + file);
        ring = new CaptureRing(1 << 16);
        counters = new CaptureCounters();
        handler = new AgentCaptureHandler(ring, counters, new EpochClock(), config, new InFlightCalls());
    }

    private void predict(Object features, Object result) {
        long token = handler.methodEnter(1, features, null, null, null, null, null);
        handler.methodExit(token, 1, features, null, null, null, null, null, result, null);
    }

    private List<CaptureRecord> drain() {
        return RingRecords.drain(ring);
    }

    public static final class Request {
        private final String id;

        Request(String id) {
            this.id = id;
        }

        public String getRequestId() {
            if (id == null) {
                throw new IllegalStateException("no id");
            }
            return id;
        }
    }

    /**
     * A method point whose values are TensorFlow tensors records them as a TensorFlow call does: the shape, the type
     * and the bytes, here checked against the values set through TensorFlow's own accessors.
     */
    @Test
    void tensorFlowTensorsHandedToAMethodPointAreRecordedWithTheirShapeTypeAndBytes(@TempDir Path tmp)
            throws Exception {
        start(tmp, "");
        try (TFloat32 small = TFloat32.tensorOf(Shape.of(2, 3)); TFloat32 large = TFloat32.tensorOf(Shape.of(500, 2));
             TFloat64 result = TFloat64.tensorOf(Shape.of(2, 2))) {
            for (int i = 0; i < 6; i++) {
                small.setFloat(0.25f * i - 1, i / 3, i % 3);
            }
            for (int r = 0; r < 500; r++) {
                large.setFloat(r, r, 0);
                large.setFloat(-r, r, 1);
            }
            result.setDouble(0.9, 1, 1);
            predict(small, result);
            predict(large, result);
        }
        List<CaptureRecord> records = drain();
        assertThat(records).hasSize(2);
        CapturedTensor in = records.get(0).tensors().get(0);
        assertThat(in.dtype()).isEqualTo(DType.FLOAT);
        assertThat(in.shape()).containsExactly(2, 3);
        for (int i = 0; i < 6; i++) {
            assertThat(in.bytes().getFloat(4 * i)).isEqualTo(0.25f * i - 1);
        }
        CapturedTensor out = records.get(0).tensors().get(1);
        assertThat(out.dtype()).isEqualTo(DType.DOUBLE);
        assertThat(out.shape()).containsExactly(2, 2);
        assertThat(out.bytes().getDouble(24)).isEqualTo(0.9);
        CapturedTensor big = records.get(1).tensors().get(0);
        assertThat(big.shape()).containsExactly(500, 2);
        assertThat(big.bytes().remaining()).isEqualTo(4_000);
        assertThat(big.bytes().getFloat(8 * 499)).isEqualTo(499f);
        assertThat(big.bytes().getFloat(8 * 499 + 4)).isEqualTo(-499f);
    }

    @Test
    void nanInfinityAndZeroRowsAreRecordedAsTheyAre(@TempDir Path tmp) throws Exception {
        start(tmp, "");
        predict(new double[][] {{Double.NaN, Double.POSITIVE_INFINITY}}, new double[][] {{1, 0}});
        predict(new double[0][], new double[0][]);
        List<CaptureRecord> records = drain();
        assertThat(records).hasSize(2);
        assertThat(records.get(0).tensors().get(0).bytes().getDouble(0)).isNaN();
        assertThat(records.get(0).tensors().get(0).bytes().getDouble(8)).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(records.get(1).tensors().get(0).shape()).containsExactly(0, 0);
        assertThat(counters.callsZeroRows.sum()).isEqualTo(1);
        assertThat(counters.callsCaptured.sum()).isEqualTo(2);
    }

    @Test
    void unsupportedTypesAndRaggedRowsAreDroppedAndCounted(@TempDir Path tmp) throws Exception {
        start(tmp, "");
        predict(new String[] {"a"}, null);
        predict(new double[][] {{1, 2}, {3}}, null);
        predict(List.of(1.0, "x"), null);
        assertThat(drain()).isEmpty();
        assertThat(counters.droppedUnsupported.sum()).isEqualTo(3);
        assertThat(counters.callsSeen.sum()).isEqualTo(3);
    }

    @Test
    void largerThanTheLimitIsSkippedOrTruncatedByRows(@TempDir Path tmp) throws Exception {
        double[][] big = new double[1000][8]; // 64 KB of features
        for (int r = 0; r < big.length; r++) {
            big[r][0] = r;
        }
        start(tmp, "capture: {max_record_bytes: 4KiB}\n");
        predict(big, null);
        assertThat(drain()).isEmpty();
        assertThat(counters.droppedTooLarge.sum()).isEqualTo(1);

        Files.delete(tmp.resolve("agent.yaml"));
        start(tmp, "capture: {max_record_bytes: 4KiB, oversize: truncate}\n");
        predict(big, null);
        List<CaptureRecord> records = drain();
        assertThat(records).singleElement().satisfies(r -> {
            assertThat(r.flags()).isEqualTo(CaptureCodec.FLAG_ROWS_TRUNCATED);
            long rows = r.tensors().get(0).shape()[0];
            assertThat(rows).isBetween(40L, 63L); // 4096 bytes hold at most 63 rows of 64 bytes after the header
            assertThat(r.tensors().get(0).bytes().getDouble((int) (rows - 1) * 64)).isEqualTo(rows - 1);
        });
        assertThat(counters.callsTruncated.sum()).isEqualTo(1);
    }

    @Test
    void aFailingIdGetterIsCountedAndTheRequestIdOfTheNextRequestIsRight(@TempDir Path tmp) throws Exception {
        start(tmp, "");
        long broken = handler.methodEnter(0, new Request(null), null, null, null, null, null);
        assertThat(broken).isZero();
        predict(new float[] {1f}, null);
        handler.methodExit(broken, 0, new Request(null), null, null, null, null, null, null, null);
        assertThat(counters.droppedCaptureError.sum()).isEqualTo(1);

        long token = handler.methodEnter(0, new Request("r-7"), null, null, null, null, null);
        predict(new float[] {2f}, null);
        handler.methodExit(token, 0, new Request("r-7"), null, null, null, null, null, null, null);
        predict(new float[] {3f}, null);
        List<CaptureRecord> records = drain();
        assertThat(records).extracting(CaptureRecord::requestId).containsExactly("", "r-7", "");
    }

    @Test
    void samplingAndTheCallsPerSecondLimitAreCounted(@TempDir Path tmp) throws Exception {
        start(tmp, "sampling: {max_calls_per_second: 5}\n");
        for (int i = 0; i < 20; i++) {
            predict(new float[] {i}, null);
        }
        // 20 calls within well under a second, or at most across one window edge
        assertThat(counters.callsCaptured.sum()).isBetween(5L, 10L);
        assertThat(counters.callsSampledOut.sum()).isEqualTo(20 - counters.callsCaptured.sum());
        assertThat(drain()).hasSize((int) counters.callsCaptured.sum());
    }
}
