package io.infermon.processor.stats;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.memory.Memory;

/**
 * The compact serial form of a KLL doubles sketch (profile format 2, "compact KLL" in docs/profile-format.md).
 *
 * <p>DataSketches' own form spends 8 bytes on each retained item; a bucket of 64 continuous features then needs about
 * 280 KB. Here the sketch's structure (N, k, m, min k, the levels) and its exact min and max are kept as they are, and
 * each retained item is replaced by the grid cell it falls in: the grid is the multiples of a power of two {@code s},
 * the smallest one with {@code s >= (max - min) / 2^GRID_BITS}, and a decoded item is its cell's centre (moved to min
 * or max when the centre lies outside them). So a decoded item is within {@code s / 2 < (max - min) / 2^GRID_BITS} of
 * the original. Within a level the order of the items means nothing to KLL (level 0 is unsorted, the others sorted),
 * so the cells are written sorted, as gaps from the previous one, in a Rice code with one parameter per level.
 *
 * <p>The grid is anchored at zero, not at min, so that re-encoding does not add error: grids of different sizes are
 * nested (a cell of step {@code 2s} is two cells of step {@code s}), and a centre re-encoded on the same or a coarser
 * grid falls into the cell that holds the original value. An aggregator that decodes, merges and re-encodes the same
 * bucket a thousand times therefore keeps the bound of one encoding on the final grid; merging only widens
 * [min, max], so the final grid is the coarsest one an item ever saw.
 *
 * <p>A sketch this form cannot carry within the bound (an empty or one-item sketch, an infinite range, values near the
 * limits of doubles) is left to the full form: {@link #encode} returns null.
 */
final class CompactKll {
    /** The grid has at least 2^GRID_BITS cells over [min, max]. */
    static final int GRID_BITS = 17;
    private static final int KLL_FAMILY = 15;
    private static final int PREAMBLE_INTS_FULL = 5;
    private static final int SERIAL_VERSION_FULL = 1;
    private static final int RICE_PARAMETER_BITS = 5;

    private CompactKll() {
    }

    /** The compact form of {@code sketch}, or null when only the full form carries it within the bound. */
    static byte[] encode(KllDoublesSketch sketch) {
        Full full = Full.parse(sketch.toByteArray());
        if (full == null) {
            return null;
        }
        BitWriter out = new BitWriter(64 + full.items.length * 2);
        out.write(full.k >>> 8);
        out.write(full.k);
        out.write(full.m);
        out.write(full.minK >>> 8);
        out.write(full.minK);
        writeVarLong(out, full.n);
        writeVarLong(out, full.levels.length);
        for (int i = 0; i < full.levels.length; i++) {
            // the first entry is the free space below level 0; the others are the levels' sizes
            writeVarLong(out, i == 0 ? full.levels[0] : full.levels[i] - full.levels[i - 1]);
        }
        writeVarLong(out, full.levels[0] + full.items.length - full.levels[full.levels.length - 1]);
        writeDouble(out, full.min);
        writeDouble(out, full.max);
        if (full.min == full.max) {
            // every item equals min: nothing more to say
            for (double v : full.items) {
                if (v != full.min) {
                    return null;
                }
            }
            return out.toBytes();
        }
        Grid grid = Grid.of(full.min, full.max);
        if (grid == null) {
            return null;
        }
        long[] cells = new long[full.items.length];
        for (int i = 0; i < cells.length; i++) {
            cells[i] = grid.cell(full.items[i]);
            // the bound and the stability under re-encoding are checked, not assumed: rounding at the edges of the
            // double range is hard to reason about, and a sketch that fails goes out whole
            double back = grid.value(cells[i]);
            if (cells[i] == Long.MIN_VALUE || !(Math.abs(back - full.items[i]) <= grid.halfStep())
                    || grid.cell(back) != cells[i]) {
                return null;
            }
        }
        out.write(grid.exponent >>> 8);
        out.write(grid.exponent);
        BitWriter bits = out;
        long base = grid.cell(full.min);
        for (int level = 0; level < full.levels.length; level++) {
            int from = full.levels[level] - full.levels[0];
            int to = level + 1 < full.levels.length ? full.levels[level + 1] - full.levels[0] : cells.length;
            if (from == to) {
                continue;
            }
            Arrays.sort(cells, from, to);
            int r = riceParameter(cells, from, to, base);
            bits.write(r, RICE_PARAMETER_BITS);
            long previous = base;
            for (int i = from; i < to; i++) {
                bits.writeRice(cells[i] - previous, r);
                previous = cells[i];
            }
        }
        return out.toBytes();
    }

