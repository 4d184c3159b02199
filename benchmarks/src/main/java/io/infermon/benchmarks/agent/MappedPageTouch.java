package io.infermon.benchmarks.agent;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * What the first write to a page through a shared file mapping costs on this machine: the agent's writer appends
 * every record through Chronicle's mapping of the cycle file, so each new page of the queue is such a first write
 * (a batch-64 digits record is about five pages). Four ways the page can be before the write:
 *
 * <ul>
 *   <li>{@code sparse}: a hole of the file, not in the page cache (the kernel reads around it, as for a file read);
 *   <li>{@code written}: zeros written through the file first, as the writer's {@code PageCachePrefill} does (in the
 *       page cache, not yet mapped);
 *   <li>{@code read}: as {@code written}, then read through the mapping ({@link MappedByteBuffer#load}, whose time is
 *       printed as {@code load}): mapped, but read-only, so the write still faults;
 *   <li>{@code mapped}: already written once through this mapping (the cost of the write itself).
 * </ul>
 *
 * <pre>MappedPageTouch FILE [MiB]</pre>
 *
 * FILE is created (and deleted at the end) on the disk to measure; prints one line per way, twice each, in
 * microseconds per page.
 */
public final class MappedPageTouch {
    private static final int PAGE = 4096;

    private MappedPageTouch() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        long size = (args.length > 1 ? Long.parseLong(args[1]) : 128) << 20;
        try {
            for (int round = 0; round < 2; round++) {
                for (String way : new String[] {"sparse", "written", "read", "mapped"}) {
                    System.out.printf("%-8s %6.2f us per page%n", way, microsPerPage(file, size, way));
                }
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static double microsPerPage(Path file, long size, String way) throws Exception {
        Files.deleteIfExists(file);
        try (RandomAccessFile sparse = new RandomAccessFile(file.toFile(), "rw")) {
            sparse.setLength(size);
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            if (!way.equals("sparse")) {
                ByteBuffer zeros = ByteBuffer.allocateDirect(128 << 10);
                for (long at = 0; at < size; at += zeros.capacity()) {
                    zeros.clear();
                    while (zeros.hasRemaining()) {
                        channel.write(zeros, at + zeros.position());
                    }
                }
            }
            MappedByteBuffer mapping = channel.map(FileChannel.MapMode.READ_WRITE, 0, size);
            if (way.equals("read")) {
                long start = System.nanoTime();
                mapping.load();
                double micros = (System.nanoTime() - start) / 1e3 / (size / PAGE);
                System.out.printf("%-8s %6.2f us per page%n", "load", micros);
            }
            if (way.equals("mapped")) {
                writeEveryPage(mapping, size, (byte) 2);
            }
            long start = System.nanoTime();
            writeEveryPage(mapping, size, (byte) 1);
            return (System.nanoTime() - start) / 1e3 / (size / PAGE);
        }
    }

    private static void writeEveryPage(MappedByteBuffer mapping, long size, byte value) {
        for (int at = 0; at < size; at += PAGE) {
            mapping.put(at, value);
        }
    }
}
