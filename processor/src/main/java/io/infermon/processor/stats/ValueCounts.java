package io.infermon.processor.stats;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * Exact counts of at most {@code limit} distinct values: a small open-addressing hash table keyed by the value's
 * bits. While a stream has few distinct values (pixels 0..16, categories, flags) its quantiles, frequencies and
 * distinct count are then exact and cost one probe per value; {@link #add} refuses the first value beyond the limit
 * and the caller moves to sketches.
 *
 * <p>{@code -0.0} is counted as {@code 0.0}; NaN never enters (callers keep only finite values).
 */
public final class ValueCounts {
    private static final int INITIAL_CAPACITY = 16;

    private final int limit;
    private long[] keys = new long[INITIAL_CAPACITY];
    private long[] counts = new long[INITIAL_CAPACITY];
    private int size;

    public ValueCounts(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive, not " + limit);
        }
        this.limit = limit;
    }

    /** Adds {@code n} occurrences of {@code x}; false (and nothing changed) when x is new and the table is full. */
    public boolean add(double x, long n) {
        long bits = Double.doubleToRawLongBits(x == 0 ? 0.0 : x);
        int mask = keys.length - 1;
        int i = mix(bits) & mask;
        while (counts[i] != 0) {
            if (keys[i] == bits) {
                counts[i] += n;
                return true;
            }
            i = (i + 1) & mask;
        }
        if (size == limit) {
            return false;
        }
        keys[i] = bits;
        counts[i] = n;
        if (++size * 2 > keys.length) {
            grow();
        }
        return true;
    }

    private static int mix(long bits) {
        long h = bits * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }

    private void grow() {
        long[] oldKeys = keys;
        long[] oldCounts = counts;
        keys = new long[oldKeys.length * 2];
        counts = new long[oldKeys.length * 2];
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldCounts[i] != 0) {
                add(Double.longBitsToDouble(oldKeys[i]), oldCounts[i]);
            }
        }
    }

    public int size() {
        return size;
    }

    public int limit() {
        return limit;
    }

    /** The distinct values in ascending order, with their counts at the same index. */
    public Sorted sorted() {
        double[] values = new double[size];
        int k = 0;
        for (int i = 0; i < keys.length; i++) {
            if (counts[i] != 0) {
                values[k++] = Double.longBitsToDouble(keys[i]);
            }
        }
        Arrays.sort(values);
        long[] c = new long[size];
        for (int j = 0; j < size; j++) {
            c[j] = count(values[j]);
        }
        return new Sorted(values, c);
    }

    /** How often {@code x} was added. */
    public long count(double x) {
        long bits = Double.doubleToRawLongBits(x == 0 ? 0.0 : x);
        int mask = keys.length - 1;
        for (int i = mix(bits) & mask; counts[i] != 0; i = (i + 1) & mask) {
            if (keys[i] == bits) {
                return counts[i];
            }
        }
        return 0;
    }

    /** Distinct values ascending, {@code counts[i]} occurrences of {@code values[i]}. */
    public record Sorted(double[] values, long[] counts) {
    }

    void writeTo(DataOutput out) throws IOException {
        Sorted s = sorted();
        out.writeInt(s.values.length);
        for (int i = 0; i < s.values.length; i++) {
            out.writeDouble(s.values[i]);
            out.writeLong(s.counts[i]);
        }
    }

    static ValueCounts readFrom(DataInput in, int limit) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > limit) {
            throw new IOException("value table of " + n + " entries exceeds the limit " + limit);
        }
        ValueCounts v = new ValueCounts(limit);
        for (int i = 0; i < n; i++) {
            double x = in.readDouble();
            long c = in.readLong();
            if (!Double.isFinite(x) || c <= 0 || !v.add(x, c)) {
                throw new IOException("bad value table entry " + i);
            }
        }
        return v;
    }
}
