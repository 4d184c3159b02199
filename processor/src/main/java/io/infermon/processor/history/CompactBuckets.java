package io.infermon.processor.history;

import io.infermon.anodot.AnodotMetric;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * One model key's closed buckets for the dashboard, kept compact: a {@link BucketView} of a 64-feature model is an
 * object graph of about 140 KB (maps, boxed numbers, property strings), most of it the same names bucket after
 * bucket. Here the names live once per model key (its <b>slots</b>: what a metric is, without its value), each
 * bucket keeps the order in which its metrics came as a shared <b>layout</b> (an array of slot numbers, the same for
 * nearly every bucket of a key), and its values as one byte array: whole numbers (counts, pixel quantiles) as
 * variable-length integers of a byte or two, values that are exactly a float (quantiles of float32 features) in
 * four bytes, the others in eight. A view is rebuilt on demand by handing the slots and values, in file order, to
 * the same builder {@link BucketView#of} uses, so it is the view that would have been kept, to the bit.
 *
 * <p>Not thread-safe by itself: {@link BucketHistory} guards it. The views a reader asks for are decoded after the
 * history's lock is released, from immutable packed buckets and a copy of the slot table.
 */
final class CompactBuckets {
    private static final int INTEGER = 0;
    private static final int FLOAT = 1;
    private static final int DOUBLE = 2;
    /** Whole numbers below this magnitude are stored as integers (doubles hold every integer up to 2^53). */
    private static final long MAX_INTEGER = 1L << 53;

    private final ModelRef model;
    private final List<BucketView.Slot> slots = new ArrayList<>();
    private final Map<BucketView.Slot, Integer> slotNumbers = new HashMap<>();
    private final Map<Layout, Layout> layouts = new HashMap<>();
    private final TreeMap<Long, Packed> buckets = new TreeMap<>();

    /** The slot numbers of a bucket's metrics in file order; equal layouts are one object. */
    private record Layout(int[] slots) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Layout l && Arrays.equals(slots, l.slots);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(slots);
        }
    }

    private record Packed(long start, Layout layout, byte[] values) {
    }

    CompactBuckets(ModelRef model) {
        this.model = model;
    }

    /** Keeps (or replaces) the bucket of these metrics. */
    void put(long startSeconds, List<AnodotMetric> metrics) {
        int[] order = new int[metrics.size()];
        int n = 0;
        ByteArrayOutputStream values = new ByteArrayOutputStream(metrics.size() * 3);
        for (AnodotMetric m : metrics) {
            BucketView.Slot slot = BucketView.Slot.of(m);
            if (slot == null) {
                continue;
            }
            Integer number = slotNumbers.get(slot);
            if (number == null) {
                number = slots.size();
                slots.add(slot);
                slotNumbers.put(slot, number);
            }
            order[n++] = number;
            write(values, m.value());
        }
        Layout layout = layouts.computeIfAbsent(new Layout(Arrays.copyOf(order, n)), l -> l);
        buckets.put(startSeconds, new Packed(startSeconds, layout, values.toByteArray()));
    }

    /** Drops the oldest buckets beyond {@code max}, and layouts no bucket uses any more. */
    void trim(int max) {
        if (buckets.size() <= max) {
            return;
        }
        while (buckets.size() > max) {
            buckets.pollFirstEntry();
        }
        if (layouts.size() > 1) {
            java.util.Set<Layout> used = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            buckets.values().forEach(p -> used.add(p.layout()));
            layouts.keySet().removeIf(l -> !used.contains(layouts.get(l)));
        }
    }

    int size() {
        return buckets.size();
    }

    long firstStart() {
        return buckets.firstKey();
    }

    long latestStart() {
        return buckets.lastKey();
    }

    boolean isEmpty() {
        return buckets.isEmpty();
    }

    /**
     * The buckets that start after {@code afterSeconds}, oldest first, as a list that decodes each view when it is
     * read: an answer with a day of buckets does not hold them all as views at once.
     */
    List<BucketView> after(long afterSeconds) {
        NavigableMap<Long, Packed> tail = buckets.tailMap(afterSeconds, false);
        Packed[] packed = tail.values().toArray(Packed[]::new);
        BucketView.Slot[] table = slots.toArray(BucketView.Slot[]::new);
        return new AbstractList<>() {
            @Override
            public BucketView get(int i) {
                return decode(model, table, packed[i]);
            }

            @Override
            public int size() {
                return packed.length;
            }
        };
    }

    BucketView latest() {
        return decode(model, slots.toArray(BucketView.Slot[]::new), buckets.lastEntry().getValue());
    }

    private static BucketView decode(ModelRef model, BucketView.Slot[] table, Packed p) {
        BucketView.Builder b = new BucketView.Builder();
        ByteBuffer in = ByteBuffer.wrap(p.values());
        for (int number : p.layout().slots()) {
            b.add(table[number], read(in));
        }
        return b.build(model, p.start());
    }

    private static void write(ByteArrayOutputStream out, double v) {
        long n = (long) v;
        if (Math.abs(n) < MAX_INTEGER && Double.doubleToRawLongBits((double) n) == Double.doubleToRawLongBits(v)) {
            writeVarint(out, ((n << 1) ^ (n >> 63)) << 2 | INTEGER); // zig-zag: small magnitudes, small varints
        } else if (Double.doubleToRawLongBits((float) v) == Double.doubleToRawLongBits(v)) {
            out.write(FLOAT);
            int bits = Float.floatToRawIntBits((float) v);
            for (int shift = 24; shift >= 0; shift -= 8) {
                out.write(bits >>> shift);
            }
        } else {
            out.write(DOUBLE);
            long bits = Double.doubleToRawLongBits(v);
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) (bits >>> shift));
            }
        }
    }

    private static double read(ByteBuffer in) {
        long first = readVarint(in);
        return switch ((int) (first & 3)) {
            case INTEGER -> {
                long z = first >>> 2;
                yield (double) ((z >>> 1) ^ -(z & 1));
            }
            case FLOAT -> in.getFloat();
            default -> in.getDouble();
        };
    }

    private static void writeVarint(ByteArrayOutputStream out, long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    private static long readVarint(ByteBuffer in) {
        long v = 0;
        for (int shift = 0; ; shift += 7) {
            byte b = in.get();
            v |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return v;
            }
        }
    }
}
