package io.infermon.agent.queue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.agrona.DirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Records the writer takes out of the ring while Chronicle Queue opens, kept in native memory until the queue can
 * take them, oldest first.
 *
 * <p>The queue opens when the host is about to infer (a second after its runtime's first class, or at its first
 * captured call), and the host may call flat out meanwhile. The ring holds 32 MiB by default: two seconds of 64-row
 * digit calls at 1,000 calls/s, but a quarter of a second flat out, and Chronicle's start (about a thousand classes)
 * takes seconds on a machine whose cores are busy with inference. So while another thread opens the queue, the writer
 * moves the ring's records here and appends them once the queue is open, before anything newer.
 *
 * <p>Why native memory: not the host's heap (a host with a small heap must not run out of it because of the agent),
 * not the direct-memory budget (reaching it makes the JDK call {@code System.gc()}, a pause in the host), and not a
 * file (on a nearly full disk it took the room the agent's health records need). It grows by {@link #CHUNK_BYTES} at
 * a time, only as records come, holds at most {@code maxBytes}, and is freed as soon as it has been appended. When it
 * is full, or memory cannot be had, records stay in the ring (and a full ring drops and counts calls, as always).
 */
final class OpeningBuffer implements AutoCloseable {
    /** At most this much is kept by default: with the ring, seconds of a busy host's records. */
    static final long MAX_BYTES = 64L << 20;
    static final int CHUNK_BYTES = 4 << 20;

    private final long maxBytes;
    private final int chunkBytes;
    private final List<UnsafeBuffer> chunks = new ArrayList<>();
    /** Bytes used in each chunk before the last (a record that did not fit in one went to the next). */
    private final List<Integer> fullChunkEnds = new ArrayList<>();
    /** Bytes used in the last chunk. */
    private int used;
    private long allocated;
    private int records;

    OpeningBuffer(long maxBytes) {
        this(maxBytes, CHUNK_BYTES);
    }

    OpeningBuffer(long maxBytes, int chunkBytes) {
        this.maxBytes = maxBytes;
        this.chunkBytes = chunkBytes;
    }

    /**
     * Keeps the {@code length} bytes at {@code index} of {@code from}; false, keeping nothing, when that would pass the
     * maximum or no memory can be had (the record then stays in the ring).
     */
    boolean add(DirectBuffer from, int index, int length) {
        int need = Integer.BYTES + length;
        UnsafeBuffer chunk = chunks.isEmpty() ? null : chunks.get(chunks.size() - 1);
        if (chunk == null || chunk.capacity() - used < need) {
            int size = Math.max(chunkBytes, need);
            if (allocated + size > maxBytes) {
                return false;
            }
            long address;
            try {
                address = UnsafeApi.allocateMemory(size);
            } catch (OutOfMemoryError e) {
                return false;
            }
            if (chunk != null) {
                fullChunkEnds.add(used);
            }
            chunk = new UnsafeBuffer(address, size);
            chunks.add(chunk);
            allocated += size;
            used = 0;
        }
        chunk.putInt(used, length, ByteOrder.LITTLE_ENDIAN);
        chunk.putBytes(used + Integer.BYTES, from, index, length);
        used += need;
        records++;
        return true;
    }

    /** Records kept so far. */
    int records() {
        return records;
    }

    /** One record read back, in a little-endian heap buffer from index 0 to {@code length}. */
    interface Replay {
        void record(ByteBuffer buffer, int length);
    }

    /** Hands every kept record to {@code to}, oldest first. */
    void replay(Replay to) {
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024).order(ByteOrder.LITTLE_ENDIAN);
        for (int c = 0; c < chunks.size(); c++) {
            UnsafeBuffer chunk = chunks.get(c);
            int end = c == chunks.size() - 1 ? used : fullChunkEnds.get(c);
            int at = 0;
            while (at < end) {
                int length = chunk.getInt(at, ByteOrder.LITTLE_ENDIAN);
                if (buffer.capacity() < length) {
                    buffer = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
                }
                chunk.getBytes(at + Integer.BYTES, buffer, 0, length);
                to.record(buffer, length);
                at += Integer.BYTES + length;
            }
        }
    }

    /** Frees the memory. */
    @Override
    public void close() {
        for (UnsafeBuffer chunk : chunks) {
            UnsafeApi.freeMemory(chunk.addressOffset());
        }
        chunks.clear();
        fullChunkEnds.clear();
        allocated = 0;
        used = 0;
    }
}