    /** The sketch {@code bytes} describe, rebuilt as DataSketches' own serial form and read by DataSketches. */
    static KllDoublesSketch decode(byte[] bytes) throws IOException {
        BitReader in = new BitReader(bytes);
        int k = in.readByte() << 8 | in.readByte();
        int m = in.readByte();
        int minK = in.readByte() << 8 | in.readByte();
        long n = in.readVarLong();
        long levelCount = in.readVarLong();
        if (levelCount < 1 || levelCount > 61) {
            throw new IOException("a quantile sketch of " + levelCount + " levels");
        }
        int[] levels = new int[(int) levelCount];
        long offset = 0;
        for (int i = 0; i < levels.length; i++) {
            offset += in.readVarLong();
            if (offset < 0 || offset > 1 << 24) {
                throw new IOException("a quantile sketch level of implausible size");
            }
            levels[i] = (int) offset;
        }
        long top = offset + in.readVarLong();
        if (top < offset || top > 1 << 24) {
            throw new IOException("a quantile sketch level of implausible size");
        }
        double min = Double.longBitsToDouble(in.readLong());
        double max = Double.longBitsToDouble(in.readLong());
        double[] items = new double[(int) top - levels[0]];
        if (min == max) {
            Arrays.fill(items, min);
        } else {
            int exponent = (short) (in.readByte() << 8 | in.readByte());
            Grid grid = Grid.withExponent(min, max, exponent);
            long base = grid.cell(min);
            for (int level = 0; level < levels.length; level++) {
                int from = levels[level] - levels[0];
                int to = level + 1 < levels.length ? levels[level + 1] - levels[0] : items.length;
                if (from == to) {
                    continue;
                }
                int r = (int) in.readBits(RICE_PARAMETER_BITS);
                long cell = base;
                for (int i = from; i < to; i++) {
                    cell += in.readRice(r);
                    items[i] = grid.value(cell);
                }
            }
        }
        in.expectEnd();
        byte[] full = new Full(k, m, minK, n, levels, min, max, items).toBytes();
        try {
            return KllDoublesSketch.heapify(Memory.wrap(full));
        } catch (RuntimeException e) {
            throw new IOException("unreadable quantile sketch: " + e.getMessage(), e);
        }
    }

    /**
     * The Rice parameter that codes these gaps in the fewest bits: each gap {@code d} costs {@code (d >> r) + 1 + r}
     * bits. The gaps add up to the last cell's distance from the base, so their mean is known at once; the best
     * parameter lies next to its logarithm, and only those few are tried.
     */
    private static int riceParameter(long[] sorted, int from, int to, long base) {
        long mean = Math.max(1, (sorted[to - 1] - base) / (to - from));
        int around = 63 - Long.numberOfLeadingZeros(mean);
        int best = 0;
        long bestBits = Long.MAX_VALUE;
        int maxParameter = (1 << RICE_PARAMETER_BITS) - 1;
        for (int r = Math.max(0, around - 2); r <= Math.min(maxParameter, around + 2); r++) {
            long bits = (long) (to - from) * (1 + r);
            long previous = base;
            for (int i = from; i < to; i++) {
                bits += (sorted[i] - previous) >>> r;
                previous = sorted[i];
            }
            if (bits < bestBits) {
                bestBits = bits;
                best = r;
            }
        }
        return best;
    }

    /** The cells {@code floor(v / 2^exponent)}, each standing for its centre clamped into [min, max]. */
    private static final class Grid {
        final double min;
        final double max;
        final int exponent;
        private final double step;
        private final double inverseStep;

        private Grid(double min, double max, int exponent) {
            this.min = min;
            this.max = max;
            this.exponent = exponent;
            this.step = Math.scalb(1.0, exponent);
            this.inverseStep = Math.scalb(1.0, -exponent);
        }

