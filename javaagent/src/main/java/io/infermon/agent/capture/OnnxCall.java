package io.infermon.agent.capture;

import io.infermon.capture.DType;
import io.infermon.capture.TensorMeaning;
import io.infermon.capture.TensorRole;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * An ONNX Runtime call being captured on one thread. Tensors ({@code OnnxTensor}) stay in ONNX Runtime's memory until
 * encoding copies them into the ring from their direct buffer. A sequence of maps (what scikit-learn converters give
 * a classifier's probabilities: one {@code map<class, probability>} per row) is not a tensor: it is read into a
 * per-thread scratch as a {@code [rows, classes]} tensor, classes in their keys' sorted order, and recorded with the
 * meaning probabilities.
 */
final class OnnxCall extends RecordedCall {
    /** How many intercepted ONNX Runtime calls are open on this thread; only the outermost one is captured. */
    int depth;

    /** Adds a map's values to this call, reused for every call on the thread. */
    final ValueSink sink = new ValueSink(this);

    private OnnxRuntimeApi api;
    private Object[] tensors = new Object[4];
    private long[][] shapes = new long[4][];
    /** For a tensor read into {@link #scratch}: where its bytes start there; -1 for a tensor read at encoding. */
    private int[] scratchOffsets = new int[4];
    private ByteBuffer scratch = ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN);

    void begin(OnnxRuntimeApi api, String point, ModelIdentity model, String requestId, long startNanos,
               long endNanos, long captureTimeEpochNanos) {
        super.begin(point, model.name(), model.version(), "", requestId, startNanos, endNanos, captureTimeEpochNanos);
        this.api = api;
        scratch.clear();
    }

    @Override
    void grow(int n) {
        tensors = Arrays.copyOf(tensors, n);
        shapes = Arrays.copyOf(shapes, n);
        scratchOffsets = Arrays.copyOf(scratchOffsets, n);
    }

    /**
     * Adds an input or output value: a tensor, or a sequence of maps from class to probability. Returns false for
     * values of other kinds (a map, a sequence of tensors, a sparse tensor), which are not recorded.
     */
    boolean add(String name, TensorRole role, TensorMeaning meaning, Object value) throws Throwable {
        if (api.tensorClass.isInstance(value)) {
            addTensor(name, role, meaning, value);
            return true;
        }
        if (api.sequenceClass.isInstance(value)) {
            return addSequenceOfMaps(name, role, value);
        }
        return false;
    }

    private void addTensor(String name, TensorRole role, TensorMeaning meaning, Object tensor) throws Throwable {
        Object info = api.tensorInfo.invokeExact(tensor);
        int dtype = api.dtype(info);
        long[] shape = (long[]) (Object) api.infoShape.invokeExact(info);
        DType type = DType.fromCode(dtype);
        long elements = 1;
        for (long d : shape) {
            elements *= d;
        }
        // strings are pointers into ONNX Runtime's memory, and unknown types have no known size: shape only
        long bytes = type == null || !type.isNumeric() ? 0 : elements * type.byteSize();
        int t = next();
        set(t, name, role, meaning, dtype, shape, bytes);
        tensors[t] = tensor;
        scratchOffsets[t] = -1;
    }

    private boolean addSequenceOfMaps(String name, TensorRole role, Object sequence) throws Throwable {
        List<?> rows = (List<?>) (Object) api.sequenceValues.invokeExact(sequence);
        try {
            if (rows.isEmpty() || !api.mapClass.isInstance(rows.get(0))) {
                return false;
            }
            Object[] classes = null;
            boolean doubles = false;
            int start = scratch.position();
            for (Object row : rows) {
                Map<?, ?> probabilities = (Map<?, ?>) (Object) api.mapValue.invokeExact(row);
                if (classes == null) {
                    classes = probabilities.keySet().toArray();
                    Arrays.sort(classes); // class ids (long) or labels (String): each sorts naturally
                    doubles = probabilities.get(classes[0]) instanceof Double;
                    ensureScratch((long) rows.size() * classes.length * (doubles ? 8 : 4));
                }
                if (probabilities.size() != classes.length) {
                    return false; // rows with different classes: not a probability table
                }
                for (Object c : classes) {
                    Number p = (Number) probabilities.get(c);
                    if (p == null) {
                        return false;
                    }
                    if (doubles) {
                        scratch.putDouble(p.doubleValue());
                    } else {
                        scratch.putFloat(p.floatValue());
                    }
                }
            }
            int t = next();
            set(t, name, role, TensorMeaning.PROBABILITIES, doubles ? DType.DOUBLE.code() : DType.FLOAT.code(),
                    new long[] {rows.size(), classes.length}, scratch.position() - start);
            tensors[t] = null;
            scratchOffsets[t] = start;
            return true;
        } finally {
            for (Object row : rows) {
                api.valueClose.invokeExact(row); // getValue() made them for us: native values to release
            }
        }
    }

    private void set(int t, String name, TensorRole role, TensorMeaning meaning, int dtype, long[] shape, long bytes) {
        names[t] = name;
        roles[t] = role;
        meanings[t] = meaning;
        shapes[t] = shape;
        dtypes[t] = dtype;
        ranks[t] = shape.length;
        firstDims[t] = shape.length > 0 ? shape[0] : 1;
        byteLengths[t] = (int) Math.min(bytes, Integer.MAX_VALUE);
    }

    private void ensureScratch(long more) {
        long needed = scratch.position() + more;
        if (needed > Integer.MAX_VALUE) {
            throw new IllegalStateException("a sequence of maps too large to record");
        }
        if (scratch.capacity() < needed) {
            ByteBuffer bigger = ByteBuffer.allocate((int) Math.max(needed, Math.min(Integer.MAX_VALUE,
                    2L * scratch.capacity()))).order(ByteOrder.LITTLE_ENDIAN);
            bigger.put(scratch.flip());
            scratch = bigger;
        }
    }

    /**
     * A {@code BiConsumer} for {@code Map.forEach} over a call's named values: {@code forEach} allocates nothing,
     * where an entry-set iteration allocates an iterator (and, for {@code Map.of}, the entry set). The first failure
     * is kept and rethrown once the map is done, since {@code accept} cannot throw it.
     */
    static final class ValueSink implements java.util.function.BiConsumer<Object, Object> {
        private final OnnxCall call;
        private OnnxRuntimeCaptureHandler handler;
        private TensorRole role;
        private Throwable failure;

        ValueSink(OnnxCall call) {
            this.call = call;
        }

        void addAll(OnnxRuntimeCaptureHandler handler, TensorRole role, Map<?, ?> values) throws Throwable {
            this.handler = handler;
            this.role = role;
            this.failure = null;
            try {
                values.forEach(this);
                if (failure != null) {
                    throw failure;
                }
            } finally {
                this.handler = null;
                this.failure = null;
            }
        }

        @Override
        public void accept(Object name, Object value) {
            if (failure == null) {
                try {
                    handler.add(call, (String) name, role, value);
                } catch (Throwable t) {
                    failure = t;
                }
            }
        }
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
            if (scratchOffsets[t] >= 0) {
                target.put(offset, scratch, scratchOffsets[t], length);
                return;
            }
            ByteBuffer data = (ByteBuffer) (Object) api.tensorBytes.invokeExact(tensors[t]);
            target.put(offset, data, 0, length);
        } catch (Throwable e) {
            throw new TensorReadException("bytes of " + names[t], e);
        }
    }
}
