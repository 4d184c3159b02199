package io.infermon.agent.capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.infermon.capture.DType;
import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TUint8;

/**
 * The fields the agent reads by offset rather than through TensorFlow's methods (a tensor's native address, a
 * shape's dimensions) and the byte count it computes instead of asking TensorFlow, checked against what TensorFlow's
 * own methods say, on real tensors.
 */
class TensorMemoryTest {

    @Test
    void readsATypedTensorsBytesAtTheAddressFoundFromItsFields() throws Throwable {
        try (TFloat32 t = TFloat32.tensorOf(Shape.of(2, 3))) {
            for (int i = 0; i < 6; i++) {
                t.setFloat(1.5f * i - 2, i / 3, i % 3);
            }
            long address = TensorMemory.address(t, t.numBytes());
            assertThat(address).isNotZero();
            UnsafeBuffer at = new UnsafeBuffer(address, (int) t.numBytes());
            for (int i = 0; i < 6; i++) {
                assertThat(at.getFloat(4 * i, java.nio.ByteOrder.LITTLE_ENDIAN)).isEqualTo(t.getFloat(i / 3, i % 3));
            }
            // more bytes than the tensor holds: no address, the caller takes TensorFlow's own path
            assertThat(TensorMemory.address(t, t.numBytes() + 1)).isZero();
        }
    }

    @Test
    void readsAShapesOwnDimensions() {
        try (TFloat32 t = TFloat32.tensorOf(Shape.of(4, 1, 7)); TInt64 scalar = TInt64.scalarOf(3)) {
            TensorFlowApi tf = TensorFlowApi.of(t);
            assertThat(tf.dimensions(t.shape())).containsExactly(4, 1, 7);
            assertThat(tf.dimensions(scalar.shape())).isEmpty();
        }
    }

    @Test
    void computesEveryFixedSizeTypesByteCountAsTensorFlowDoes() throws Throwable {
        List<Tensor> tensors = List.of(TFloat32.tensorOf(Shape.of(3, 5)), TFloat64.tensorOf(Shape.of(2, 2, 2)),
                TInt64.scalarOf(9), TBool.tensorOf(Shape.of(17)), TUint8.tensorOf(Shape.of(0, 4)));
        try {
            for (Tensor t : tensors) {
                TensorFlowApi tf = TensorFlowApi.of(t);
                int dtype = (int) tf.dataTypeNumber.invokeExact(tf.tensorDataType.invokeExact((Object) t));
                assertThat(DType.fromCode(dtype)).isNotNull();
                assertThat(TensorFlowTensors.byteCount(tf, t, dtype, tf.dimensions(t.shape())))
                        .as("%s %s", t.dataType(), t.shape()).isEqualTo(t.numBytes());
            }
        } finally {
            tensors.forEach(Tensor::close);
        }
    }
}
