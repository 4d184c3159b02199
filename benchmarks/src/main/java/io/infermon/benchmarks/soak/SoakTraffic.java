package io.infermon.benchmarks.soak;

import io.infermon.benchmarks.processor.DigitsTraffic;
import io.infermon.capture.CaptureCodec;
import io.infermon.capture.CaptureSource;
import io.infermon.capture.DType;
import io.infermon.capture.TensorMeaning;
import io.infermon.capture.TensorRole;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * The calls of the soak: one digits row a call (64 float features, 10 probabilities), as a service scoring single
 * requests sends them, encoded and sealed by the shared codec exactly as the agent's writer leaves them. Call
 * {@code k} carries data row {@code k mod 1797} and a latency that varies with {@code k}, so every statistic has
 * work to do. One buffer is reused: {@link #encode} returns a view valid until the next call.
 */
final class SoakTraffic implements CaptureSource {
    private final DigitsTraffic digits = DigitsTraffic.load();
    private final CRC32C crc = new CRC32C();
    private ByteBuffer buffer = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
    private long call;
    private long timeNanos;
    private float[] features;
    private float[] probabilities;

    /** Call {@code k} at {@code timeEpochNanos}, sealed; the returned buffer holds exactly the record. */
    ByteBuffer encode(long k, long timeEpochNanos) {
        call = k;
        timeNanos = timeEpochNanos;
        int row = (int) (k % digits.rows());
        features = digits.features(row);
        probabilities = digits.probabilities(row);
        int length = (int) CaptureCodec.encodedLength(this);
        if (buffer.capacity() < length) {
            buffer = ByteBuffer.allocate(length * 2).order(ByteOrder.LITTLE_ENDIAN);
        }
        CaptureCodec.encode(this, buffer, 0);
        CaptureCodec.seal(buffer, 0, crc);
        return buffer.duplicate().position(0).limit(length);
    }

    @Override public long captureTimeEpochNanos() { return timeNanos; }
    /** 40 to 136 us, spread over the calls. */
    @Override public long durationNanos() { return 40_000L + (call * 7919 % 97) * 1_000L; }
    @Override public String modelName() { return "digits"; }
    @Override public String modelVersion() { return "1"; }
    @Override public String signature() { return "serving_default"; }
    @Override public String interceptionPoint() { return "tensorflow.signature"; }
    @Override public String requestId() { return ""; }
    @Override public int tensorCount() { return 2; }
    @Override public String tensorName(int t) { return t == 0 ? "pixels" : "scores"; }
    @Override public TensorRole tensorRole(int t) { return t == 0 ? TensorRole.INPUT : TensorRole.OUTPUT; }
    @Override public TensorMeaning tensorMeaning(int t) { return TensorMeaning.UNSPECIFIED; }
    @Override public int tensorDType(int t) { return DType.FLOAT.code(); }
    @Override public int tensorRank(int t) { return 2; }
    @Override public long tensorDim(int t, int d) {
        return d == 0 ? 1 : t == 0 ? DigitsTraffic.FEATURES : DigitsTraffic.CLASSES;
    }
    @Override public int tensorByteLength(int t) { return (t == 0 ? DigitsTraffic.FEATURES : DigitsTraffic.CLASSES) * 4; }

    @Override
    public void copyTensorBytes(int t, ByteBuffer target, int offset) {
        ByteBuffer out = target.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int p = offset;
        for (float v : t == 0 ? features : probabilities) {
            out.putFloat(p, v);
            p += 4;
        }
    }
}
