package io.infermon.capture;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** A {@link CaptureSource} over plain fields, for tests. */
final class SimpleCall implements CaptureSource {
    record Tensor(String name, TensorRole role, TensorMeaning meaning, int dtype, long[] shape, byte[] bytes) {
    }

    long captureTime = 1_700_000_000_123_456_789L;
    long duration = 81_234L;
    String model = "digits";
    String version = "3";
    String signature = "serving_default";
    String point = "tensorflow.signature";
    String requestId = "";
    RecordKind kind = RecordKind.INFERENCE;
    int flags;
    /** Kept strings, as the agent keeps them per thread; null: converted on every encode. */
    EncodedStrings strings;
    final List<Tensor> tensors = new ArrayList<>();

    SimpleCall tensor(String name, TensorRole role, DType dtype, long[] shape, byte[] bytes) {
        tensors.add(new Tensor(name, role, TensorMeaning.UNSPECIFIED, dtype.code(), shape, bytes));
        return this;
    }

    /** Encodes and seals this call into a fresh buffer holding exactly the record. */
    ByteBuffer record() {
        int length = (int) CaptureCodec.encodedLength(this);
        ByteBuffer buffer = ByteBuffer.allocate(length + 16).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int written = CaptureCodec.encode(this, buffer, 8);
        if (written != length) {
            throw new AssertionError("encode wrote " + written + " bytes, encodedLength said " + length);
        }
        CaptureCodec.seal(buffer.duplicate(), 8, new java.util.zip.CRC32C());
        return buffer.slice(8, length);
    }

    @Override public EncodedStrings encodedStrings() { return strings; }
    @Override public RecordKind recordKind() { return kind; }
    @Override public int flags() { return flags; }
    @Override public long captureTimeEpochNanos() { return captureTime; }
    @Override public long durationNanos() { return duration; }
    @Override public String modelName() { return model; }
    @Override public String modelVersion() { return version; }
    @Override public String signature() { return signature; }
    @Override public String interceptionPoint() { return point; }
    @Override public String requestId() { return requestId; }
    @Override public int tensorCount() { return tensors.size(); }
    @Override public String tensorName(int t) { return tensors.get(t).name(); }
    @Override public TensorRole tensorRole(int t) { return tensors.get(t).role(); }
    @Override public TensorMeaning tensorMeaning(int t) { return tensors.get(t).meaning(); }
    @Override public int tensorDType(int t) { return tensors.get(t).dtype(); }
    @Override public int tensorRank(int t) { return tensors.get(t).shape().length; }
    @Override public long tensorDim(int t, int d) { return tensors.get(t).shape()[d]; }
    @Override public int tensorByteLength(int t) { return tensors.get(t).bytes().length; }

    @Override
    public void copyTensorBytes(int t, ByteBuffer target, int offset) {
        target.put(offset, tensors.get(t).bytes());
    }
}
