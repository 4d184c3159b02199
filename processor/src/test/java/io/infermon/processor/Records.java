package io.infermon.processor;

import io.infermon.capture.CaptureCodec;
import io.infermon.capture.CaptureRecord;
import io.infermon.capture.CaptureSource;
import io.infermon.capture.CapturedTensor;
import io.infermon.capture.DType;
import io.infermon.capture.RecordKind;
import io.infermon.capture.TensorMeaning;
import io.infermon.capture.TensorRole;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/** Builds decoded capture records for processor tests. */
public final class Records {
    private Records() {
    }

    public static CapturedTensor floats(String name, TensorRole role, float[][] rows) {
        int width = rows.length == 0 ? 0 : rows[0].length;
        ByteBuffer b = ByteBuffer.allocate(rows.length * width * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float[] row : rows) {
            for (float v : row) {
                b.putFloat(v);
            }
        }
        return new CapturedTensor(name, role, TensorMeaning.UNSPECIFIED, DType.FLOAT.code(),
                new long[] {rows.length, width}, b.flip().asReadOnlyBuffer());
    }

    public static CaptureRecord record(long epochMillis, String model, CapturedTensor... tensors) {
        return new CaptureRecord(1, RecordKind.INFERENCE, 0, epochMillis * 1_000_000L, 50_000L, model, "", "",
                "tensorflow.session", "", List.of(tensors));
    }

    /** An agent's watermark record at {@code epochMillis}, as the agent's writer appends it. */
    public static byte[] watermark(long epochMillis, long agentStartNanos, boolean last) {
        ByteBuffer b = ByteBuffer.allocate(io.infermon.capture.CaptureCodec.WATERMARK_LENGTH)
                .order(ByteOrder.LITTLE_ENDIAN);
        io.infermon.capture.CaptureCodec.encodeWatermark(new io.infermon.capture.AgentWatermark(
                epochMillis * 1_000_000L, agentStartNanos, last), b, 0, new java.util.zip.CRC32C());
        return b.array();
    }

    /** The record encoded and sealed by the shared codec, as the agent writes it. */
    public static byte[] encode(CaptureRecord r) {
        CaptureSource source = new CaptureSource() {
            @Override public RecordKind recordKind() { return r.kind(); }
            @Override public long captureTimeEpochNanos() { return r.captureTimeEpochNanos(); }
            @Override public long durationNanos() { return r.durationNanos(); }
            @Override public String modelName() { return r.modelName(); }
            @Override public String modelVersion() { return r.modelVersion(); }
            @Override public String signature() { return r.signature(); }
            @Override public String interceptionPoint() { return r.interceptionPoint(); }
            @Override public String requestId() { return r.requestId(); }
            @Override public int tensorCount() { return r.tensors().size(); }
            @Override public String tensorName(int t) { return r.tensors().get(t).name(); }
            @Override public TensorRole tensorRole(int t) { return r.tensors().get(t).role(); }
            @Override public TensorMeaning tensorMeaning(int t) { return r.tensors().get(t).meaning(); }
            @Override public int tensorDType(int t) { return r.tensors().get(t).dtypeCode(); }
            @Override public int tensorRank(int t) { return r.tensors().get(t).rank(); }
            @Override public long tensorDim(int t, int d) { return r.tensors().get(t).shape()[d]; }
            @Override public int tensorByteLength(int t) { return r.tensors().get(t).data().remaining(); }

            @Override
            public void copyTensorBytes(int t, ByteBuffer target, int offset) {
                target.put(offset, r.tensors().get(t).data(), 0, tensorByteLength(t));
            }
        };
        int length = (int) CaptureCodec.encodedLength(source);
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        CaptureCodec.encode(source, b, 0);
        CaptureCodec.seal(b, 0, new CRC32C());
        return b.array();
    }

    /** A call with the given feature rows and probability rows. */
    public static CaptureRecord call(long epochMillis, String model, float[][] features, float[][] probabilities) {
        List<CapturedTensor> t = new ArrayList<>();
        t.add(floats("x:0", TensorRole.INPUT, features));
        if (probabilities != null) {
            t.add(floats("probs", TensorRole.OUTPUT, probabilities));
        }
        return record(epochMillis, model, t.toArray(new CapturedTensor[0]));
    }
}
