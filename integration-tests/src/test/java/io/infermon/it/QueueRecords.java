package io.infermon.it;

import io.infermon.capture.AgentHealth;
import io.infermon.capture.CaptureCodec;
import io.infermon.capture.CaptureRecord;
import io.infermon.capture.RecordKind;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

/** Every record of an agent's queue, decoded with the shared codec and split by kind. */
record QueueRecords(List<CaptureRecord> calls, List<CaptureRecord> labels, List<AgentHealth> health) {

    static QueueRecords read(Path dir) throws Exception {
        QueueRecords out = new QueueRecords(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        try (ChronicleQueue q = SingleChronicleQueueBuilder.binary(dir).readOnly(true).build()) {
            ExcerptTailer tailer = q.createTailer();
            while (true) {
                try (DocumentContext dc = tailer.readingDocument()) {
                    if (!dc.isPresent()) {
                        return out;
                    }
                    Bytes<?> bytes = dc.wire().bytes();
                    byte[] record = new byte[(int) bytes.readRemaining()];
                    bytes.read(record);
                    RecordKind kind = CaptureCodec.kindOf(ByteBuffer.wrap(record));
                    switch (kind) {
                        case HEALTH -> out.health.add(CaptureCodec.decodeHealth(ByteBuffer.wrap(record)));
                        case LABEL -> out.labels.add(CaptureCodec.decode(ByteBuffer.wrap(record),
                                EnumSet.of(RecordKind.LABEL)));
                        case INFERENCE -> out.calls.add(CaptureCodec.decode(ByteBuffer.wrap(record)));
                    }
                }
            }
        }
    }

    AgentHealth lastHealth() {
        return health.get(health.size() - 1);
    }
}
