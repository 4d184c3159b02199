package io.infermon.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CaptureCodecTest {

    private static byte[] floats(float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    private static SimpleCall twoTensorCall() {
        return new SimpleCall()
                .tensor("pixels", TensorRole.INPUT, DType.FLOAT, new long[] {2, 3}, floats(1, 2, 3, 4, 5, Float.NaN))
                .tensor("scores", TensorRole.OUTPUT, DType.FLOAT, new long[] {2, 2}, floats(0.25f, 0.75f, 1, 0));
    }

    @Test
    void roundTripsEveryField() throws Exception {
        SimpleCall call = twoTensorCall();
        call.requestId = "req-42";

        CaptureRecord r = CaptureCodec.decode(call.record());

        assertThat(r.version()).isEqualTo(1);
        assertThat(r.kind()).isEqualTo(RecordKind.INFERENCE);
        assertThat(r.captureTimeEpochNanos()).isEqualTo(1_700_000_000_123_456_789L);
        assertThat(r.durationNanos()).isEqualTo(81_234L);
        assertThat(r.modelName()).isEqualTo("digits");
        assertThat(r.modelVersion()).isEqualTo("3");
        assertThat(r.signature()).isEqualTo("serving_default");
        assertThat(r.interceptionPoint()).isEqualTo("tensorflow.signature");
        assertThat(r.requestId()).isEqualTo("req-42");
        assertThat(r.tensors()).hasSize(2);

        CapturedTensor pixels = r.tensors().get(0);
        assertThat(pixels.name()).isEqualTo("pixels");
        assertThat(pixels.role()).isEqualTo(TensorRole.INPUT);
        assertThat(pixels.dtype()).isEqualTo(DType.FLOAT);
        assertThat(pixels.shape()).containsExactly(2, 3);
        assertThat(pixels.elementCount()).isEqualTo(6);
        ByteBuffer px = pixels.bytes();
        assertThat(px.getFloat(0)).isEqualTo(1f);
        assertThat(px.getFloat(16)).isEqualTo(5f);
        assertThat(px.getFloat(20)).isNaN();

        CapturedTensor scores = r.tensors().get(1);
        assertThat(scores.role()).isEqualTo(TensorRole.OUTPUT);
        assertThat(scores.bytes().getFloat(4)).isEqualTo(0.75f);
    }

    @Test
    void headerBytesAreAsDocumented() {
        ByteBuffer b = twoTensorCall().record().order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[4];
        b.get(0, magic);
        assertThat(new String(magic, StandardCharsets.US_ASCII)).isEqualTo("INFM");
        assertThat(b.get(4)).isEqualTo((byte) 1);
        assertThat(b.get(5)).isEqualTo((byte) 1);
        assertThat(b.getInt(8)).isEqualTo(b.remaining());
        assertThat(b.getLong(16)).isEqualTo(1_700_000_000_123_456_789L);
        // the first string (model name) starts right after the 32-byte header
        assertThat(b.getShort(32)).isEqualTo((short) 6);
    }

    @Test
    void encodesScalarsAndEmptyTensors() throws Exception {
        SimpleCall call = new SimpleCall()
                .tensor("threshold", TensorRole.INPUT, DType.DOUBLE, new long[0], new byte[8])
                .tensor("empty", TensorRole.OUTPUT, DType.FLOAT, new long[] {0, 10}, new byte[0]);
        CaptureRecord r = CaptureCodec.decode(call.record());
        assertThat(r.tensors().get(0).rank()).isZero();
        assertThat(r.tensors().get(0).elementCount()).isEqualTo(1);
        assertThat(r.tensors().get(1).elementCount()).isZero();
        assertThat(r.tensors().get(1).data().remaining()).isZero();
    }

    @Test
    void keepsNonAsciiStringsAndCutsOverlongOnesAtACharacterBoundary() throws Exception {
        SimpleCall call = twoTensorCall();
        call.model = "modèle-数字-\uD83D\uDE00";
        call.requestId = "é".repeat(40_000); // 80,000 bytes of UTF-8: more than a string may hold
        CaptureRecord r = CaptureCodec.decode(call.record());
        assertThat(r.modelName()).isEqualTo("modèle-数字-\uD83D\uDE00");
        assertThat(r.requestId()).isEqualTo("é".repeat(CaptureCodec.MAX_STRING_BYTES / 2));
        assertThat(CaptureCodec.stringLength(call.model))
                .isEqualTo(2 + call.model.getBytes(StandardCharsets.UTF_8).length);
    }

    @Test
    void keptStringsEncodeTheSameBytesAsConvertedOnes() {
        EncodedStrings kept = new EncodedStrings();
        for (String model : new String[] {"digits", "modèle-数字-\uD83D\uDE00", "lone-\uD800-surrogate",
                "é".repeat(40_000), ""}) {
            SimpleCall converted = twoTensorCall();
            converted.model = model;
            converted.requestId = "req-7";
            SimpleCall fromKept = twoTensorCall();
            fromKept.model = new String(model); // equal, not the same instance: found by content
            fromKept.requestId = "req-7";
            fromKept.strings = kept;
            ByteBuffer expected = converted.record();
            assertThat(fromKept.record()).isEqualTo(expected);
            assertThat(fromKept.record()).isEqualTo(expected); // the second time from the kept bytes
        }
    }

    @Test
    void keptStringsAreConvertedOncePerNameAndReplacedWhenTheirSlotIsTaken() {
        EncodedStrings kept = new EncodedStrings();
        byte[] first = kept.of("serving_default");
        assertThat(kept.of(new String("serving_default"))).isSameAs(first);
        assertThat(first).isEqualTo("serving_default".getBytes(StandardCharsets.UTF_8));
        // another name with the same slot replaces it; the first is converted again when it comes back
        String rival = java.util.stream.IntStream.range(0, 10_000).mapToObj(i -> "name-" + i)
                .filter(n -> (n.hashCode() & (EncodedStrings.SLOTS - 1))
                        == ("serving_default".hashCode() & (EncodedStrings.SLOTS - 1)))
                .findFirst().orElseThrow();
        assertThat(kept.of(rival)).isEqualTo(rival.getBytes(StandardCharsets.UTF_8));
        byte[] again = kept.of("serving_default");
        assertThat(again).isNotSameAs(first).isEqualTo(first);
    }

    @Test
    void rejectsTruncatedRecordsWithTheReason() {
        ByteBuffer whole = twoTensorCall().record();
        assertThatThrownBy(() -> CaptureCodec.decode(whole.slice(0, 20)))
                .isInstanceOf(CorruptRecordException.class)
                .hasMessageContaining("truncated")
                .hasMessageContaining("20 bytes");
        assertThatThrownBy(() -> CaptureCodec.decode(whole.slice(0, whole.remaining() - 1)))
                .isInstanceOfSatisfying(CorruptRecordException.class,
                        e -> assertThat(e.reason()).isEqualTo(RejectReason.TRUNCATED))
                .hasMessageContaining("header states " + whole.remaining() + " bytes");
    }

    @Test
    void rejectsUnknownVersionsBeforeReadingAnythingElse() {
        ByteBuffer record = twoTensorCall().record();
        record.put(4, (byte) 2);
        assertThatThrownBy(() -> CaptureCodec.decode(record))
                .isInstanceOfSatisfying(CorruptRecordException.class,
                        e -> assertThat(e.reason()).isEqualTo(RejectReason.UNKNOWN_VERSION))
                .hasMessageContaining("wire version 2");
    }

    @Test
    void rejectsForeignBytes() {
        ByteBuffer junk = ByteBuffer.wrap("this is not a capture record at all".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> CaptureCodec.decode(junk))
                .isInstanceOfSatisfying(CorruptRecordException.class,
                        e -> assertThat(e.reason()).isEqualTo(RejectReason.BAD_MAGIC));
    }

    @Test
    void detectsAFlippedBitInTensorData() {
        ByteBuffer record = twoTensorCall().record();
        int last = record.remaining() - 1;
        record.put(last, (byte) (record.get(last) ^ 0x01));
        assertThatThrownBy(() -> CaptureCodec.decode(record))
                .isInstanceOfSatisfying(CorruptRecordException.class,
                        e -> assertThat(e.reason()).isEqualTo(RejectReason.CHECKSUM_MISMATCH));
    }

    @Test
    void sealingLeavesTheViewsPositionAndLimitAlone() {
        SimpleCall call = twoTensorCall();
        int length = (int) CaptureCodec.encodedLength(call);
        ByteBuffer buffer = ByteBuffer.allocate(length + 100).order(ByteOrder.LITTLE_ENDIAN);
        CaptureCodec.encode(call, buffer, 50);
        buffer.position(7).limit(90);
        CaptureCodec.seal(buffer, 50, new java.util.zip.CRC32C());
        assertThat(buffer.position()).isEqualTo(7);
        assertThat(buffer.limit()).isEqualTo(90);
    }

    @Test
    void refusesToEncodeWhatTheFormatCannotHold() {
        SimpleCall call = new SimpleCall().tensor("deep", TensorRole.INPUT, DType.FLOAT, new long[300], new byte[0]);
        assertThat(CaptureCodec.encodedLength(call)).isEqualTo(-1);
    }

    /** Seeded random damage: whatever the bytes, decode returns a record or throws CorruptRecordException. */
    @Test
    void randomDamageIsAlwaysRejectedCleanly() {
        ByteBuffer original = twoTensorCall().record();
        byte[] bytes = new byte[original.remaining()];
        original.get(0, bytes);
        Random random = new Random(20261124L);
        int rejected = 0;
        for (int i = 0; i < 5_000; i++) {
            byte[] damaged = bytes.clone();
            int flips = 1 + random.nextInt(4);
            for (int f = 0; f < flips; f++) {
                damaged[random.nextInt(damaged.length)] ^= (byte) (1 + random.nextInt(255));
            }
            int length = random.nextInt(4) == 0 ? random.nextInt(damaged.length + 1) : damaged.length;
            try {
                CaptureCodec.decode(ByteBuffer.wrap(damaged, 0, length));
                fail("a damaged record was accepted (case " + i + ")");
            } catch (CorruptRecordException expected) {
                rejected++;
            } catch (RuntimeException e) {
                fail("case " + i + " crashed the reader", e);
            }
        }
        assertThat(rejected).isEqualTo(5_000);
    }

    @Test
    void labelRecordsAreRejectedAsUnknownKindByAnInferenceReaderAndReadWhenAskedFor() throws Exception {
        SimpleCall label = new SimpleCall()
                .tensor("label", TensorRole.INPUT, DType.INT64, new long[] {1},
                        ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(7).array());
        label.kind = RecordKind.LABEL;
        label.requestId = "order-17";

        assertThatThrownBy(() -> CaptureCodec.decode(label.record()))
                .isInstanceOfSatisfying(CorruptRecordException.class,
                        e -> assertThat(e.reason()).isEqualTo(RejectReason.UNKNOWN_KIND))
                .hasMessageContaining("record kind 3");
        CaptureRecord r = CaptureCodec.decode(label.record(), java.util.EnumSet.of(RecordKind.LABEL));
        assertThat(r.kind()).isEqualTo(RecordKind.LABEL);
        assertThat(r.requestId()).isEqualTo("order-17");
        assertThat(r.tensors().get(0).bytes().getLong(0)).isEqualTo(7L);
        assertThat(CaptureCodec.kindOf(label.record())).isEqualTo(RecordKind.LABEL);
    }

    @Test
    void keepsTheTruncationFlag() throws Exception {
        SimpleCall call = twoTensorCall();
        call.flags = CaptureCodec.FLAG_ROWS_TRUNCATED;
        assertThat(CaptureCodec.decode(call.record()).flags()).isEqualTo(CaptureCodec.FLAG_ROWS_TRUNCATED);
    }

    @Test
    void roundTripsAgentHealthAndAnInferenceReaderRejectsIt() throws Exception {
        java.util.Map<String, Long> counters = new java.util.LinkedHashMap<>();
        counters.put("calls_seen", 1000L);
        counters.put("calls_captured", 990L);
        counters.put("dropped_ring_full", 10L);
        AgentHealth health = new AgentHealth(1_795_478_410_000_000_000L, 10_000_000_000L, "4242@host-a",
                1_795_478_400_000_000_000L, counters);

        ByteBuffer record = CaptureCodec.encodeHealth(health);

        assertThat(record.getInt(8)).isEqualTo(record.remaining()); // the length field
        assertThat(record.get(5)).isEqualTo((byte) 2);
        AgentHealth back = CaptureCodec.decodeHealth(record);
        assertThat(back).isEqualTo(health);
        assertThat(back.counters().keySet()).containsExactly("calls_seen", "calls_captured", "dropped_ring_full");
        assertThatThrownBy(() -> CaptureCodec.decode(record))
                .isInstanceOfSatisfying(CorruptRecordException.class,
                        e -> assertThat(e.reason()).isEqualTo(RejectReason.UNKNOWN_KIND));
        assertThatThrownBy(() -> CaptureCodec.decodeHealth(twoTensorCall().record()))
                .isInstanceOfSatisfying(CorruptRecordException.class,
                        e -> assertThat(e.reason()).isEqualTo(RejectReason.UNKNOWN_KIND));

        ByteBuffer damaged = ByteBuffer.allocate(record.remaining());
        damaged.put(0, record, 0, record.remaining());
        damaged.put(60, (byte) (damaged.get(60) ^ 1));
        assertThatThrownBy(() -> CaptureCodec.decodeHealth(damaged))
                .isInstanceOfSatisfying(CorruptRecordException.class,
                        e -> assertThat(e.reason()).isEqualTo(RejectReason.CHECKSUM_MISMATCH));
    }

    @Test
    void roundTripsAgentWatermarksAndOtherReadersRejectThem() throws Exception {
        ByteBuffer b = ByteBuffer.allocate(CaptureCodec.WATERMARK_LENGTH + 8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        AgentWatermark running = new AgentWatermark(1_795_478_410_250_000_000L, 1_795_478_400_000_000_000L, false);
        CaptureCodec.encodeWatermark(running, b, 8, new java.util.zip.CRC32C());
        ByteBuffer record = b.slice(8, CaptureCodec.WATERMARK_LENGTH);

        assertThat(record.get(5)).isEqualTo((byte) 4);
        assertThat(CaptureCodec.kindOf(record)).isEqualTo(RecordKind.WATERMARK);
        assertThat(CaptureCodec.decodeWatermark(record)).isEqualTo(running);
        assertThatThrownBy(() -> CaptureCodec.decode(record, java.util.EnumSet.allOf(RecordKind.class)))
                .isInstanceOfSatisfying(CorruptRecordException.class,
                        e -> assertThat(e.reason()).isEqualTo(RejectReason.UNKNOWN_KIND));
        assertThatThrownBy(() -> CaptureCodec.decodeHealth(record))
                .isInstanceOfSatisfying(CorruptRecordException.class,
                        e -> assertThat(e.reason()).isEqualTo(RejectReason.UNKNOWN_KIND));
        assertThatThrownBy(() -> CaptureCodec.decodeWatermark(twoTensorCall().record()))
                .isInstanceOfSatisfying(CorruptRecordException.class,
                        e -> assertThat(e.reason()).isEqualTo(RejectReason.UNKNOWN_KIND));

        AgentWatermark last = new AgentWatermark(running.timeEpochNanos() + 1, running.agentStartEpochNanos(), true);
        CaptureCodec.encodeWatermark(last, b, 0, new java.util.zip.CRC32C());
        assertThat(CaptureCodec.decodeWatermark(b.slice(0, CaptureCodec.WATERMARK_LENGTH))).isEqualTo(last);

        ByteBuffer damaged = ByteBuffer.allocate(CaptureCodec.WATERMARK_LENGTH);
        damaged.put(0, b, 0, CaptureCodec.WATERMARK_LENGTH);
        damaged.put(20, (byte) (damaged.get(20) ^ 1));
        assertThatThrownBy(() -> CaptureCodec.decodeWatermark(damaged))
                .isInstanceOfSatisfying(CorruptRecordException.class,
                        e -> assertThat(e.reason()).isEqualTo(RejectReason.CHECKSUM_MISMATCH));
    }

    @Test
    void theWriterRaisesAnInferenceRecordsCaptureTimeOnlyWhenEarlierAndOnlyOfCalls() throws Exception {
        SimpleCall call = twoTensorCall();
        call.captureTime = 1_000L;
        ByteBuffer record = call.record();
        ByteBuffer unsealed = ByteBuffer.allocate(record.remaining()).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        unsealed.put(0, record, 0, record.remaining());

        assertThat(CaptureCodec.raiseCaptureTime(unsealed, 0, 900L)).isFalse();
        assertThat(CaptureCodec.raiseCaptureTime(unsealed, 0, 1_500L)).isTrue();
        CaptureCodec.seal(unsealed, 0, new java.util.zip.CRC32C());
        assertThat(CaptureCodec.decode(unsealed).captureTimeEpochNanos()).isEqualTo(1_500L);

        SimpleCall label = twoTensorCall();
        label.kind = RecordKind.LABEL;
        label.captureTime = 1_000L;
        ByteBuffer labelRecord = label.record();
        assertThat(CaptureCodec.raiseCaptureTime(labelRecord, 0, 1_500L)).isFalse(); // labels are not bucketed
    }
}
