package io.infermon.agent.capture;

import io.infermon.agent.config.Role;
import io.infermon.capture.DType;
import io.infermon.capture.TensorRole;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * A call of a generic {@code method} point being captured on one thread. Java values are read where they are
 * (arrays, lists, boxed numbers) and copied straight into the ring at encoding; TensorFlow tensors are read by
 * {@link TensorFlowTensors} like those of a TensorFlow call.
 *
 * <p>Shapes: a one-dimensional array or list is one row ({@code [1, n]}) for the roles features and probabilities,
 * and one value per row ({@code [n]}) for prediction and label; a two-dimensional array is {@code [rows, columns]};
 * a single number is {@code [1]}. A {@code List<Number>} is recorded as float64.
 */
final class MethodCall extends RecordedCall {
    static final int FLOATS = 1;
    static final int DOUBLES = 2;
    static final int INTS = 3;
    static final int LONGS = 4;
    static final int FLOAT_ROWS = 5;
    static final int DOUBLE_ROWS = 6;
    static final int NUMBER_LIST = 7;
    static final int SCALAR = 8;
    static final int TENSOR = 9;

    /** Outermost-only bookkeeping for value points on this thread. */
    int depth;

    private Object[] values = new Object[4];
    private int[] kinds = new int[4];
    private long[] columns = new long[4];
    /** The values that are TensorFlow tensors, by the same index. */
    private final TensorFlowTensors tensors = new TensorFlowTensors();

    @Override
    void grow(int n) {
        values = Arrays.copyOf(values, n);
        kinds = Arrays.copyOf(kinds, n);
        columns = Arrays.copyOf(columns, n);
        tensors.grow(n);
    }

