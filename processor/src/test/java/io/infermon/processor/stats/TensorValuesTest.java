package io.infermon.processor.stats;

import static org.assertj.core.api.Assertions.assertThat;

import io.infermon.capture.CapturedTensor;
import io.infermon.capture.DType;
import io.infermon.capture.TensorMeaning;
import io.infermon.capture.TensorRole;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class TensorValuesTest {

    private static CapturedTensor tensor(DType dtype, long[] shape, ByteBuffer bytes) {
        return new CapturedTensor("t", TensorRole.INPUT, TensorMeaning.UNSPECIFIED, dtype.code(), shape,
                bytes.flip().asReadOnlyBuffer());
    }

    private static ByteBuffer le(int capacity) {
        return ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void flattensEverythingAfterTheFirstDimensionIntoARow() {
        ByteBuffer b = le(2 * 2 * 3 * 4);
        for (int i = 0; i < 12; i++) {
            b.putFloat(i);
        }
        TensorValues v = TensorValues.rows(tensor(DType.FLOAT, new long[] {2, 2, 3}, b));
        assertThat(v.rows()).isEqualTo(2);
        assertThat(v.width()).isEqualTo(6);
        double[] row = new double[6];
        v.readRow(1, row);
        assertThat(row).containsExactly(6, 7, 8, 9, 10, 11);
    }

    @Test
    void readsIntegerAndUnsignedTypes() {
        ByteBuffer b = le(3);
        b.put((byte) 255).put((byte) 0).put((byte) 7);
        double[] row = new double[3];
        TensorValues.rows(tensor(DType.UINT8, new long[] {1, 3}, b)).readRow(0, row);
        assertThat(row).containsExactly(255, 0, 7);

        ByteBuffer l = le(16);
        l.putLong(-1L).putLong(42L);
        double[] r2 = new double[2];
        TensorValues.rows(tensor(DType.UINT64, new long[] {1, 2}, l)).readRow(0, r2);
        assertThat(r2).containsExactly(1.8446744073709552E19, 42);
        TensorValues.rows(tensor(DType.INT64, new long[] {1, 2}, l.rewind().position(16))).readRow(0, r2);
        assertThat(r2).containsExactly(-1, 42);
    }

    @Test
    void decodesHalfAndBfloat16() {
        // 1.0 = 0x3C00, -2.5 = 0xC100, 65504 (largest half) = 0x7BFF, 2^-24 (smallest subnormal) = 0x0001
        ByteBuffer h = le(8);
        h.putShort((short) 0x3C00).putShort((short) 0xC100).putShort((short) 0x7BFF).putShort((short) 0x0001);
        double[] row = new double[4];
        TensorValues.rows(tensor(DType.HALF, new long[] {1, 4}, h)).readRow(0, row);
        assertThat(row).containsExactly(1.0, -2.5, 65504.0, Math.pow(2, -24));

        ByteBuffer bf = le(4);
        bf.putShort((short) (Float.floatToIntBits(3.0f) >>> 16)).putShort((short) (Float.floatToIntBits(-0.5f) >>> 16));
        double[] r2 = new double[2];
        TensorValues.rows(tensor(DType.BFLOAT16, new long[] {1, 2}, bf)).readRow(0, r2);
        assertThat(r2).containsExactly(3.0, -0.5);
    }

    @Test
    void readsAColumnAsTheRowsSeeIt() {
        java.util.Random random = new java.util.Random(5);
        for (DType dtype : DType.values()) {
            if (!dtype.isNumeric()) {
                continue;
            }
            ByteBuffer b = le(7 * 3 * dtype.byteSize());
            byte[] bytes = new byte[b.capacity()];
            random.nextBytes(bytes);
            TensorValues v = TensorValues.rows(tensor(dtype, new long[] {7, 3}, b.put(bytes)));
            double[][] rows = new double[7][3];
            for (int r = 0; r < 7; r++) {
                v.readRow(r, rows[r]);
            }
            for (int j = 0; j < 3; j++) {
                double[] column = new double[4];
                v.readColumn(j, 2, 4, column);
                assertThat(column).as("%s column %d", dtype, j)
                        .containsExactly(rows[2][j], rows[3][j], rows[4][j], rows[5][j]);
            }
        }
    }

    @Test
    void refusesWhatIsNotRowsOfNumbers() {
        assertThat(TensorValues.rows(tensor(DType.FLOAT, new long[] {4}, le(16).position(16)))).isNull();
        assertThat(TensorValues.rows(tensor(DType.STRING, new long[] {1, 1}, le(24).position(24)))).isNull();
        // shape says 2x2 floats (16 bytes) but only 12 bytes came
        assertThat(TensorValues.rows(tensor(DType.FLOAT, new long[] {2, 2}, le(12).position(12)))).isNull();
    }
}
