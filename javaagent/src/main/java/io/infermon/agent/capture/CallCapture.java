package io.infermon.agent.capture;

import io.infermon.capture.DType;
import io.infermon.capture.TensorMeaning;
import io.infermon.capture.TensorRole;
import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A TensorFlow call being captured on one thread: tensors stay in TensorFlow's native memory until
 * {@link #copyPrefix} copies them into the ring, straight from their native address when {@link TensorMemory} finds
 * it (no object built), else through TensorFlow's buffer API and a small per-thread chunk (64 KiB at most), so a
 * service with hundreds of request threads does not keep a copy of its largest tensor per thread.
 */
final class CallCapture extends RecordedCall {
    static final int CHUNK_BYTES = 64 * 1024;

    /** How many intercepted TensorFlow calls are open on this thread; only the outermost one is captured. */
    int depth;

    TensorFlowApi api;
    /** Walks the call's result map without allocating. */
    final TensorFlowCaptureHandler.MapTensors mapTensors = new TensorFlowCaptureHandler.MapTensors();
    /**
     * The input names of the signature this thread called last. Held weakly: a thread-local must not keep a web
     * app's TensorFlow classes alive after it is undeployed.
     */
    private WeakReference<Object> namedSignature = new WeakReference<>(null);
    private String[] inputNames = new String[0];
    private Object[] tensors = new Object[4];
    private Object[] shapes = new Object[4];
    /** Each tensor's shape's own dimensions when they could be read directly, else null (then through its methods). */
    private long[][] dimensions = new long[4][];
    private byte[] chunk = new byte[0];
    /** Re-pointed at each tensor's native memory in turn: reading through it allocates nothing. */
    private final UnsafeBuffer nativeSource = new UnsafeBuffer(0, 0);

    void begin(TensorFlowApi api, String point, ModelIdentity model, String signature, String requestId,
               long startNanos, long endNanos, long captureTimeEpochNanos) {
        super.begin(point, model.name(), model.version(), signature, requestId, startNanos, endNanos,
                captureTimeEpochNanos);
        this.api = api;
    }

    /**
     * The input names of {@code signature}, in TensorFlow's order; read from the signature only when this thread
     * calls a different one than last time (threads of a service mostly call the same).
     */
    String[] inputNames(TensorFlowApi tf, Object signature) throws Throwable {
        if (namedSignature.get() != signature) {
            java.util.Set<?> names = (java.util.Set<?>) (Object) tf.signatureInputNames.invokeExact(signature);
            inputNames = names.toArray(new String[0]);
            namedSignature = new WeakReference<>(signature);
        }
        return inputNames;
    }

    @Override
    void grow(int n) {
        tensors = Arrays.copyOf(tensors, n);
        shapes = Arrays.copyOf(shapes, n);
        dimensions = Arrays.copyOf(dimensions, n);
    }

    /** Adds a tensor, reading its type, shape and size (not yet its bytes). */
    void add(String name, TensorRole role, TensorMeaning meaning, Object tensor) throws Throwable {
        add(api, name, role, meaning, tensor);
    }

    void add(TensorFlowApi tf, String name, TensorRole role, TensorMeaning meaning, Object tensor) throws Throwable {
        int dtype = (int) tf.dataTypeNumber.invokeExact(tf.tensorDataType.invokeExact(tensor));
        Object shape = tf.tensorShape.invokeExact(tensor);
        long[] dims = tf.dimensions(shape);
        int rank = dims != null ? dims.length : (int) tf.shapeRank.invokeExact(shape);
        // A DT_STRING tensor's memory holds TF_TString structs (pointers), not text: record its shape only.
        long bytes = dtype == DType.STRING.code() ? 0 : byteCount(tf, tensor, dtype, dims);
        int t = next();
        names[t] = name;
        roles[t] = role;
        meanings[t] = meaning;
        tensors[t] = tensor;
        shapes[t] = shape;
        dimensions[t] = dims;
        dtypes[t] = dtype;
        ranks[t] = rank;
        firstDims[t] = rank == 0 ? 1 : dims != null ? dims[0] : (long) tf.shapeSize.invokeExact(shape, 0);
        byteLengths[t] = (int) Math.min(bytes, Integer.MAX_VALUE);
        this.api = tf;
    }

    /**
     * The tensor's size in bytes: its element count times its element size for the fixed-size types, as TensorFlow
     * computes it, without a native call; from TensorFlow for anything else.
     */
    static long byteCount(TensorFlowApi tf, Object tensor, int dtype, long[] dims) throws Throwable {
        DType type = DType.fromCode(dtype);
        if (dims != null && type != null && type.byteSize() > 0) {
            long elements = 1;
            for (long d : dims) {
                if (d < 0 || (d > 0 && elements > Long.MAX_VALUE / d)) {
                    elements = -1;
                    break;
                }
                elements *= d;
            }
            if (elements >= 0 && elements <= Long.MAX_VALUE / type.byteSize()) {
                return elements * type.byteSize();
            }
        }
        return (long) tf.tensorNumBytes.invokeExact(tensor);
    }

    /** Drops references to the host's tensors as soon as the call is encoded. */
    @Override
    void clear() {
        Arrays.fill(tensors, 0, count, null);
        Arrays.fill(shapes, 0, count, null);
        Arrays.fill(dimensions, 0, count, null);
        super.clear();
        api = null;
    }

    @Override
    long fullDim(int t, int d) {
        long[] dims = dimensions[t];
        if (dims != null) {
            return dims[d];
        }
        try {
            return (long) api.shapeSize.invokeExact(shapes[t], d);
        } catch (Throwable e) {
            throw new TensorReadException("shape of " + names[t], e);
        }
    }

    @Override
    void copyPrefix(int t, ByteBuffer target, int offset, int length) {
        try {
            long address = TensorMemory.address(tensors[t], length);
            if (address != 0) {
                nativeSource.wrap(address, length);
                nativeSource.getBytes(0, target, offset, length);
                nativeSource.wrap(0, 0); // hold no address once the host may free it
                return;
            }
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
