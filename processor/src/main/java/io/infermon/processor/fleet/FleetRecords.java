package io.infermon.processor.fleet;

import io.infermon.processor.bucket.ModelKey;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The records of the fleet's Kafka topics (docs/fleet.md, "Records"): on the profiles topic, a host's bucket
 * ({@link HostBucket}: a closed bucket's profile), a host's watermark ({@link HostWatermark}), a host's label window
 * ({@link HostLabelWindow}: its sufficient statistics), a host's label watermark ({@link HostLabelWatermark}) and a
 * host's agent health ({@link HostAgentHealth}); on the buckets topic, a closed fleet bucket ({@link FleetBucket}),
 * label window ({@link FleetLabelWindow}) or agent health bucket ({@link FleetAgentHealth}). Each is magic
 * {@code INFK}, a format version, a kind, the fields, and a CRC-32C of everything before it; a reader refuses another
 * version, a damaged record or a kind it does not know with a message, and the aggregator counts and skips it. Kinds 4
 * to 8 came after version 1 was out, as new kinds rather than a new version, so that an older aggregator skips them and
 * goes on with the buckets.
 */
public final class FleetRecords {
    public static final int VERSION = 1;
    private static final byte[] MAGIC = {'I', 'N', 'F', 'K'};
    private static final int HOST_BUCKET = 1;
    private static final int HOST_WATERMARK = 2;
    private static final int FLEET_BUCKET = 3;
    private static final int HOST_LABEL_WINDOW = 4;
    private static final int HOST_LABEL_WATERMARK = 5;
    private static final int FLEET_LABEL_WINDOW = 6;
    private static final int HOST_AGENT_HEALTH = 7;
    private static final int FLEET_AGENT_HEALTH = 8;
    /** The key of agent health records: one partition merges them all (agents are not per model). */
    static final byte[] AGENTS_KEY = "\u0000agents".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    private FleetRecords() {
    }

    /** A record of the profiles topic. */
    public sealed interface HostRecord permits HostBucket, HostWatermark, HostLabelWindow, HostLabelWatermark,
            HostAgentHealth {
        String host();
    }

    /** A record of the buckets topic. */
    public sealed interface FleetRecord permits FleetBucket, FleetLabelWindow, FleetAgentHealth {
        long startMillis();
    }

    /**
     * One host's label window: a prediction bucket of one model key at one maturity, as the host emitted it.
     *
     * @param window         the maturity's name ({@code label_window}: 1h, 1d...)
     * @param maturityMillis the maturity: the host emitted the window when its label clock reached end + this
     * @param statistics     {@code LabelWindowStatistics.encode}
     */
    public record HostLabelWindow(String host, ModelKey model, long startMillis, long endMillis, String window,
                                  long maturityMillis, byte[] statistics) implements HostRecord {
    }

    /**
     * How far a host has published its label windows: every window whose cutoff (bucket end plus maturity) is at or
     * before {@code millis} is on the topic, in this partition before this record.
     */
    public record HostLabelWatermark(String host, long millis) implements HostRecord {
    }

    /**
     * The agents' health of one host in one bucket: each {@code agent_*} counter summed over the host's agents (for
     * {@code capture_enabled}, the agents capturing at the bucket's end).
     */
    public record HostAgentHealth(String host, long startMillis, long endMillis, java.util.SortedMap<String, Long> counters)
            implements HostRecord {
    }

    /** A closed fleet label window: the hosts' statistics merged ({@code LabelWindowStatistics.encode}). */
    public record FleetLabelWindow(ModelKey model, long startMillis, long endMillis, String window,
                                   long maturityMillis, List<String> reporting, byte[] statistics)
            implements FleetRecord {
    }

    /** A closed fleet bucket of agent health: each counter summed over the hosts that sent one. */
    public record FleetAgentHealth(long startMillis, long endMillis, List<String> reporting,
                                   java.util.SortedMap<String, Long> counters) implements FleetRecord {
    }

    /**
     * One host's closed bucket of one model key.
     *
     * @param profile the bucket's profile as {@code ProfileCodec} writes it (model key, range, statistics)
     */
    public record HostBucket(String host, ModelKey model, long startMillis, long endMillis, byte[] profile)
            implements HostRecord {
    }

    /**
     * How far a host has published: the profile of every bucket of it that ends at or before {@code millis} is on the
     * topic, in this partition before this record. {@code last}: the host's processor stopped (it holds nothing back).
     */
    public record HostWatermark(String host, long millis, long widthMillis, boolean last) implements HostRecord {
    }

    /**
     * A closed fleet bucket: the merge of the hosts' profiles, and who reported.
     *
     * @param reporting hosts whose watermark passed the bucket (with calls in it or not), sorted
     * @param missing   hosts known to the fleet that had not, when the bucket closed (silent for the host timeout)
     * @param profile   the merged profile ({@code ProfileCodec}); hosts without calls add nothing to it
     */
    public record FleetBucket(ModelKey model, long startMillis, long endMillis, List<String> reporting,
                              List<String> missing, byte[] profile) implements FleetRecord {
    }

    /** The key of a model key's records: partitions keep each model key's buckets together. */
    public static byte[] key(ModelKey m) {
        return (m.name() + "\u0000" + m.version() + "\u0000" + m.signature())
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    public static byte[] encode(HostRecord r) {
        return write(out -> {
            if (r instanceof HostBucket b) {
                out.writeByte(HOST_BUCKET);
                out.writeUTF(b.host());
                writeModel(out, b.model());
                out.writeLong(b.startMillis());
                out.writeLong(b.endMillis());
                out.writeInt(b.profile().length);
                out.write(b.profile());
            } else if (r instanceof HostWatermark w) {
                out.writeByte(HOST_WATERMARK);
                out.writeUTF(w.host());
                out.writeLong(w.millis());
                out.writeLong(w.widthMillis());
                out.writeBoolean(w.last());
            } else if (r instanceof HostLabelWindow w) {
                out.writeByte(HOST_LABEL_WINDOW);
                out.writeUTF(w.host());
                writeLabelWindow(out, w.model(), w.startMillis(), w.endMillis(), w.window(), w.maturityMillis());
                out.writeInt(w.statistics().length);
                out.write(w.statistics());
            } else if (r instanceof HostLabelWatermark w) {
                out.writeByte(HOST_LABEL_WATERMARK);
                out.writeUTF(w.host());
                out.writeLong(w.millis());
            } else if (r instanceof HostAgentHealth h) {
                out.writeByte(HOST_AGENT_HEALTH);
                out.writeUTF(h.host());
                out.writeLong(h.startMillis());
                out.writeLong(h.endMillis());
                writeCounters(out, h.counters());
            }
        });
    }

    public static byte[] encode(FleetLabelWindow w) {
        return write(out -> {
            out.writeByte(FLEET_LABEL_WINDOW);
            writeLabelWindow(out, w.model(), w.startMillis(), w.endMillis(), w.window(), w.maturityMillis());
            writeHosts(out, w.reporting());
            out.writeInt(w.statistics().length);
            out.write(w.statistics());
        });
    }

    public static byte[] encode(FleetAgentHealth h) {
        return write(out -> {
            out.writeByte(FLEET_AGENT_HEALTH);
            out.writeLong(h.startMillis());
            out.writeLong(h.endMillis());
            writeHosts(out, h.reporting());
            writeCounters(out, h.counters());
        });
    }

    private static void writeLabelWindow(DataOutputStream out, ModelKey model, long start, long end, String window,
                                         long maturity) throws IOException {
        writeModel(out, model);
        out.writeLong(start);
        out.writeLong(end);
        out.writeUTF(window);
        out.writeLong(maturity);
    }

    private static void writeCounters(DataOutputStream out, java.util.SortedMap<String, Long> counters)
            throws IOException {
        out.writeInt(counters.size());
        for (java.util.Map.Entry<String, Long> c : counters.entrySet()) {
            out.writeUTF(c.getKey());
            out.writeLong(c.getValue());
        }
    }

    private static java.util.SortedMap<String, Long> readCounters(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > in.available()) {
            throw new IOException("implausible counter count " + n);
        }
        java.util.TreeMap<String, Long> counters = new java.util.TreeMap<>();
        for (int i = 0; i < n; i++) {
            counters.put(in.readUTF(), in.readLong());
        }
        return java.util.Collections.unmodifiableSortedMap(counters);
    }

    public static byte[] encode(FleetBucket b) {
        return write(out -> {
            out.writeByte(FLEET_BUCKET);
            writeModel(out, b.model());
            out.writeLong(b.startMillis());
            out.writeLong(b.endMillis());
            writeHosts(out, b.reporting());
            writeHosts(out, b.missing());
            out.writeInt(b.profile().length);
            out.write(b.profile());
        });
    }

    public static HostRecord decodeHostRecord(byte[] bytes) throws IOException {
        return read(bytes, in -> {
            int kind = in.readUnsignedByte();
            if (kind == HOST_BUCKET) {
                return new HostBucket(in.readUTF(), readModel(in), in.readLong(), in.readLong(), readBytes(in));
            }
            if (kind == HOST_WATERMARK) {
                return new HostWatermark(in.readUTF(), in.readLong(), in.readLong(), in.readBoolean());
            }
            if (kind == HOST_LABEL_WINDOW) {
                return new HostLabelWindow(in.readUTF(), readModel(in), in.readLong(), in.readLong(), in.readUTF(),
                        in.readLong(), readBytes(in));
            }
            if (kind == HOST_LABEL_WATERMARK) {
                return new HostLabelWatermark(in.readUTF(), in.readLong());
            }
            if (kind == HOST_AGENT_HEALTH) {
                return new HostAgentHealth(in.readUTF(), in.readLong(), in.readLong(), readCounters(in));
            }
            throw new IOException("record kind " + kind + " is not one of the profiles topic");
        });
    }

    public static FleetBucket decodeFleetBucket(byte[] bytes) throws IOException {
        return read(bytes, in -> {
            int kind = in.readUnsignedByte();
            if (kind != FLEET_BUCKET) {
                throw new IOException("record kind " + kind + " is not a fleet bucket");
            }
            return new FleetBucket(readModel(in), in.readLong(), in.readLong(), readHosts(in), readHosts(in),
                    readBytes(in));
        });
    }

    /** Any record of the buckets topic. */
    public static FleetRecord decodeFleetRecord(byte[] bytes) throws IOException {
        return read(bytes, in -> {
            int kind = in.readUnsignedByte();
            if (kind == FLEET_BUCKET) {
                return new FleetBucket(readModel(in), in.readLong(), in.readLong(), readHosts(in), readHosts(in),
                        readBytes(in));
            }
            if (kind == FLEET_LABEL_WINDOW) {
                return new FleetLabelWindow(readModel(in), in.readLong(), in.readLong(), in.readUTF(), in.readLong(),
                        readHosts(in), readBytes(in));
            }
            if (kind == FLEET_AGENT_HEALTH) {
                return new FleetAgentHealth(in.readLong(), in.readLong(), readHosts(in), readCounters(in));
            }
            throw new IOException("record kind " + kind + " is not one of the buckets topic");
        });
    }

    private interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    private interface Reader<T> {
        T read(DataInputStream in) throws IOException;
    }

    private static byte[] write(Writer body) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.write(MAGIC);
            out.writeByte(VERSION);
            body.write(out);
            CRC32C crc = new CRC32C();
            crc.update(bytes.toByteArray());
            out.writeInt((int) crc.getValue());
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory failed", e);
        }
        return bytes.toByteArray();
    }

    private static <T> T read(byte[] bytes, Reader<T> body) throws IOException {
        if (bytes == null || bytes.length < MAGIC.length + 1 + 4 || !Arrays.equals(bytes, 0, 4, MAGIC, 0, 4)) {
            throw new IOException("not an infermon fleet record (no INFK magic)");
        }
        if (bytes[4] != VERSION) {
            throw new IOException("fleet record format version " + bytes[4] + " is not supported (this build reads "
                    + VERSION + ")");
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        if ((int) crc.getValue() != ByteBuffer.wrap(bytes, bytes.length - 4, 4).getInt()) {
            throw new IOException("fleet record checksum mismatch: damaged");
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, 5, bytes.length - 9))) {
            T value = body.read(in);
            if (in.available() != 0) {
                throw new IOException(in.available() + " unexpected bytes at the end of a fleet record");
            }
            return value;
        } catch (EOFException e) {
            throw new IOException("fleet record ends early", e);
        }
    }

    private static void writeModel(DataOutputStream out, ModelKey m) throws IOException {
        out.writeUTF(m.name());
        out.writeUTF(m.version());
        out.writeUTF(m.signature());
    }

    private static ModelKey readModel(DataInputStream in) throws IOException {
        return new ModelKey(in.readUTF(), in.readUTF(), in.readUTF());
    }

    private static void writeHosts(DataOutputStream out, List<String> hosts) throws IOException {
        out.writeInt(hosts.size());
        for (String h : hosts) {
            out.writeUTF(h);
        }
    }

    private static List<String> readHosts(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > 1_000_000) {
            throw new IOException("implausible host count " + n);
        }
        List<String> hosts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            hosts.add(in.readUTF());
        }
        return List.copyOf(hosts);
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > in.available()) {
            throw new IOException("a length of " + n + " bytes where " + in.available() + " are left");
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }
}
