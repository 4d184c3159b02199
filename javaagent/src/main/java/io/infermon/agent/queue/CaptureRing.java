package io.infermon.agent.queue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * The bounded hand-off between inference threads and the queue writer: an Agrona many-to-one ring buffer of
 * variable-length records in one block of off-heap memory.
 *
 * <p>An inference thread claims room for a record, encodes the call straight into it and commits; claiming is one
 * compare-and-swap, never a lock, and when the ring is full the claim fails at once and the call is dropped and
 * counted. The writer thread alone appends to Chronicle Queue, so page faults, disk write-back and queue roll-overs
 * never stall an inference thread.
 */
public final class CaptureRing {
    private static final int MSG_TYPE = 1;

    private final ManyToOneRingBuffer ring;
    private final ByteBuffer records;

    public CaptureRing(int capacityBytes) {
        ByteBuffer memory = ByteBuffer.allocateDirect(capacityBytes + RingBufferDescriptor.TRAILER_LENGTH)
                .order(ByteOrder.LITTLE_ENDIAN);
        this.ring = new ManyToOneRingBuffer(new UnsafeBuffer(memory));
        this.records = memory;
    }

    /** The largest record {@link #claim} accepts. */
    public int maxRecordLength() {
        return ring.maxMsgLength();
    }

    /**
     * Reserves {@code length} bytes. Returns the index to encode at (in {@link #records()}), or -1 when the ring has
     * no room right now.
     */
    public int claim(int length) {
        int index = ring.tryClaim(MSG_TYPE, length);
        return index >= 0 ? index : -1;
    }

    /** The little-endian buffer claimed indexes refer to. Write with absolute methods only. */
    public ByteBuffer records() {
        return records;
    }

    public void commit(int index) {
        ring.commit(index);
    }

    public void abort(int index) {
        ring.abort(index);
    }

    /** Hands up to {@code limit} committed records to {@code handler}, oldest first; returns how many. */
    public int drain(MessageHandler handler, int limit) {
        return ring.read(handler, limit);
    }

    /**
     * Like {@link #drain}, but {@code handler} may leave a record (and those after it) in the ring by returning
     * {@link ControlledMessageHandler.Action#ABORT}.
     */
    public int controlledDrain(ControlledMessageHandler handler, int limit) {
        return ring.controlledRead(handler, limit);
    }

    /**
     * How far inference threads have claimed room, as a position that only grows. Every record claimed before this is
     * read has been drained once {@link #drainedPosition()} reaches it.
     */
    public long claimedPosition() {
        return ring.producerPosition();
    }

    /** How far the writer has drained, in the terms of {@link #claimedPosition()}. */
    public long drainedPosition() {
        return ring.consumerPosition();
    }

    /** Bytes claimed but not yet drained. */
    public int backlogBytes() {
        return ring.size();
    }

    public int capacity() {
        return ring.capacity();
    }

    /** The native address of index 0 of {@link #records()}. */
    long address() {
        return ((UnsafeBuffer) ring.buffer()).addressOffset();
    }

    RingBuffer ring() {
        return ring;
    }
}