        /** The coarsest grid with at least 2^GRID_BITS cells over [min, max], or null for ranges out of reach. */
        static Grid of(double min, double max) {
            double range = max - min;
            double largest = Math.max(Math.abs(min), Math.abs(max));
            if (!Double.isFinite(range) || range <= 0 || largest < 0x1p-900 || largest > 0x1p900) {
                return null;
            }
            double wanted = Math.scalb(range, -GRID_BITS);
            int e = Math.getExponent(wanted);
            if (Math.scalb(1.0, e) < wanted) {
                e++;
            }
            // no finer than twice the spacing of doubles at the largest value, so that every centre is a double
            e = Math.max(e, Math.getExponent(largest) - 51);
            return new Grid(min, max, e);
        }

        static Grid withExponent(double min, double max, int exponent) throws IOException {
            if (!(min < max) || !Double.isFinite(min) || !Double.isFinite(max) || exponent < -1000
                    || exponent > 1000) {
                throw new IOException("a quantile sketch grid of step 2^" + exponent + " over [" + min + ", " + max
                        + "]");
            }
            return new Grid(min, max, exponent);
        }

        /** The cell of {@code v}; Long.MIN_VALUE when it lies too far out to count cells in a long. */
        long cell(double v) {
            // a power of two within the exponents Grid allows: the product is v's exact scaling
            double scaled = v * inverseStep;
            if (!(Math.abs(scaled) < 0x1p60)) {
                return Long.MIN_VALUE;
            }
            // floor by the cast, which rounds towards zero (Math.floor was most of the encoding's time)
            long truncated = (long) scaled;
            return truncated > scaled ? truncated - 1 : truncated;
        }

        double value(long cell) {
            double centre = (cell + 0.5) * step;
            return centre < min ? min : centre > max ? max : centre;
        }

        double halfStep() {
            return step / 2;
        }
    }

    /** The fields of DataSketches' compact serial form of a sketch of more than one item (little-endian). */
    private record Full(int k, int m, int minK, long n, int[] levels, double min, double max, double[] items) {
        private static final int LEVELS_AT = 20;

        /** Null for the forms of an empty or one-item sketch, which have no levels to keep. */
        static Full parse(byte[] bytes) {
            ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            if (bytes.length < LEVELS_AT || b.get(0) != PREAMBLE_INTS_FULL || b.get(1) != SERIAL_VERSION_FULL
                    || b.get(2) != KLL_FAMILY) {
                return null;
            }
            int k = b.getShort(4) & 0xFFFF;
            int m = b.get(6) & 0xFF;
            long n = b.getLong(8);
            int minK = b.getShort(16) & 0xFFFF;
            int levelCount = b.get(18) & 0xFF;
            int[] levels = new int[levelCount];
            for (int i = 0; i < levelCount; i++) {
                levels[i] = b.getInt(LEVELS_AT + 4 * i);
            }
            int at = LEVELS_AT + 4 * levelCount;
            double min = b.getDouble(at);
            double max = b.getDouble(at + 8);
            double[] items = new double[(bytes.length - at - 16) / 8];
            for (int i = 0; i < items.length; i++) {
                items[i] = b.getDouble(at + 16 + 8 * i);
            }
            return new Full(k, m, minK, n, levels, min, max, items);
        }

        byte[] toBytes() {
            ByteBuffer b = ByteBuffer.allocate(LEVELS_AT + 4 * levels.length + 16 + 8 * items.length)
                    .order(ByteOrder.LITTLE_ENDIAN);
            b.put((byte) PREAMBLE_INTS_FULL).put((byte) SERIAL_VERSION_FULL).put((byte) KLL_FAMILY).put((byte) 0);
            b.putShort((short) k).put((byte) m).put((byte) 0);
            b.putLong(n);
            b.putShort((short) minK).put((byte) levels.length).put((byte) 0);
            for (int level : levels) {
                b.putInt(level);
            }
            b.putDouble(min).putDouble(max);
            for (double v : items) {
                b.putDouble(v);
            }
            return b.array();
        }
    }

    private static void writeVarLong(BitWriter out, long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) (v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out.write((int) v);
    }