    /**
     * Adds one value. Returns false when its type or shape cannot be recorded (a ragged 2-D array, a list with a
     * non-number, an unknown type); null values are skipped and return true.
     */
    boolean add(String name, TensorRole tensorRole, Role role, Object value) throws Throwable {
        if (value == null) {
            return true;
        }
        boolean row = role == Role.FEATURES || role == Role.PROBABILITIES;
        int kind;
        int dtype;
        long first;
        long cols = 0;
        int rank;
        long elements;
        int elementBytes;
        if (value instanceof float[] a) {
            kind = FLOATS;
            dtype = DType.FLOAT.code();
            elements = a.length;
            elementBytes = 4;
            rank = row ? 2 : 1;
            first = row ? 1 : a.length;
            cols = a.length;
        } else if (value instanceof double[] a) {
            kind = DOUBLES;
            dtype = DType.DOUBLE.code();
            elements = a.length;
            elementBytes = 8;
            rank = row ? 2 : 1;
            first = row ? 1 : a.length;
            cols = a.length;
        } else if (value instanceof int[] a) {
            kind = INTS;
            dtype = DType.INT32.code();
            elements = a.length;
            elementBytes = 4;
            rank = row ? 2 : 1;
            first = row ? 1 : a.length;
            cols = a.length;
        } else if (value instanceof long[] a) {
            kind = LONGS;
            dtype = DType.INT64.code();
            elements = a.length;
            elementBytes = 8;
            rank = row ? 2 : 1;
            first = row ? 1 : a.length;
            cols = a.length;
        } else if (value instanceof float[][] a) {
            kind = FLOAT_ROWS;
            dtype = DType.FLOAT.code();
            cols = a.length == 0 ? 0 : a[0].length;
            for (float[] r : a) {
                if (r == null || r.length != cols) {
                    return false;
                }
            }
            elements = a.length * cols;
            elementBytes = 4;
            rank = 2;
            first = a.length;
        } else if (value instanceof double[][] a) {
            kind = DOUBLE_ROWS;
            dtype = DType.DOUBLE.code();
            cols = a.length == 0 ? 0 : a[0].length;
            for (double[] r : a) {
                if (r == null || r.length != cols) {
                    return false;
                }
            }
            elements = a.length * cols;
            elementBytes = 8;
            rank = 2;
            first = a.length;
        } else if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                if (!(list.get(i) instanceof Number)) {
                    return false;
                }
            }
            kind = NUMBER_LIST;
            dtype = DType.DOUBLE.code();
            elements = list.size();
            elementBytes = 8;
            rank = row ? 2 : 1;
            first = row ? 1 : list.size();
            cols = list.size();
        } else if (value instanceof Number n) {
            kind = SCALAR;
            if (n instanceof Float) {
                dtype = DType.FLOAT.code();
                elementBytes = 4;
            } else if (n instanceof Double) {
                dtype = DType.DOUBLE.code();
                elementBytes = 8;
            } else if (n instanceof Long) {
                dtype = DType.INT64.code();
                elementBytes = 8;
            } else if (n instanceof Integer || n instanceof Short || n instanceof Byte) {
                dtype = DType.INT32.code();
                elementBytes = 4;
            } else {
                return false;
            }
            elements = 1;
            rank = 1;
            first = 1;
        } else if (TensorFlowApi.isTensor(value)) {
            int t = next();
            names[t] = name;
            roles[t] = tensorRole;
            meanings[t] = role.meaning();
            values[t] = value;
            kinds[t] = TENSOR;
            columns[t] = -1;
            tensors.add(this, t, TensorFlowApi.of(value), value);
            return true;
        } else {
            return false;
        }
        long bytes = elements * elementBytes;
        if (bytes > Integer.MAX_VALUE) {
            return false;
        }
        int t = next();
        names[t] = name;
        roles[t] = tensorRole;
        meanings[t] = role.meaning();
        dtypes[t] = dtype;
        ranks[t] = rank;
        firstDims[t] = first;
        byteLengths[t] = (int) bytes;
        values[t] = value;
        kinds[t] = kind;
        columns[t] = cols;
        return true;
    }

    @Override
    void clear() {
        Arrays.fill(values, 0, count, null);
        tensors.clear(count);
        super.clear();
    }

    @Override
    long fullDim(int t, int d) {
        if (kinds[t] == TENSOR) {
            return tensors.dim(t, d, names[t]);
        }
        return columns[t]; // rank 2 Java values: dimension 1 is the row length
    }

    @Override
    void copyPrefix(int t, ByteBuffer target, int offset, int bytes) {
        Object v = values[t];
        int p = offset;
        switch (kinds[t]) {
            case FLOATS -> {
                float[] a = (float[]) v;
                for (int i = 0, n = bytes / 4; i < n; i++, p += 4) {
                    target.putFloat(p, a[i]);
                }
            }
            case DOUBLES -> {
                double[] a = (double[]) v;
                for (int i = 0, n = bytes / 8; i < n; i++, p += 8) {
                    target.putDouble(p, a[i]);
                }
            }
            case INTS -> {
                int[] a = (int[]) v;
                for (int i = 0, n = bytes / 4; i < n; i++, p += 4) {
                    target.putInt(p, a[i]);
                }
            }
            case LONGS -> {
                long[] a = (long[]) v;
                for (int i = 0, n = bytes / 8; i < n; i++, p += 8) {
                    target.putLong(p, a[i]);
                }
            }
            case FLOAT_ROWS -> {
                float[][] a = (float[][]) v;
                int left = bytes / 4;
                for (int r = 0; left > 0; r++) {
                    float[] row = a[r];
                    for (int c = 0; c < row.length && left > 0; c++, left--, p += 4) {
                        target.putFloat(p, row[c]);
                    }
                }
            }
            case DOUBLE_ROWS -> {
                double[][] a = (double[][]) v;
                int left = bytes / 8;
                for (int r = 0; left > 0; r++) {
                    double[] row = a[r];
                    for (int c = 0; c < row.length && left > 0; c++, left--, p += 8) {
                        target.putDouble(p, row[c]);
                    }
                }
            }
            case NUMBER_LIST -> {
                List<?> a = (List<?>) v;
                for (int i = 0, n = bytes / 8; i < n; i++, p += 8) {
                    target.putDouble(p, ((Number) a.get(i)).doubleValue());
                }
            }
            case SCALAR -> {
                Number n = (Number) v;
                if (dtypes[t] == DType.FLOAT.code()) {
                    target.putFloat(p, n.floatValue());
                } else if (dtypes[t] == DType.DOUBLE.code()) {
                    target.putDouble(p, n.doubleValue());
                } else if (dtypes[t] == DType.INT64.code()) {
                    target.putLong(p, n.longValue());
                } else {
                    target.putInt(p, n.intValue());
                }
            }
            case TENSOR -> tensors.copy(t, target, offset, bytes, names[t]);
            default -> throw new IllegalStateException("unknown value kind " + kinds[t]);
        }
    }
}
