package io.infermon.agent.capture;

import io.infermon.capture.CaptureCodec;
import io.infermon.capture.CaptureSource;
import io.infermon.capture.EncodedStrings;
import io.infermon.capture.RecordKind;
import io.infermon.capture.TensorMeaning;
import io.infermon.capture.TensorRole;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * One thread's scratch for the call being captured, laid out for {@link CaptureCodec#encode}: per tensor its name,
 * role, meaning, type, rank, first dimension and byte length in growable arrays reused for every call, so capturing
 * allocates nothing once they have grown to the call's tensor count. Subclasses know where the values live
 * (TensorFlow's native memory, Java arrays) and copy them.
 *
 * <p>Supports truncation by rows: {@link #truncateRows} keeps the first rows of every tensor whose first dimension
 * is the batch size, so a call larger than the record limit can still be recorded in part.
 */
abstract class RecordedCall implements CaptureSource {
    long captureTimeEpochNanos;
    long durationNanos;
    String modelName;
    String modelVersion;
    String signature = "";
    String point;
    String requestId = "";
    RecordKind kind = RecordKind.INFERENCE;

    int count;
    String[] names = new String[4];
    TensorRole[] roles = new TensorRole[4];
    TensorMeaning[] meanings = new TensorMeaning[4];
    int[] dtypes = new int[4];
    int[] ranks = new int[4];
    long[] firstDims = new long[4];
    int[] byteLengths = new int[4];

    /** This thread's model, point and tensor names as the record stores them; made at the first record encoded. */
    private EncodedStrings encodedStrings;

    /** Rows kept per batched tensor, or -1 when the call is whole. */
    private long rowLimit = -1;
    private long batch;

    void begin(String point, String modelName, String modelVersion, String signature, String requestId,
               long startNanos, long endNanos, long captureTimeEpochNanos) {
        this.point = point;
        this.modelName = modelName;
        this.modelVersion = modelVersion;
        this.signature = signature;
        this.requestId = requestId == null ? "" : requestId;
        this.durationNanos = endNanos - startNanos;
        this.captureTimeEpochNanos = captureTimeEpochNanos;
        this.kind = RecordKind.INFERENCE;
        this.count = 0;
        this.rowLimit = -1;
    }

    /** Makes room for one more tensor and returns its index. */
    int next() {
        if (count == names.length) {
            int n = count * 2;
            names = Arrays.copyOf(names, n);
            roles = Arrays.copyOf(roles, n);
            meanings = Arrays.copyOf(meanings, n);
            dtypes = Arrays.copyOf(dtypes, n);
            ranks = Arrays.copyOf(ranks, n);
            firstDims = Arrays.copyOf(firstDims, n);
            byteLengths = Arrays.copyOf(byteLengths, n);
            grow(n);
        }
        return count++;
    }

    /** Subclasses grow their own per-tensor arrays to {@code n}. */
    abstract void grow(int n);

    /** The tensor's full dimension {@code d}. */
    abstract long fullDim(int t, int d);

    /** Copies the first {@code bytes} bytes of tensor {@code t}'s row-major data. */
    abstract void copyPrefix(int t, ByteBuffer target, int offset, int bytes);

    /** Whether any tensor has a first dimension of 0 (an empty batch). */
    boolean hasZeroRows() {
        for (int t = 0; t < count; t++) {
            if (ranks[t] > 0 && firstDims[t] == 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * Cuts the call to the most rows that fit in {@code maxBytes}. The batch size is the first dimension of the first
     * tensor with one; every tensor with that first dimension is cut alike. Returns false when not even one row fits.
     */
    boolean truncateRows(long fullLength, long maxBytes) {
        batch = -1;
        for (int t = 0; t < count && batch < 0; t++) {
            if (ranks[t] > 0) {
                batch = firstDims[t];
            }
        }
        if (batch <= 1) {
            return false;
        }
        long batchedBytes = 0;
        for (int t = 0; t < count; t++) {
            if (isBatched(t)) {
                batchedBytes += byteLengths[t];
            }
        }
        long perRow = batchedBytes / batch;
        long fixed = fullLength - batchedBytes;
        if (perRow <= 0 || fixed + perRow > maxBytes) {
            return false;
        }
        rowLimit = Math.min(batch - 1, (maxBytes - fixed) / perRow);
        return true;
    }

    boolean isTruncated() {
        return rowLimit >= 0;
    }

    private boolean isBatched(int t) {
        return ranks[t] > 0 && firstDims[t] == batch;
    }

    void clear() {
        Arrays.fill(names, 0, count, null);
        count = 0;
        rowLimit = -1;
    }

    @Override
    public RecordKind recordKind() {
        return kind;
    }

    @Override
    public int flags() {
        return rowLimit >= 0 ? CaptureCodec.FLAG_ROWS_TRUNCATED : 0;
    }

    @Override
    public long captureTimeEpochNanos() {
        return captureTimeEpochNanos;
    }

    @Override
    public EncodedStrings encodedStrings() {
        EncodedStrings e = encodedStrings;
        if (e == null) {
            e = encodedStrings = new EncodedStrings();
        }
        return e;
    }

    @Override
    public long durationNanos() {
        return durationNanos;
    }

    @Override
    public String modelName() {
        return modelName;
    }

    @Override
    public String modelVersion() {
        return modelVersion;
    }

    @Override
    public String signature() {
        return signature;
    }

    @Override
    public String interceptionPoint() {
        return point;
    }

    @Override
    public String requestId() {
        return requestId;
    }

    @Override
    public int tensorCount() {
        return count;
    }

    @Override
    public String tensorName(int t) {
        return names[t];
    }

    @Override
    public TensorRole tensorRole(int t) {
        return roles[t];
    }

    @Override
    public TensorMeaning tensorMeaning(int t) {
        return meanings[t];
    }

    @Override
    public int tensorDType(int t) {
        return dtypes[t];
    }

    @Override
    public int tensorRank(int t) {
        return ranks[t];
    }

    @Override
    public long tensorDim(int t, int d) {
        if (d == 0) {
            return rowLimit >= 0 && isBatched(t) ? rowLimit : firstDims[t];
        }
        return fullDim(t, d);
    }

    @Override
    public int tensorByteLength(int t) {
        if (rowLimit >= 0 && isBatched(t)) {
            return (int) (byteLengths[t] / batch * rowLimit);
        }
        return byteLengths[t];
    }

    @Override
    public void copyTensorBytes(int t, ByteBuffer target, int offset) {
        int bytes = tensorByteLength(t);
        if (bytes > 0) {
            copyPrefix(t, target, offset, bytes);
        }
    }

    /** Reading a tensor failed inside encoding; the call is dropped and counted. */
    static final class TensorReadException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TensorReadException(String what, Throwable cause) {
            super("cannot read " + what + ": " + cause, cause, false, false);
        }
    }
}
