package io.infermon.capture;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One tensor of a decoded record.
 *
 * @param name     the tensor's name as the model calls it (a signature name like {@code pixels}, or a graph name
 *                 like {@code x:0})
 * @param role     input or output
 * @param meaning  what the agent was configured to call it, or {@link TensorMeaning#UNSPECIFIED}
 * @param dtypeCode the TensorFlow {@code DataType} number; {@link #dtype()} names it when known
 * @param shape    the dimensions, outermost first (a scalar has none)
 * @param data     the raw bytes, little-endian, as a read-only buffer positioned at 0
 */
public record CapturedTensor(String name, TensorRole role, TensorMeaning meaning, int dtypeCode, long[] shape,
                             ByteBuffer data) {

    /** The element type, or {@code null} for a code infermon does not know. */
    public DType dtype() {
        return DType.fromCode(dtypeCode);
    }

    public int rank() {
        return shape.length;
    }

    /** The number of elements the shape describes. */
    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** A little-endian view of the bytes, independent of other readers of the same tensor. */
    public ByteBuffer bytes() {
        return data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public String toString() {
        DType t = dtype();
        return name + "(" + role + ", " + (t == null ? "dtype " + dtypeCode : t) + ", " + Arrays.toString(shape)
                + ", " + data.remaining() + " bytes)";
    }
}
