package io.infermon.agent.capture;

import io.infermon.capture.CaptureSource;
import io.infermon.capture.DType;
import io.infermon.capture.TensorMeaning;
import io.infermon.capture.TensorRole;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * One inference thread's scratch state: the nesting depth of intercepted calls, and the call being captured, laid out
 * for {@link io.infermon.capture.CaptureCodec#encode}. Reused for every call on its thread, so capturing allocates
 * nothing once the arrays have grown to the model's tensor count.
 *
 * <p>Tensor bytes are copied from TensorFlow's native memory through a small per-thread chunk (64 KiB at most), so a
 * service with hundreds of request threads does not keep a copy of its largest tensor per thread.
 */
final class CallCapture implements CaptureSource {
    static final int CHUNK_BYTES = 64 * 1024;

    /** How many intercepted calls are open on this thread; only the outermost one is captured. */
    int depth;

    long captureTimeEpochNanos;
    long durationNanos;
    String modelName;
    String modelVersion;
    String signature;
    String point;
    String requestId = "";
    TensorFlowApi api;

    private int count;
    private String[] names = new String[4];
    private TensorRole[] roles = new TensorRole[4];
    private Object[] tensors = new Object[4];
    private Object[] shapes = new Object[4];
    private int[] dtypes = new int[4];
    private int[] ranks = new int[4];
    private int[] byteLengths = new int[4];
    private byte[] chunk = new byte[0];

    void begin(TensorFlowApi api, String point, ModelIdentity model, String signature, long startNanos,
               long endNanos, long captureTimeEpochNanos) {
        this.api = api;
        this.point = point;
        this.modelName = model.name();
        this.modelVersion = model.version();
        this.signature = signature;
        this.durationNanos = endNanos - startNanos;
        this.captureTimeEpochNanos = captureTimeEpochNanos;
        this.count = 0;
    }

    /** Adds a tensor, reading its type, shape and size (not yet its bytes). */
    void add(String name, TensorRole role, Object tensor) throws Throwable {
        if (count == names.length) {
            int n = count * 2;
            names = Arrays.copyOf(names, n);
            roles = Arrays.copyOf(roles, n);
            tensors = Arrays.copyOf(tensors, n);
            shapes = Arrays.copyOf(shapes, n);
            dtypes = Arrays.copyOf(dtypes, n);
            ranks = Arrays.copyOf(ranks, n);
            byteLengths = Arrays.copyOf(byteLengths, n);
        }
        int dtype = (int) api.dataTypeNumber.invokeExact(api.tensorDataType.invokeExact(tensor));
        Object shape = api.tensorShape.invokeExact(tensor);
        int rank = (int) api.shapeRank.invokeExact(shape);
        // A DT_STRING tensor's memory holds TF_TString structs (pointers), not text: record its shape only.
        long bytes = dtype == DType.STRING.code() ? 0 : (long) api.tensorNumBytes.invokeExact(tensor);
        names[count] = name;
        roles[count] = role;
        tensors[count] = tensor;
        shapes[count] = shape;
        dtypes[count] = dtype;
        ranks[count] = rank;
        byteLengths[count] = (int) Math.min(bytes, Integer.MAX_VALUE);
        count++;
    }

    /** Drops references to the host's tensors as soon as the call is encoded. */
    void clear() {
        Arrays.fill(tensors, 0, count, null);
        Arrays.fill(shapes, 0, count, null);
        Arrays.fill(names, 0, count, null);
        count = 0;
        api = null;
    }

    @Override
    public long captureTimeEpochNanos() {
        return captureTimeEpochNanos;
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
        return TensorMeaning.UNSPECIFIED;
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
        try {
            return (long) api.shapeSize.invokeExact(shapes[t], d);
        } catch (Throwable e) {
            throw new TensorReadException("shape of " + names[t], e);
        }
    }

    @Override
    public int tensorByteLength(int t) {
        return byteLengths[t];
    }

    @Override
    public void copyTensorBytes(int t, ByteBuffer target, int offset) {
        int length = byteLengths[t];
        if (length == 0) {
            return;
        }
        try {
            Object data = api.rawTensorData.invokeExact(api.asRawTensor.invokeExact(tensors[t]));
            if (length <= CHUNK_BYTES) {
                byte[] c = chunk(length);
                Object ignored = api.bufferRead.invokeExact(data, (Object) c, 0, length);
                target.put(offset, c, 0, length);
                return;
            }
            byte[] c = chunk(CHUNK_BYTES);
            for (int done = 0; done < length; done += CHUNK_BYTES) {
                int n = Math.min(CHUNK_BYTES, length - done);
                Object part = api.bufferSlice.invokeExact(data, (long) done, (long) n);
                Object ignored = api.bufferRead.invokeExact(part, (Object) c, 0, n);
                target.put(offset + done, c, 0, n);
            }
        } catch (Throwable e) {
            throw new TensorReadException("bytes of " + names[t], e);
        }
    }

    private byte[] chunk(int length) {
        if (chunk.length < length) {
            chunk = new byte[Math.max(length, Math.min(CHUNK_BYTES, chunk.length * 2))];
        }
        return chunk;
    }

    /** Reading a tensor failed inside encoding; the call is dropped and counted. */
    static final class TensorReadException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TensorReadException(String what, Throwable cause) {
            super("cannot read " + what + ": " + cause, cause, false, false);
        }
    }
}
