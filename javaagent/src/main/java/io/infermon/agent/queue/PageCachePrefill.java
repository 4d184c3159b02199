package io.infermon.agent.queue;

import io.infermon.agent.util.AgentLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.MappedBytes;
import net.openhft.chronicle.bytes.MappedFile;

/**
 * Puts the pages ahead of the queue's write position into the page cache by writing zeros to them through the file,
 * so that the writer's first touch of a page through Chronicle's memory mapping finds it there.
 *
 * <p>Why: a cycle file is sparse, and when a mapping touches a page that is not in the page cache the kernel reads
 * around it as for a file read, {@code read_ahead_kb} of the device, zero-filling the holes at once on the faulting
 * thread. It also marks a page of that window; touching the mark starts the next window's read-ahead, which marks a
 * page of its own, so a mapping written front to back reads ahead in windows for as long as it is written. With the
 * 8 MiB read-ahead of the benchmark machine's disk that was a 1 to 4 ms burst on the writer thread about twice a second
 * at 19 MB/s of records, long enough to delay an inference thread waiting for that core (docs/operations.md, "The
 * queue disk's read-ahead"). A write of whole pages does not read ahead: it puts the pages in the page cache, zeroed,
 * {@link #STEP} bytes at a time. And a read-ahead window whose pages are all in the page cache already reads nothing
 * and marks nothing, which ends the chain: so the pages are kept present up to {@link #AHEAD} bytes ahead, twice a
 * read-ahead of 8 MiB. The same pages are zeroed as before, in small steps instead of 8 MiB at once. (Each new cycle
 * file still starts with one read-around, where Chronicle writes its header before any record.) Java 17 cannot reach
 * {@code madvise} or {@code fadvise}, which would say the same to the kernel.
 *
 * <p>How far ahead follows the traffic: {@link #AHEAD_SECONDS} seconds of records at the rate of the last second, at
 * most {@link #AHEAD}. Zeros written past a cycle's last record stay on disk in that file (Chronicle does not
 * shrink a finished cycle file), so a quiet service leaves seconds of records' worth there rather than 16 MiB per
 * cycle. The chain of read-ahead windows is ended only when more than a window is present ahead, at about 4 MB/s of
 * records and more with an 8 MiB read-ahead; below that the windows come seldom (one per two seconds and rarer).
 *
 * <p>Why it is safe: only zeros are written, only past the end of the record just written, and only while that
 * record's document is open, that is while this appender holds the queue's write lock. Past the end of the last record
 * a queue file holds zeros (a sparse hole reads as zeros), and no other appender (another agent writing to the same
 * queue) writes there before the lock is released. Chronicle only ever grows a cycle file, so zeros are written only
 * below the file's current size: the file's length stays Chronicle's (its 16 MiB overlap past the mapped chunk leaves
 * room for {@link #AHEAD}).
 *
 * <p>The writes go through a channel of its own on the cycle file, not Chronicle's: an interrupted channel is closed,
 * and this one's closing must not take Chronicle's mapping with it. The zeros take disk space before the records do,
 * so they come out of the writer's disk budget; a failed write (a full disk) stops the prefill for that cycle file,
 * and the mapping then faults the pages in as it would without this class.
 */
final class PageCachePrefill {
    /** Bytes written per step: 32 pages, some tens of microseconds of zeroing. */
    static final int STEP = 128 << 10;
    /** How far ahead of the write position the pages are kept in the page cache: twice an 8 MiB read-ahead. */
    static final int AHEAD = 16 << 20;
    /** How many seconds of records, at the last second's rate, are kept ahead (at most {@link #AHEAD}). */
    static final int AHEAD_SECONDS = 2;
    /** Steps at most per record, so that catching up (a new cycle file, a large record) is spread over records. */
    static final int MAX_STEPS_PER_RECORD = 8;
    private static final long PAGE = 4096;

    private ByteBuffer zeros;
    /** The cycle file being filled ahead, and the end of what is filled; {@link Long#MAX_VALUE} when stopped for it. */
    private MappedFile file;
    private FileChannel channel;
    private long filledTo;
    private long steps;
    /**
     * Bytes of records appended in the current second and in the one before, by the writer's once-a-second tick
     * ({@link #nextSecond}): the rate that sets how far ahead.
     */
    private long bytesThisSecond;
    private long bytesLastSecond;

