package io.infermon.agent.capture;

import io.infermon.capture.DType;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The TensorFlow tensors of the call being captured on one thread, by the call's tensor index, and how each is read:
 * its type, shape and byte count when it is added, its other dimensions and its bytes when the call is encoded. Both
 * TensorFlow calls ({@link CallCapture}) and method points whose values are TensorFlow tensors ({@link MethodCall})
 * read their tensors here, so both take the cheapest way a tensor allows:
 * <ul>
 *   <li>the dimensions from the shape's own array ({@link TensorFlowApi#dimensions}), else through its methods;</li>
 *   <li>the byte count as the element count times the type's size, else from TensorFlow (a native call);</li>
 *   <li>the bytes straight from the tensor's native address ({@link TensorMemory}), no object built, else through
 *       TensorFlow's buffer API and a per-thread chunk of at most {@link #CHUNK_BYTES}, so that a service with
 *       hundreds of request threads does not keep a copy of its largest tensor per thread.</li>
 * </ul>
 * Tensors stay in TensorFlow's native memory until they are copied into the ring; the references are dropped once
 * the call is encoded ({@link #clear}).
 */
final class TensorFlowTensors {
    static final int CHUNK_BYTES = 64 * 1024;

    private TensorFlowApi[] apis = new TensorFlowApi[4];
    private Object[] tensors = new Object[4];
    /** Each tensor's own dimensions when they could be read directly, else null (then through its shape's methods). */
    private long[][] dimensions = new long[4][];
    /** The shape object, kept only for a tensor whose dimensions could not be read directly. */
    private Object[] shapes = new Object[4];
    private byte[] chunk = new byte[0];
    /** Re-pointed at each tensor's native memory in turn: reading through it allocates nothing. */
    private final UnsafeBuffer nativeSource = new UnsafeBuffer(0, 0);

    /** Grows the per-tensor arrays to {@code n}, with the call's own ({@link RecordedCall#grow}). */
    void grow(int n) {
        apis = Arrays.copyOf(apis, n);
        tensors = Arrays.copyOf(tensors, n);
        dimensions = Arrays.copyOf(dimensions, n);
        shapes = Arrays.copyOf(shapes, n);
    }

    /**
     * Keeps {@code tensor} as the call's tensor {@code t} and sets its type, rank, first dimension and byte length in
     * the call's arrays (not yet its bytes).
     */
    void add(RecordedCall call, int t, TensorFlowApi tf, Object tensor) throws Throwable {
        int dtype = (int) tf.dataTypeNumber.invokeExact(tf.tensorDataType.invokeExact(tensor));
        Object shape = tf.tensorShape.invokeExact(tensor);
        long[] dims = tf.dimensions(shape);
        int rank = dims != null ? dims.length : (int) tf.shapeRank.invokeExact(shape);
        // A DT_STRING tensor's memory holds TF_TString structs (pointers), not text: record its shape only.
        long bytes = dtype == DType.STRING.code() ? 0 : byteCount(tf, tensor, dtype, dims);
        apis[t] = tf;
        tensors[t] = tensor;
        dimensions[t] = dims;
        shapes[t] = dims == null ? shape : null;
        call.dtypes[t] = dtype;
        call.ranks[t] = rank;
        call.firstDims[t] = rank == 0 ? 1 : dims != null ? dims[0] : (long) tf.shapeSize.invokeExact(shape, 0);
        call.byteLengths[t] = (int) Math.min(bytes, Integer.MAX_VALUE);
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

    /** Dimension {@code d} of tensor {@code t}; {@code name} is for the error. */
    long dim(int t, int d, String name) {
        long[] dims = dimensions[t];
        if (dims != null) {
            return dims[d];
        }
        try {
            return (long) apis[t].shapeSize.invokeExact(shapes[t], d);
        } catch (Throwable e) {
            throw new RecordedCall.TensorReadException("shape of " + name, e);
        }
    }

    /** Copies the first {@code length} bytes of tensor {@code t} to {@code target} at {@code offset}. */
    void copy(int t, ByteBuffer target, int offset, int length, String name) {
        try {
            long address = TensorMemory.address(tensors[t], length);
            if (address != 0) {
                nativeSource.wrap(address, length);
                nativeSource.getBytes(0, target, offset, length);
                nativeSource.wrap(0, 0); // hold no address once the host may free it
                return;
            }
            TensorFlowApi api = apis[t];
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
            throw new RecordedCall.TensorReadException("bytes of " + name, e);
        }
    }

    private byte[] chunk(int length) {
        if (chunk.length < length) {
            chunk = new byte[Math.max(length, Math.min(CHUNK_BYTES, chunk.length * 2))];
        }
        return chunk;
    }

    /** Drops the references to the host's tensors of the first {@code count} slots. */
    void clear(int count) {
        Arrays.fill(apis, 0, count, null);
        Arrays.fill(tensors, 0, count, null);
        Arrays.fill(dimensions, 0, count, null);
        Arrays.fill(shapes, 0, count, null);
    }
}
