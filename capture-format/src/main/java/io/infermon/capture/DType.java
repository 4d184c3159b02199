package io.infermon.capture;

/**
 * Element types of captured tensors. The wire codes are TensorFlow's own {@code DataType} numbers, so a
 * TensorFlow tensor's type is recorded as it is, and arrays captured from plain Java methods use the same
 * codes (a {@code float[]} is {@link #FLOAT}, a {@code long[]} is {@link #INT64}).
 *
 * <p>The codec stores any code from 0 to 255; this enum names those the processor knows how to read.
 */
public enum DType {
    FLOAT(1, 4),
    DOUBLE(2, 8),
    INT32(3, 4),
    UINT8(4, 1),
    INT16(5, 2),
    INT8(6, 1),
    /** Variable-length strings; TensorFlow stores 24-byte {@code TF_TString} structs, which are not the text. */
    STRING(7, 0),
    INT64(9, 8),
    BOOL(10, 1),
    BFLOAT16(14, 2),
    UINT16(17, 2),
    HALF(19, 2),
    UINT32(22, 4),
    UINT64(23, 8);

    private static final DType[] BY_CODE = new DType[256];

    static {
        for (DType t : values()) {
            BY_CODE[t.code] = t;
        }
    }

    private final int code;
    private final int byteSize;

    DType(int code, int byteSize) {
        this.code = code;
        this.byteSize = byteSize;
    }

    /** The wire code (TensorFlow's {@code DataType} number). */
    public int code() {
        return code;
    }

    /** Bytes per element, or 0 for types whose elements have no fixed size. */
    public int byteSize() {
        return byteSize;
    }

    /** Whether each element can be read as one number. */
    public boolean isNumeric() {
        return byteSize > 0;
    }

    /** The type for a wire code, or {@code null} when the code is not one infermon knows. */
    public static DType fromCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
