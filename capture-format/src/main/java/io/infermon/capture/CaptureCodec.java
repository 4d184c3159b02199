package io.infermon.capture;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The capture record codec, version 1: the only code that writes or reads the bytes the agent puts in its queue.
 * docs/wire-format.md describes the layout field by field; keep the two in step.
 *
 * <p>Writing is split in three steps so that the inference thread does as little as possible:
 * {@link #encodedLength} (to reserve room), {@link #encode} (copy the call into the reserved room, on the inference
 * thread) and {@link #seal} (compute the checksum, on the agent's background writer thread). Encoding allocates nothing
 * for ASCII strings.
 *
 * <p>Reading ({@link #decode}) checks magic, version, kind, length and checksum before it trusts a single field, and
 * then bounds-checks every field, so a damaged record is rejected with a reason and never crashes the reader.
 */
public final class CaptureCodec {

    /** The first four bytes of every record: "INFM" in ASCII. */
    public static final int MAGIC = 0x4D464E49;
    public static final int VERSION = 1;
    public static final int HEADER_LENGTH = 32;
    /** Strings are stored with an unsigned 16-bit byte length; longer strings are cut to fit. */
    public static final int MAX_STRING_BYTES = 0xFFFF;
    public static final int MAX_TENSORS = 0xFFFF;
    public static final int MAX_RANK = 0xFF;
    /**
     * Header flag: the call was larger than the agent's record limit and only its first rows were kept (every tensor
     * whose first dimension was the batch size was cut to the same number of rows).
     */
    public static final int FLAG_ROWS_TRUNCATED = 1;
    /** Header flag of a watermark record: the agent stopped and writes nothing more to the queue. */
    public static final int FLAG_LAST_WATERMARK = 1;
    /** The length of a watermark record: the header and the agent's start time. */
    public static final int WATERMARK_LENGTH = HEADER_LENGTH + 8;

    static final int OFFSET_MAGIC = 0;
    static final int OFFSET_VERSION = 4;
    static final int OFFSET_KIND = 5;
    static final int OFFSET_FLAGS = 6;
    static final int OFFSET_LENGTH = 8;
    static final int OFFSET_CRC = 12;
    static final int OFFSET_CAPTURE_TIME = 16;
    static final int OFFSET_DURATION = 24;

    private CaptureCodec() {
    }

    // ---------------------------------------------------------------------------------------------- writing

    /**
     * The exact number of bytes {@link #encode} will write for this call, or -1 when the call cannot be encoded at all
     * (too many tensors, a rank above {@link #MAX_RANK}, or a record above 2 GiB).
     */
    public static long encodedLength(CaptureSource call) {
        EncodedStrings kept = call.encodedStrings();
        long length = HEADER_LENGTH;
        length += stringLength(call.modelName(), kept);
        length += stringLength(call.modelVersion(), kept);
        length += stringLength(call.signature(), kept);
        length += stringLength(call.interceptionPoint(), kept);
        length += stringLength(call.requestId());
        int tensors = call.tensorCount();
        if (tensors < 0 || tensors > MAX_TENSORS) {
            return -1;
        }
        length += 2;
        for (int t = 0; t < tensors; t++) {
            int rank = call.tensorRank(t);
            if (rank < 0 || rank > MAX_RANK) {
                return -1;
            }
            length += stringLength(call.tensorName(t), kept) + 4 + 8L * rank + 4 + call.tensorByteLength(t);
        }
        return length > Integer.MAX_VALUE ? -1 : length;
    }

    /**
     * Writes the call at {@code offset} of {@code target} (absolute indexes; the buffer's position and limit are left
     * alone, so several threads may encode into different regions of one buffer). The checksum field is left zero for
     * {@link #seal}. Returns the number of bytes written, which equals {@link #encodedLength}.
     *
     * @param target a little-endian buffer with at least {@code encodedLength(call)} bytes from {@code offset}
     */
    public static int encode(CaptureSource call, ByteBuffer target, int offset) {
        if (target.order() != ByteOrder.LITTLE_ENDIAN) {
            throw new IllegalArgumentException("the target buffer must be little-endian");
        }
        EncodedStrings kept = call.encodedStrings();
        int p = offset + HEADER_LENGTH;
        p = putString(target, p, call.modelName(), kept);
        p = putString(target, p, call.modelVersion(), kept);
        p = putString(target, p, call.signature(), kept);
        p = putString(target, p, call.interceptionPoint(), kept);
        p = putString(target, p, call.requestId());
        int tensors = call.tensorCount();
        target.putShort(p, (short) tensors);
        p += 2;
        for (int t = 0; t < tensors; t++) {
            p = putString(target, p, call.tensorName(t), kept);
            int rank = call.tensorRank(t);
            target.put(p, (byte) call.tensorRole(t).code());
            target.put(p + 1, (byte) call.tensorMeaning(t).code());
            target.put(p + 2, (byte) call.tensorDType(t));
            target.put(p + 3, (byte) rank);
            p += 4;
            for (int d = 0; d < rank; d++) {
                target.putLong(p, call.tensorDim(t, d));
                p += 8;
            }
            int bytes = call.tensorByteLength(t);
            target.putInt(p, bytes);
            p += 4;
            call.copyTensorBytes(t, target, p);
            p += bytes;
        }
        int length = p - offset;
        target.putInt(offset + OFFSET_MAGIC, MAGIC);
        target.put(offset + OFFSET_VERSION, (byte) VERSION);
        target.put(offset + OFFSET_KIND, (byte) call.recordKind().code());
        target.putShort(offset + OFFSET_FLAGS, (short) call.flags());
        target.putInt(offset + OFFSET_LENGTH, length);
        target.putInt(offset + OFFSET_CRC, 0);
        target.putLong(offset + OFFSET_CAPTURE_TIME, call.captureTimeEpochNanos());
        target.putLong(offset + OFFSET_DURATION, call.durationNanos());
        return length;
    }

    /**
     * Computes the CRC-32C of the encoded record at {@code offset} and stores it in the header. The checksum covers
     * every byte of the record except the checksum field itself.
     *
     * <p>Uses {@code view}'s position and limit (and restores them), so the caller must own {@code view}: pass a
     * duplicate, not a buffer other threads write to.
     */
    /**
     * Raises an encoded inference record's capture time to {@code earliest} when it is earlier; returns whether it
     * did. Before {@link #seal}. The agent's writer uses it to keep its watermark's promise exact (docs/wire-format.md,
     * kind 4): the start a thread converted to epoch time may differ by the clock's recalibration from the one the
     * writer's watermark was converted with.
     */
    public static boolean raiseCaptureTime(ByteBuffer view, int offset, long earliest) {
        ByteBuffer b = view.order(ByteOrder.LITTLE_ENDIAN);
        if (b.get(offset + OFFSET_KIND) != (byte) RecordKind.INFERENCE.code()
                || b.getLong(offset + OFFSET_CAPTURE_TIME) >= earliest) {
            return false;
        }
        b.putLong(offset + OFFSET_CAPTURE_TIME, earliest);
        return true;
    }

    public static void seal(ByteBuffer view, int offset, CRC32C crc) {
        int length = view.order(ByteOrder.LITTLE_ENDIAN).getInt(offset + OFFSET_LENGTH);
        view.putInt(offset + OFFSET_CRC, checksum(view, offset, length, crc));
    }

    private static int checksum(ByteBuffer view, int offset, int length, CRC32C crc) {
        int position = view.position();
        int limit = view.limit();
        try {
            crc.reset();
            view.limit(offset + OFFSET_CRC).position(offset);
            crc.update(view);
            view.limit(offset + length).position(offset + OFFSET_CRC + 4);
            crc.update(view);
            return (int) crc.getValue();
        } finally {
            view.limit(limit).position(position);
        }
    }

    /** The number of bytes a string takes in a record: a 2-byte length and up to {@link #MAX_STRING_BYTES} of UTF-8. */
    public static int stringLength(String s) {
        return 2 + utf8Length(s, storedChars(s));
    }

    /** {@link #stringLength(String)}, from the kept bytes when there are any. */
    private static int stringLength(String s, EncodedStrings kept) {
        return kept == null ? stringLength(s) : 2 + kept.of(s).length;
    }

    /** {@link #putString(ByteBuffer, int, String)}, copying the kept bytes when there are any. */
    private static int putString(ByteBuffer target, int p, String s, EncodedStrings kept) {
        if (kept == null) {
            return putString(target, p, s);
        }
        byte[] bytes = kept.of(s);
        target.putShort(p, (short) bytes.length);
        target.put(p + 2, bytes, 0, bytes.length);
        return p + 2 + bytes.length;
    }

    /** The bytes {@code s} takes in a record after its length: UTF-8, cut to {@link #MAX_STRING_BYTES}. */
    static byte[] utf8(String s) {
        ByteBuffer b = ByteBuffer.allocate(stringLength(s)).order(ByteOrder.LITTLE_ENDIAN);
        putString(b, 0, s);
        byte[] bytes = new byte[b.capacity() - 2];
        b.get(2, bytes);
        return bytes;
    }

    private static int putString(ByteBuffer target, int p, String s) {
        int chars = storedChars(s);
        int start = p + 2;
        int q = start;
        for (int i = 0; i < chars; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                target.put(q++, (byte) c);
            } else if (c < 0x800) {
                target.put(q++, (byte) (0xC0 | (c >> 6)));
                target.put(q++, (byte) (0x80 | (c & 0x3F)));
            } else if (Character.isHighSurrogate(c) && i + 1 < chars && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                target.put(q++, (byte) (0xF0 | (cp >> 18)));
                target.put(q++, (byte) (0x80 | ((cp >> 12) & 0x3F)));
                target.put(q++, (byte) (0x80 | ((cp >> 6) & 0x3F)));
                target.put(q++, (byte) (0x80 | (cp & 0x3F)));
            } else if (Character.isSurrogate(c)) {
                target.put(q++, (byte) '?'); // a lone surrogate has no UTF-8 form; String.getBytes does the same
            } else {
                target.put(q++, (byte) (0xE0 | (c >> 12)));
                target.put(q++, (byte) (0x80 | ((c >> 6) & 0x3F)));
                target.put(q++, (byte) (0x80 | (c & 0x3F)));
            }
        }
        target.putShort(p, (short) (q - start));
        return q;
    }

    /** How many chars of {@code s} fit in {@link #MAX_STRING_BYTES} of UTF-8, never splitting a surrogate pair. */
    private static int storedChars(String s) {
        int n = s.length();
        if (n <= MAX_STRING_BYTES / 3) {
            return n; // at most 3 bytes a char: always fits
        }
        int bytes = 0;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            int w;
            int step = 1;
            if (c < 0x80) {
                w = 1;
            } else if (c < 0x800) {
                w = 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                w = 4;
                step = 2;
            } else if (Character.isSurrogate(c)) {
                w = 1;
            } else {
                w = 3;
            }
            if (bytes + w > MAX_STRING_BYTES) {
                return i;
            }
            bytes += w;
            i += step - 1;
        }
        return n;
    }

    private static int utf8Length(String s, int chars) {
        int bytes = 0;
        for (int i = 0; i < chars; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < chars && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                bytes += 1;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    // ---------------------------------------------------------------------------------------------- reading

    /**
     * Decodes the one record between {@code record}'s position and limit. The buffer's position is not moved; the
     * returned tensors' bytes are read-only views of it, valid as long as its contents are.
     *
     * @throws CorruptRecordException when the bytes are not a whole, undamaged version-1 record
     */
    public static CaptureRecord decode(ByteBuffer record) throws CorruptRecordException {
        return decode(record, INFERENCE_ONLY);
    }

    private static final Set<RecordKind> INFERENCE_ONLY = Collections.unmodifiableSet(EnumSet.of(RecordKind.INFERENCE));

    /**
     * Decodes an inference or label record (their bodies have the same layout), accepting only the kinds in
     * {@code accepted}; any other kind is rejected as {@link RejectReason#UNKNOWN_KIND}, exactly as a reader that
     * does not know it would.
     */
    public static CaptureRecord decode(ByteBuffer record, Set<RecordKind> accepted) throws CorruptRecordException {
        ByteBuffer b = checkedRecord(record);
        int length = b.getInt(OFFSET_LENGTH);
        int kindCode = Byte.toUnsignedInt(b.get(OFFSET_KIND));
        RecordKind kind = RecordKind.fromCode(kindCode);
        if (kind == null || kind == RecordKind.HEALTH || kind == RecordKind.WATERMARK || !accepted.contains(kind)) {
            throw new CorruptRecordException(RejectReason.UNKNOWN_KIND, "record kind " + kindCode
                    + (kind == null ? "" : " (" + kind.name().toLowerCase(java.util.Locale.ROOT) + ")"));
        }
        return decodeCall(b, length, kind);
    }

    /** The kind of a record whose header and checksum are sound, or null for a code this reader does not know. */
    public static RecordKind kindOf(ByteBuffer record) throws CorruptRecordException {
        ByteBuffer b = checkedRecord(record);
        return RecordKind.fromCode(Byte.toUnsignedInt(b.get(OFFSET_KIND)));
    }

    /** Checks magic, length, version and checksum; returns a little-endian slice of the record. */
    private static ByteBuffer checkedRecord(ByteBuffer record) throws CorruptRecordException {
        ByteBuffer b = record.slice().order(ByteOrder.LITTLE_ENDIAN);
        int available = b.remaining();
        if (available >= 4 && b.getInt(OFFSET_MAGIC) != MAGIC) {
            throw new CorruptRecordException(RejectReason.BAD_MAGIC, String.format(
                    "first bytes are 0x%08x, expected 0x%08x (\"INFM\")", b.getInt(OFFSET_MAGIC), MAGIC));
        }
        if (available < HEADER_LENGTH) {
            throw new CorruptRecordException(RejectReason.TRUNCATED,
                    available + " bytes, fewer than the " + HEADER_LENGTH + "-byte header");
        }
        int version = Byte.toUnsignedInt(b.get(OFFSET_VERSION));
        if (version != VERSION) {
            throw new CorruptRecordException(RejectReason.UNKNOWN_VERSION,
                    "wire version " + version + " (this reader knows version " + VERSION + ")");
        }
        int length = b.getInt(OFFSET_LENGTH);
        if (length < HEADER_LENGTH || length > available) {
            throw new CorruptRecordException(RejectReason.TRUNCATED,
                    "header states " + length + " bytes, " + available + " present");
        }
        if (length < available) {
            throw new CorruptRecordException(RejectReason.MALFORMED,
                    (available - length) + " bytes follow the " + length + "-byte record");
        }
        int stored = b.getInt(OFFSET_CRC);
        int actual = checksum(b, 0, length, new CRC32C());
        if (stored != actual) {
            throw new CorruptRecordException(RejectReason.CHECKSUM_MISMATCH,
                    String.format("stored CRC-32C 0x%08x, computed 0x%08x over %d bytes", stored, actual, length));
        }
        return b;
    }

    private static CaptureRecord decodeCall(ByteBuffer b, int length, RecordKind kind) throws CorruptRecordException {
        int version = Byte.toUnsignedInt(b.get(OFFSET_VERSION));
        int flags = Short.toUnsignedInt(b.getShort(OFFSET_FLAGS));
        long captureTime = b.getLong(OFFSET_CAPTURE_TIME);
        long duration = b.getLong(OFFSET_DURATION);

        Cursor c = new Cursor(b, HEADER_LENGTH, length);
        String model = c.string("model name");
        String modelVersion = c.string("model version");
        String signature = c.string("signature");
        String point = c.string("interception point");
        String requestId = c.string("request id");
        int tensorCount = c.u16("tensor count");
        List<CapturedTensor> tensors = new ArrayList<>(tensorCount);
        for (int t = 0; t < tensorCount; t++) {
            String name = c.string("name of tensor " + t);
            int roleCode = c.u8("role of tensor " + t);
            TensorRole role = TensorRole.fromCode(roleCode);
            if (role == null) {
                throw c.malformed("tensor " + t + " (" + name + ") has unknown role " + roleCode);
            }
            int meaningCode = c.u8("meaning of tensor " + t);
            TensorMeaning meaning = TensorMeaning.fromCode(meaningCode);
            if (meaning == null) {
                throw c.malformed("tensor " + t + " (" + name + ") has unknown meaning " + meaningCode);
            }
            int dtype = c.u8("dtype of tensor " + t);
            int rank = c.u8("rank of tensor " + t);
            long[] shape = new long[rank];
            for (int d = 0; d < rank; d++) {
                shape[d] = c.i64("dimension " + d + " of tensor " + t);
                if (shape[d] < 0) {
                    throw c.malformed("tensor " + t + " (" + name + ") has negative dimension " + shape[d]);
                }
            }
            int byteLength = c.i32("byte length of tensor " + t);
            if (byteLength < 0) {
                throw c.malformed("tensor " + t + " (" + name + ") has negative byte length " + byteLength);
            }
            ByteBuffer data = c.bytes(byteLength, "bytes of tensor " + t + " (" + name + ")");
            tensors.add(new CapturedTensor(name, role, meaning, dtype, shape, data));
        }
        if (c.position != length) {
            throw c.malformed((length - c.position) + " unread bytes after the last tensor");
        }
        return new CaptureRecord(version, kind, flags, captureTime, duration, model, modelVersion, signature, point,
                requestId, Collections.unmodifiableList(tensors));
    }

    // ---------------------------------------------------------------------------------------------- agent health

    /**
     * Encodes an agent health record (kind {@link RecordKind#HEALTH}), sealed with its checksum, into a new
     * little-endian buffer positioned at 0. Called on the agent's writer thread, never on an inference thread.
     */
    public static ByteBuffer encodeHealth(AgentHealth health) {
        int length = HEADER_LENGTH + stringLength(health.agentId()) + 8 + 2;
        if (health.counters().size() > MAX_TENSORS) {
            throw new IllegalArgumentException("at most " + MAX_TENSORS + " counters");
        }
        for (String name : health.counters().keySet()) {
            length += stringLength(name) + 8;
        }
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        int p = putString(b, HEADER_LENGTH, health.agentId());
        b.putLong(p, health.agentStartEpochNanos());
        p += 8;
        b.putShort(p, (short) health.counters().size());
        p += 2;
        for (Map.Entry<String, Long> c : health.counters().entrySet()) {
            p = putString(b, p, c.getKey());
            b.putLong(p, c.getValue());
            p += 8;
        }
        b.putInt(OFFSET_MAGIC, MAGIC);
        b.put(OFFSET_VERSION, (byte) VERSION);
        b.put(OFFSET_KIND, (byte) RecordKind.HEALTH.code());
        b.putShort(OFFSET_FLAGS, (short) 0);
        b.putInt(OFFSET_LENGTH, p);
        b.putLong(OFFSET_CAPTURE_TIME, health.timeEpochNanos());
        b.putLong(OFFSET_DURATION, health.intervalNanos());
        seal(b, 0, new CRC32C());
        return b;
    }

    /**
     * Decodes an agent health record. Checks the header and checksum like {@link #decode}; a record of another kind
     * is rejected as {@link RejectReason#UNKNOWN_KIND}.
     */
    public static AgentHealth decodeHealth(ByteBuffer record) throws CorruptRecordException {
        ByteBuffer b = checkedRecord(record);
        int length = b.getInt(OFFSET_LENGTH);
        int kindCode = Byte.toUnsignedInt(b.get(OFFSET_KIND));
        if (kindCode != RecordKind.HEALTH.code()) {
            throw new CorruptRecordException(RejectReason.UNKNOWN_KIND, "record kind " + kindCode
                    + " is not an agent health record");
        }
        Cursor c = new Cursor(b, HEADER_LENGTH, length);
        String agentId = c.string("agent id");
        long started = c.i64("agent start time");
        int count = c.u16("counter count");
        Map<String, Long> counters = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            String name = c.string("name of counter " + i);
            long value = c.i64("value of counter " + i + " (" + name + ")");
            if (counters.put(name, value) != null) {
                throw c.malformed("counter " + name + " appears twice");
            }
        }
        if (c.position != length) {
            throw c.malformed((length - c.position) + " unread bytes after the last counter");
        }
        return new AgentHealth(b.getLong(OFFSET_CAPTURE_TIME), b.getLong(OFFSET_DURATION), agentId, started,
                Collections.unmodifiableMap(counters));
    }

    // ---------------------------------------------------------------------------------------------- watermarks

    /**
     * Encodes an agent watermark record (kind {@link RecordKind#WATERMARK}), sealed with its checksum, at
     * {@code offset} of {@code target} ({@link #WATERMARK_LENGTH} bytes, absolute indexes). Called on the agent's
     * writer thread, which reuses one small buffer for it.
     */
    public static void encodeWatermark(AgentWatermark watermark, ByteBuffer target, int offset, CRC32C crc) {
        if (target.order() != ByteOrder.LITTLE_ENDIAN) {
            throw new IllegalArgumentException("the target buffer must be little-endian");
        }
        target.putInt(offset + OFFSET_MAGIC, MAGIC);
        target.put(offset + OFFSET_VERSION, (byte) VERSION);
        target.put(offset + OFFSET_KIND, (byte) RecordKind.WATERMARK.code());
        target.putShort(offset + OFFSET_FLAGS, (short) (watermark.last() ? FLAG_LAST_WATERMARK : 0));
        target.putInt(offset + OFFSET_LENGTH, WATERMARK_LENGTH);
        target.putLong(offset + OFFSET_CAPTURE_TIME, watermark.timeEpochNanos());
        target.putLong(offset + OFFSET_DURATION, 0L);
        target.putLong(offset + HEADER_LENGTH, watermark.agentStartEpochNanos());
        seal(target, offset, crc);
    }

    /**
     * Decodes an agent watermark record. Checks the header and checksum like {@link #decode}; a record of another kind
     * is rejected as {@link RejectReason#UNKNOWN_KIND}.
     */
    public static AgentWatermark decodeWatermark(ByteBuffer record) throws CorruptRecordException {
        ByteBuffer b = checkedRecord(record);
        int kindCode = Byte.toUnsignedInt(b.get(OFFSET_KIND));
        if (kindCode != RecordKind.WATERMARK.code()) {
            throw new CorruptRecordException(RejectReason.UNKNOWN_KIND, "record kind " + kindCode
                    + " is not an agent watermark record");
        }
        int length = b.getInt(OFFSET_LENGTH);
        if (length != WATERMARK_LENGTH) {
            throw new CorruptRecordException(RejectReason.MALFORMED, "a watermark record has " + WATERMARK_LENGTH
                    + " bytes, this one " + length);
        }
        int flags = Short.toUnsignedInt(b.getShort(OFFSET_FLAGS));
        return new AgentWatermark(b.getLong(OFFSET_CAPTURE_TIME), b.getLong(HEADER_LENGTH),
                (flags & FLAG_LAST_WATERMARK) != 0);
    }

    /** Bounds-checked sequential reads over one record. */
    private static final class Cursor {
        private final ByteBuffer b;
        private final int end;
        private int position;

        Cursor(ByteBuffer b, int position, int end) {
            this.b = b;
            this.position = position;
            this.end = end;
        }

        private void need(int n, String what) throws CorruptRecordException {
            if (n > end - position) {
                throw new CorruptRecordException(RejectReason.MALFORMED,
                        what + " needs " + n + " bytes at offset " + position + ", only " + (end - position) + " left");
            }
        }

        CorruptRecordException malformed(String message) {
            return new CorruptRecordException(RejectReason.MALFORMED, message + " (offset " + position + ")");
        }

        int u8(String what) throws CorruptRecordException {
            need(1, what);
            return Byte.toUnsignedInt(b.get(position++));
        }

        int u16(String what) throws CorruptRecordException {
            need(2, what);
            int v = Short.toUnsignedInt(b.getShort(position));
            position += 2;
            return v;
        }

        int i32(String what) throws CorruptRecordException {
            need(4, what);
            int v = b.getInt(position);
            position += 4;
            return v;
        }

        long i64(String what) throws CorruptRecordException {
            need(8, what);
            long v = b.getLong(position);
            position += 8;
            return v;
        }

        String string(String what) throws CorruptRecordException {
            int n = u16(what + " length");
            need(n, what);
            byte[] utf8 = new byte[n];
            b.get(position, utf8);
            position += n;
            return new String(utf8, StandardCharsets.UTF_8);
        }

        ByteBuffer bytes(int n, String what) throws CorruptRecordException {
            need(n, what);
            ByteBuffer view = b.slice(position, n).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
            position += n;
            return view;
        }
    }
}
