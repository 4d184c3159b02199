package io.infermon.capture;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * A starting agent's watermark, kept in a small file of its queue directory until the agent's queue is open.
 *
 * <p>The agent starts Chronicle Queue only when the host captures its first call (Chronicle's start, about a thousand
 * classes, would otherwise compete with the host's own start). Until then the queue cannot say that an agent is
 * writing to it, and a processor reading other queues would close buckets that this agent's first calls, waiting in
 * its ring for the queue, still belong to. So the agent writes this file before any call can start, and rewrites it
 * while it waits for its first call; the processor counts it as one more agent of the queue, with the file's
 * watermark. Once the queue is open, the agent's watermark records carry on from the same value and the file is
 * deleted.
 *
 * <p>Content: exactly one watermark record as {@link CaptureCodec#encodeWatermark} writes it (header, checksum), so
 * the processor checks it as it checks the queue's. Name: {@code starting-<pid>-<agent start, epoch nanos>.watermark}
 * (docs/wire-format.md). Written to a temporary name and renamed over the file, so a reader never sees half of one.
 */
public final class StartingAgentFile {
    private static final String PREFIX = "starting-";
    private static final String SUFFIX = ".watermark";
    /** Files of this pattern, for a directory listing. */
    public static final String GLOB = PREFIX + "*" + SUFFIX;

    private StartingAgentFile() {
    }

    /** The file of the agent that started at {@code agentStartEpochNanos} in process {@code pid}. */
    public static Path of(Path queueDir, long pid, long agentStartEpochNanos) {
        return queueDir.resolve(PREFIX + pid + "-" + agentStartEpochNanos + SUFFIX);
    }

    /** Whether {@code file} is named as a starting agent's file. */
    public static boolean isOne(Path file) {
        String name = file.getFileName().toString();
        return name.startsWith(PREFIX) && name.endsWith(SUFFIX);
    }

    /** The process id in a starting agent's file name, or -1 when the name is not one. */
    public static long pidOf(Path file) {
        String name = file.getFileName().toString();
        int dash = name.indexOf('-', PREFIX.length());
        if (!isOne(file) || dash < 0) {
            return -1;
        }
        try {
            return Long.parseLong(name.substring(PREFIX.length(), dash));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * Writes {@code watermark} to {@code file}, replacing what it held. {@code scratch}: a little-endian buffer of at
     * least {@link CaptureCodec#WATERMARK_LENGTH} bytes the caller reuses.
     */
    public static void write(Path file, AgentWatermark watermark, ByteBuffer scratch, CRC32C crc) throws IOException {
        CaptureCodec.encodeWatermark(watermark, scratch, 0, crc);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, java.util.Arrays.copyOf(scratch.array(), CaptureCodec.WATERMARK_LENGTH));
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The watermark a starting agent's file holds; a damaged file is rejected like a damaged record. */
    public static AgentWatermark read(Path file) throws IOException, CorruptRecordException {
        byte[] bytes = Files.readAllBytes(file);
        return CaptureCodec.decodeWatermark(ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN));
    }

    /** The starting agents' files in {@code queueDir} (none when it does not exist). */
    public static List<Path> list(Path queueDir) throws IOException {
        List<Path> files = new ArrayList<>();
        if (!Files.isDirectory(queueDir)) {
            return files;
        }
        try (DirectoryStream<Path> found = Files.newDirectoryStream(queueDir, GLOB)) {
            found.forEach(files::add);
        }
        return files;
    }
}
