package io.infermon.processor.profile;

import io.infermon.anodot.AnodotFiles;
import io.infermon.processor.bucket.ModelKey;
import io.infermon.processor.stats.BucketStatistics;
import io.infermon.processor.stats.SketchForm;
import io.infermon.processor.stats.StatisticsSettings;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Reads and writes profile files (docs/profile-format.md): magic {@code INFP}, a format version, the model key and
 * time range, the statistics with their DataSketches sketches in the sketches' own serialized forms, and a CRC-32C
 * of everything before it.
 *
 * <p>Version 2 writes KLL sketches in a compact form (about a sixth of DataSketches' own; docs/profile-format.md
 * states the value error it adds). It is the only version written; version 1 (every sketch in DataSketches' form)
 * is still read, since profiles, references and the fleet's topics keep files and records of earlier builds. A
 * reader refuses any other version with a message that says so.
 */
public final class ProfileCodec {
    public static final String EXTENSION = ".profile";
    public static final int VERSION = 2;
    /** The oldest version this build reads: version 2 only added a form of a sketch, so the reader serves both. */
    public static final int OLDEST_READABLE_VERSION = 1;
    private static final byte[] MAGIC = {'I', 'N', 'F', 'P'};

    private ProfileCodec() {
    }

    /** The profile as it leaves the process (files, Kafka): KLL sketches in the compact form. */
    public static byte[] encode(BucketProfile p) {
        return encode(p, SketchForm.COMPACT);
    }

    /**
     * The profile with its KLL sketches in {@code form}: {@link SketchForm#FULL} for a checkpoint, which must give
     * back the very sketches it was written from.
     */
    public static byte[] encode(BucketProfile p, SketchForm form) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.write(MAGIC);
            out.writeByte(VERSION);
            out.writeUTF(p.model().name());
            out.writeUTF(p.model().version());
            out.writeUTF(p.model().signature());
            out.writeLong(p.startMillis());
            out.writeLong(p.endMillis());
            StatisticsSettings s = p.statistics().settings();
            out.writeDouble(s.binaryThreshold());
            out.writeInt(s.maxFeatures());
            p.statistics().writeTo(out, form);
            CRC32C crc = new CRC32C();
            crc.update(bytes.toByteArray());
            out.writeInt((int) crc.getValue());
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory failed", e);
        }
        return bytes.toByteArray();
    }

    public static BucketProfile decode(byte[] bytes) throws IOException {
        if (bytes.length < MAGIC.length + 1 + 4 || !Arrays.equals(bytes, 0, 4, MAGIC, 0, 4)) {
            throw new IOException("not an infermon profile (no INFP magic)");
        }
        if (bytes[4] < OLDEST_READABLE_VERSION || bytes[4] > VERSION) {
            throw new IOException("profile format version " + bytes[4] + " is not supported (this build reads "
                    + OLDEST_READABLE_VERSION + " to " + VERSION + ")");
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        if ((int) crc.getValue() != ByteBuffer.wrap(bytes, bytes.length - 4, 4).getInt()) {
            throw new IOException("profile checksum mismatch: the file is damaged or truncated");
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, 5, bytes.length - 9))) {
            ModelKey model = new ModelKey(in.readUTF(), in.readUTF(), in.readUTF());
            long start = in.readLong();
            long end = in.readLong();
            StatisticsSettings settings = new StatisticsSettings(in.readDouble(), in.readInt());
            BucketStatistics statistics = BucketStatistics.readFrom(in, settings);
            if (in.available() != 0) {
                throw new IOException(in.available() + " unexpected bytes after the statistics");
            }
            return new BucketProfile(model, start, end, statistics);
        } catch (EOFException e) {
            throw new IOException("profile ends early", e);
        } catch (IllegalArgumentException e) {
            throw new IOException("bad profile: " + e.getMessage(), e);
        }
    }

    public static BucketProfile read(Path file) throws IOException {
        try {
            return decode(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /** Writes to a temporary file beside {@code file}, forces it to disk and renames it: never half a profile. */
    public static void write(Path file, BucketProfile p) throws IOException {
        AnodotFiles.writeAtomically(file, encode(p));
    }
}
