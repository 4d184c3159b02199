package io.infermon.agent.capture;

import io.infermon.capture.DType;
import io.infermon.capture.TensorMeaning;
import io.infermon.capture.TensorRole;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A legacy TensorFlow 1.15 session run being captured on one thread. Tensors stay in TensorFlow's native memory until
 * encoding copies them into the ring straight from the tensor's direct buffer: no intermediate copy.
 */
final class LegacyTensorCall extends RecordedCall {
    /** How many intercepted legacy calls are open on this thread; only the outermost one is captured. */
    int depth;

    private LegacyTensorFlowApi api;
    private Object[] tensors = new Object[4];
    private long[][] shapes = new long[4][];

    void begin(LegacyTensorFlowApi api, String point, ModelIdentity model, String requestId, long startNanos,
               long endNanos, long captureTimeEpochNanos) {
        super.begin(point, model.name(), model.version(), "", requestId, startNanos, endNanos, captureTimeEpochNanos);
        this.api = api;
    }

    @Override
    void grow(int n) {
        tensors = Arrays.copyOf(tensors, n);
        shapes = Arrays.copyOf(shapes, n);
    }

    /** Adds a tensor, reading its type, shape and size (not yet its bytes). */
    void add(String name, TensorRole role, TensorMeaning meaning, Object tensor) throws Throwable {
        int dtype = api.dtype(tensor);
        long[] shape = (long[]) (Object) api.tensorShape.invokeExact(tensor);
        // A string tensor's memory holds offsets and encoded text, not values: record its shape only.
        int bytes = dtype == DType.STRING.code() ? 0 : (int) api.tensorNumBytes.invokeExact(tensor);
        int t = next();
        names[t] = name;
        roles[t] = role;
        meanings[t] = meaning;
        tensors[t] = tensor;
        shapes[t] = shape;
        dtypes[t] = dtype;
        ranks[t] = shape.length;
        firstDims[t] = shape.length > 0 ? shape[0] : 1;
        byteLengths[t] = bytes;
    }

    @Override
    void clear() {
        Arrays.fill(tensors, 0, count, null);
        Arrays.fill(shapes, 0, count, null);
        super.clear();
        api = null;
    }

    @Override
    long fullDim(int t, int d) {
        return shapes[t][d];
    }

    @Override
    void copyPrefix(int t, ByteBuffer target, int offset, int length) {
        try {
            if (api.tensorBuffer != null) {
                ByteBuffer data = (ByteBuffer) (Object) api.tensorBuffer.invokeExact(tensors[t]);
                target.put(offset, data, 0, length);
            } else if (length == byteLengths[t]) {
                api.tensorWriteTo.invokeExact(tensors[t], (Object) target.slice(offset, length));
            } else {
                throw new IllegalStateException("cannot copy part of a tensor without Tensor.buffer()");
            }
        } catch (Throwable e) {
            throw new TensorReadException("bytes of " + names[t], e);
        }
    }
}
