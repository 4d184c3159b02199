package io.infermon.capture;

import java.nio.ByteBuffer;

/**
 * What the writer needs to know about one intercepted call. The agent implements it over its per-thread scratch
 * state, so that encoding a call allocates nothing: the codec asks for each field and each tensor's bytes in turn.
 */
public interface CaptureSource {

    /** {@link RecordKind#INFERENCE} for a model call, {@link RecordKind#LABEL} for a label. */
    default RecordKind recordKind() {
        return RecordKind.INFERENCE;
    }

    /** The header's flag bits: {@link CaptureCodec#FLAG_ROWS_TRUNCATED} or 0. */
    default int flags() {
        return 0;
    }

    /**
     * Where the codec keeps the stored bytes of the strings this source repeats from call to call (every string but
     * the request id), or null to convert them on every call. The agent keeps one per thread.
     */
    default EncodedStrings encodedStrings() {
        return null;
    }

    /** Wall-clock time the call started, in nanoseconds since the epoch: the record's event time. */
    long captureTimeEpochNanos();

    /** How long the intercepted call took, in nanoseconds. */
    long durationNanos();

    String modelName();

    /** The model version, or the empty string. */
    String modelVersion();

    /** The signature (or function) key, or the empty string for a plain session run. */
    String signature();

    /** Which interception point saw the call, e.g. {@code tensorflow.session}. */
    String interceptionPoint();

    /** The request id in effect for the call, or the empty string. */
    String requestId();

    int tensorCount();

    String tensorName(int tensor);

    TensorRole tensorRole(int tensor);

    TensorMeaning tensorMeaning(int tensor);

    /** The TensorFlow {@code DataType} number (see {@link DType}). */
    int tensorDType(int tensor);

    int tensorRank(int tensor);

    long tensorDim(int tensor, int dimension);

    /** The number of raw bytes {@link #copyTensorBytes} will write. */
    int tensorByteLength(int tensor);

    /**
     * Copies the tensor's raw little-endian bytes into {@code target} at the absolute index {@code offset}, without
     * moving the buffer's position.
     */
    void copyTensorBytes(int tensor, ByteBuffer target, int offset);
}
