package io.infermon.agent.capture;

import io.infermon.agent.queue.CaptureRing;
import io.infermon.capture.CaptureCodec;
import io.infermon.capture.CaptureRecord;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/** Test help: the records a capture handler put into a ring, sealed and decoded as the queue writer would. */
final class RingRecords {
    private RingRecords() {
    }

    static List<CaptureRecord> drain(CaptureRing ring) {
        List<CaptureRecord> out = new ArrayList<>();
        ring.drain((type, buffer, index, length) -> {
            ByteBuffer copy = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
            buffer.getBytes(index, copy, length);
            copy.flip();
            CaptureCodec.seal(copy, 0, new java.util.zip.CRC32C());
            try {
                out.add(CaptureCodec.decode(copy));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }, 1000);
        return out;
    }
}
