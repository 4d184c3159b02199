package io.infermon.processor.stats;

import io.infermon.capture.CapturedTensor;
import io.infermon.capture.DType;
import java.nio.ByteBuffer;

/**
 * Reads a captured tensor's elements as doubles, whatever its numeric element type. A tensor of shape
 * {@code [rows, d1, d2, ...]} is read as {@code rows} rows of {@code d1 * d2 * ...} values (the row flattened in
 * row-major order, as TensorFlow stores it).
 */
public final class TensorValues {
    private final DType dtype;
    private final ByteBuffer bytes;
    private final int rows;
    private final int width;

    private TensorValues(DType dtype, ByteBuffer bytes, int rows, int width) {
        this.dtype = dtype;
        this.bytes = bytes;
        this.rows = rows;
        this.width = width;
    }

    /**
     * A row view of {@code t}, or null when it cannot be read as rows of numbers: a non-numeric or unknown type, rank
     * below 2, or fewer bytes than the shape needs.
     */
    public static TensorValues rows(CapturedTensor t) {
        return t.rank() < 2 ? null : view(t);
    }

    /**
     * Like {@link #rows} but also reads a rank-1 tensor {@code [n]} as n rows of one value: the shape of a
     * model's per-example score or class id.
     */
    public static TensorValues rowsOrColumn(CapturedTensor t) {
        return t.rank() < 1 ? null : view(t);
    }

    private static TensorValues view(CapturedTensor t) {
        DType dtype = t.dtype();
        if (dtype == null || !dtype.isNumeric()) {
            return null;
        }
        long rows = t.shape()[0];
        long width = 1;
        for (int d = 1; d < t.rank(); d++) {
            width *= t.shape()[d];
        }
        if (rows > Integer.MAX_VALUE || width > Integer.MAX_VALUE
                || rows * width * dtype.byteSize() != t.data().remaining()) {
            return null;
        }
        return new TensorValues(dtype, t.bytes(), (int) rows, (int) width);
    }

    public int rows() {
        return rows;
    }

    public int width() {
        return width;
    }

    public DType dtype() {
        return dtype;
    }

    /** Reads row {@code row} into {@code out[0..width)}. */
    public void readRow(int row, double[] out) {
        int base = row * width;
        switch (dtype) {
            case FLOAT -> {
                for (int i = 0; i < width; i++) {
                    out[i] = bytes.getFloat((base + i) << 2);
                }
            }
            case DOUBLE -> {
                for (int i = 0; i < width; i++) {
                    out[i] = bytes.getDouble((base + i) << 3);
                }
            }
            case INT32 -> {
                for (int i = 0; i < width; i++) {
                    out[i] = bytes.getInt((base + i) << 2);
                }
            }
            case INT64 -> {
                for (int i = 0; i < width; i++) {
                    out[i] = bytes.getLong((base + i) << 3);
                }
            }
            case UINT8, BOOL -> {
                for (int i = 0; i < width; i++) {
                    out[i] = Byte.toUnsignedInt(bytes.get(base + i));
                }
            }
            case INT8 -> {
                for (int i = 0; i < width; i++) {
                    out[i] = bytes.get(base + i);
                }
            }
            case INT16 -> {
                for (int i = 0; i < width; i++) {
                    out[i] = bytes.getShort((base + i) << 1);
                }
            }
            case UINT16 -> {
                for (int i = 0; i < width; i++) {
                    out[i] = Short.toUnsignedInt(bytes.getShort((base + i) << 1));
                }
            }
            case UINT32 -> {
                for (int i = 0; i < width; i++) {
                    out[i] = Integer.toUnsignedLong(bytes.getInt((base + i) << 2));
                }
            }
            case UINT64 -> {
                for (int i = 0; i < width; i++) {
                    out[i] = unsignedToDouble(bytes.getLong((base + i) << 3));
                }
            }
            case HALF -> {
                for (int i = 0; i < width; i++) {
                    out[i] = halfToFloat(bytes.getShort((base + i) << 1));
                }
            }
            case BFLOAT16 -> {
                for (int i = 0; i < width; i++) {
                    out[i] = Float.intBitsToFloat(Short.toUnsignedInt(bytes.getShort((base + i) << 1)) << 16);
                }
            }
            default -> throw new IllegalStateException("not numeric: " + dtype);
        }
    }

    /**
     * Reads column {@code column} of rows {@code fromRow .. fromRow + count - 1} into {@code out[0..count)}: one
     * feature's values, in row order.
     */
    public void readColumn(int column, int fromRow, int count, double[] out) {
        for (int r = 0, i = fromRow * width + column; r < count; r++, i += width) {
            out[r] = element(i);
        }
    }

    /** Element {@code i} of the flattened tensor. */
    private double element(int i) {
        return switch (dtype) {
            case FLOAT -> bytes.getFloat(i << 2);
            case DOUBLE -> bytes.getDouble(i << 3);
            case INT32 -> bytes.getInt(i << 2);
            case INT64 -> bytes.getLong(i << 3);
            case UINT8, BOOL -> Byte.toUnsignedInt(bytes.get(i));
            case INT8 -> bytes.get(i);
            case INT16 -> bytes.getShort(i << 1);
            case UINT16 -> Short.toUnsignedInt(bytes.getShort(i << 1));
            case UINT32 -> Integer.toUnsignedLong(bytes.getInt(i << 2));
            case UINT64 -> unsignedToDouble(bytes.getLong(i << 3));
            case HALF -> halfToFloat(bytes.getShort(i << 1));
            case BFLOAT16 -> Float.intBitsToFloat(Short.toUnsignedInt(bytes.getShort(i << 1)) << 16);
            default -> throw new IllegalStateException("not numeric: " + dtype);
        };
    }

    static double unsignedToDouble(long v) {
        return v >= 0 ? v : ((v >>> 1) | (v & 1)) * 2.0;
    }

    /** IEEE 754 binary16 to float (Float.float16ToFloat arrived only in Java 20). */
    static float halfToFloat(short h) {
        int bits = h & 0xFFFF;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1F;
        int mant = bits & 0x3FF;
        if (exp == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
        }
        if (exp == 0) {
            if (mant == 0) {
                return Float.intBitsToFloat(sign);
            }
            float v = mant / 1024f / 16384f; // subnormal: mant * 2^-24
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }
}