    private static void writeDouble(BitWriter out, double v) {
        long bits = Double.doubleToRawLongBits(v);
        out.write(bits >>> 32, 32);
        out.write(bits & 0xFFFFFFFFL, 32);
    }

    /** Bytes, then bits most significant first, into whole bytes (the last padded with zeros). */
    private static final class BitWriter {
        private byte[] bytes;
        private int length;
        /** Bits not yet in {@link #bytes}: the low {@link #pendingBits} bits, fewer than 8 between calls. */
        private long pending;
        private int pendingBits;

        BitWriter(int capacity) {
            bytes = new byte[Math.max(16, capacity)];
        }

        /** A whole byte (only at a byte boundary: the header). */
        void write(int b) {
            write(b & 0xFF, 8);
        }

        /** The low {@code bits} bits of {@code value}, at most 32. */
        void write(long value, int bits) {
            if (bits == 0) {
                return;
            }
            pending = pending << bits | (value & (-1L >>> (64 - bits)));
            pendingBits += bits;
            while (pendingBits >= 8) {
                pendingBits -= 8;
                if (length == bytes.length) {
                    bytes = Arrays.copyOf(bytes, bytes.length * 2);
                }
                bytes[length++] = (byte) (pending >>> pendingBits);
            }
        }

        /** {@code v >> r} ones, a zero, then the low {@code r} bits of {@code v}. */
        void writeRice(long v, int r) {
            long q = v >>> r;
            for (; q >= 32; q -= 32) {
                write(0xFFFFFFFFL, 32);
            }
            write(((1L << q) - 1) << 1, (int) q + 1);
            write(v, r);
        }

        byte[] toBytes() {
            if (pendingBits > 0) {
                write(0, 8 - pendingBits);
            }
            return Arrays.copyOf(bytes, length);
        }
    }

    /** Reads what {@link #encode} wrote: bytes, then bits; every read is bounded by the input. */
    private static final class BitReader {
        private final byte[] bytes;
        private int next;
        /** The next bits, most significant first: the top {@link #bufferedBits} bits of it, the rest zeros. */
        private long buffer;
        private int bufferedBits;

        BitReader(byte[] bytes) {
            this.bytes = bytes;
        }

        private void refill() {
            while (bufferedBits <= 56 && next < bytes.length) {
                buffer |= (bytes[next++] & 0xFFL) << (56 - bufferedBits);
                bufferedBits += 8;
            }
        }

        int readByte() throws IOException {
            return (int) readBits(8);
        }

        long readLong() throws IOException {
            return readBits(32) << 32 | readBits(32);
        }

        long readVarLong() throws IOException {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int b = readByte();
                v |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return v;
                }
            }
            throw new IOException("a quantile sketch number of more than 64 bits");
        }

        /** The next {@code count} bits (at most 32). */
        long readBits(int count) throws IOException {
            if (count == 0) {
                return 0;
            }
            if (bufferedBits < count) {
                refill();
                if (bufferedBits < count) {
                    throw new IOException("quantile sketch ends early");
                }
            }
            long v = buffer >>> (64 - count);
            buffer <<= count;
            bufferedBits -= count;
            return v;
        }

        long readRice(int r) throws IOException {
            long q = 0;
            while (true) {
                if (bufferedBits < 40) {
                    refill();
                }
                if (bufferedBits == 0) {
                    throw new IOException("quantile sketch ends early");
                }
                int ones = Long.numberOfLeadingZeros(~buffer);
                if (ones < bufferedBits) {
                    q += ones;
                    // drop the ones and the zero that ends them (a shift by 64 would leave the buffer as it is)
                    buffer = ones == 63 ? 0 : buffer << (ones + 1);
                    bufferedBits -= ones + 1;
                    break;
                }
                q += bufferedBits;
                buffer = 0;
                bufferedBits = 0;
                if (q > 1L << 40) {
                    throw new IOException("a quantile sketch gap out of range");
                }
            }
            return q << r | readBits(r);
        }

        /** Only the padding of the last byte may be left. */
        void expectEnd() throws IOException {
            long consumedBits = 8L * next - bufferedBits;
            long left = bytes.length - (consumedBits + 7) / 8;
            if (left != 0) {
                throw new IOException(left + " unexpected bytes after a quantile sketch");
            }
        }
    }
}