    /**
     * Fills ahead of {@code bytes}' write position if less than {@link #distance} is filled, by at most
     * {@link #MAX_STEPS_PER_RECORD} steps and at most {@code budget} bytes. Call inside an appender's document, after
     * the record's {@code recordLength} bytes are written. Never throws: a failure stops the prefill for the file.
     *
     * @return the bytes written, which take disk space
     */
    long ahead(Bytes<?> bytes, int recordLength, long budget) {
        if (!(bytes instanceof MappedBytes mapped)) {
            return 0; // not a mapped file: nothing to fault
        }
        long distance = distance(recordLength);
        long end = mapped.writePosition();
        MappedFile current = mapped.mappedFile();
        if (current != file) {
            switchTo(current, end);
        }
        if (filledTo - end >= distance) {
            return 0;
        }
        long from = Math.max(filledTo, end);
        long start = from;
        long limit = budget > Long.MAX_VALUE - start ? Long.MAX_VALUE : start + budget;
        try {
            long size = channel.size();
            for (int step = 0; step < MAX_STEPS_PER_RECORD && from - end < distance; step++) {
                // whole pages after the first; never past the file's end (Chronicle grows it when it maps its next
                // chunk) nor past the budget
                long to = Math.min(Math.min(((from + STEP) / PAGE) * PAGE, size), limit);
                if (to <= from) {
                    break;
                }
                if (zeros == null) {
                    zeros = ByteBuffer.allocateDirect(STEP);
                }
                zeros.clear().limit((int) (to - from));
                while (zeros.hasRemaining()) {
                    channel.write(zeros, from + zeros.position());
                }
                from = to;
                steps++;
            }
            filledTo = from;
        } catch (Throwable e) { // a full disk, an interrupt, no direct memory for the zeros: the record is kept
            AgentLog.once("prefill", "cannot write ahead in " + file.file() + " (" + e + "); the queue's pages are "
                    + "faulted in by its mapping instead");
            stopForThisFile();
        }
        return from - start;
    }

    /** Counts a record of {@code recordLength} bytes; how far ahead to fill: {@link #AHEAD_SECONDS} of records. */
    long distance(int recordLength) {
        bytesThisSecond += recordLength;
        return Math.min(AHEAD, AHEAD_SECONDS * Math.max(bytesLastSecond, bytesThisSecond));
    }

    /** The writer's second has passed: the rate is now the bytes of the second just ended (none if it was quiet). */
    void nextSecond() {
        bytesLastSecond = bytesThisSecond;
        bytesThisSecond = 0;
    }

    private void switchTo(MappedFile current, long end) {
        closeChannel();
        file = current;
        filledTo = end; // past the end of the last record: zeros, whatever is already in the page cache
        try {
            channel = FileChannel.open(current.file().toPath(), StandardOpenOption.WRITE);
        } catch (Throwable e) {
            AgentLog.once("prefill", "cannot open " + current.file() + " to write ahead (" + e + "); the queue's "
                    + "pages are faulted in by its mapping instead");
            stopForThisFile();
        }
    }

    private void stopForThisFile() {
        filledTo = Long.MAX_VALUE;
        closeChannel();
    }

    /** How many steps were written, for tests. */
    long steps() {
        return steps;
    }

    /** The end of what is filled ahead in the current file. */
    long filledTo() {
        return filledTo;
    }

    /**
     * Lets go of {@code deleted} if it is the file being filled ahead: retention deletes old cycle files, and an open
     * channel would keep a deleted file's disk space until the next record (a service gone idle may write none for
     * hours while its health records roll the cycles).
     */
    void release(java.io.File deleted) {
        if (file != null && file.file().getName().equals(deleted.getName())) {
            close();
        }
    }

    /** Closes the channel and forgets the file: the queue is being closed. */
    void close() {
        closeChannel();
        file = null;
    }

    private void closeChannel() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // a channel that wrote nothing but zeros: nothing to lose
            }
            channel = null;
        }
    }
}
