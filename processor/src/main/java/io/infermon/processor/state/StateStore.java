package io.infermon.processor.state;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;
import java.util.stream.Stream;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.Env;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.RocksMemEnv;
import org.rocksdb.Statistics;
import org.rocksdb.TickerType;
import org.rocksdb.WBWIRocksIterator;
import org.rocksdb.WriteBatchWithIndex;
import org.rocksdb.WriteOptions;

/**
 * The processor's durable state in an embedded RocksDB ({@code OUT/state}): the checkpoint (queue positions, open
 * buckets, ...) under one key, and the large stores (the label join's predictions) in their own column families.
 *
 * <p>Changes collect in a small {@link WriteBatchWithIndex}, which reads see on top of the database, and are written
 * on ({@linkplain #put spilled}) in batches of about a megabyte as they come, without waiting for the disk; RocksDB
 * writes its log back in the background ({@code wal_bytes_per_sync}). {@link #commit} writes the rest with the
 * checkpoint as one write whose log is forced to disk: since the log is sequential, everything spilled before it is
 * durable with it. So a checkpoint costs the changes of the last megabyte or so and one fsync, not the changes since
 * the last checkpoint, and nothing in proportion to the store.
 *
 * <p>Spilled changes are in the database before the checkpoint that covers them is. After a crash, the database may
 * hold changes made after the last checkpoint; the owner of the data undoes them when it restores that checkpoint
 * (the label store writes only new keys between checkpoints and records in each checkpoint where they start: see
 * {@code labels.PredictionStore}). One write batch per boundary, with no spills, would make the undo unnecessary but
 * put all of a boundary's changes on the checkpoint's path (measured: about 1 s for 170,000 new predictions); RocksDB
 * checkpoints (hard-linked copies of the database) flush every memtable at every boundary and leave a directory per
 * boundary to keep consistent with the queue positions.
 *
 * <p>Not thread-safe: the processor's loop alone uses it. {@link #readCheckpoint} reads another process's store.
 */
public final class StateStore implements AutoCloseable {
    static {
        RocksDB.loadLibrary();
    }

    /** The directory of the state store under a processor's output directory. */
    public static final String DIR_NAME = "state";
    private static final byte[] CHECKPOINT_KEY = "checkpoint".getBytes(StandardCharsets.US_ASCII);

    /** The column families, one per kind of key; the checkpoint is in RocksDB's default one. */
    public enum Family {
        /** The label join's predictions by insertion sequence (oldest first: eviction and expiry order). */
        PREDICTIONS("predictions"),
        /** Prediction id to its sequence. */
        PREDICTION_IDS("prediction_ids"),
        /** The labels joined to each prediction: (its sequence, the label's sequence) to the label. */
        LABELS("labels"),
        /** The label's sequence to its prediction's, for labels not yet covered by a checkpoint. */
        LABEL_LOG("label_log");

        final String name;

        Family(String name) {
            this.name = name;
        }
    }

    private final Path dir;
    private final Env env;
    private final Statistics statistics;
    private final LRUCache cache = new LRUCache(64L << 20);
    private final WriteBatchWithIndex batch = new WriteBatchWithIndex(true);
    private final ReadOptions readOptions = new ReadOptions();
    private final WriteOptions syncWrite = new WriteOptions().setSync(true);
    private final WriteOptions plainWrite = new WriteOptions();
    private final List<AutoCloseable> openResources = new ArrayList<>();
    private final List<AutoCloseable> familyResources = new ArrayList<>();
    private DBOptions dbOptions;
    private RocksDB db;
    private ColumnFamilyHandle defaultFamily;
    private final Map<Family, ColumnFamilyHandle> families = new EnumMap<>(Family.class);
    /** Whether the database holds nothing that the batch does not (it was emptied and never opened since). */
    private boolean emptyBeneath;
    /**
     * Pending changes are written on once they are this large: a megabyte, or what the testing switch
     * {@code -Dinfermon.testing.state_spill_bytes} says (the crash tests make it small, so that a processor killed
     * between two checkpoints has written changes that its restart must undo).
     */
    private long spillBytes = Long.getLong("infermon.testing.state_spill_bytes", 1L << 20);
    /** After a spill failed (a full disk), the next one waits for this much more: the commit will retry anyway. */
    private long spillAt = spillBytes;
    private long commits;

    private StateStore(Path dir, Env env, boolean withStatistics) {
        this.dir = dir;
        this.env = env;
        this.statistics = withStatistics ? new Statistics() : null;
    }

    /** The state store of the processor writing to {@code outDir}. */
    public static Path dir(Path outDir) {
        return outDir.resolve(DIR_NAME);
    }

    /**
     * Opens the store in {@code dir}, created owner-only when missing.
     *
     * @param keep false to start afresh: whatever the directory held is deleted first. A fresh store that cannot be
     *             opened yet (a full disk) is opened by the first {@link #commit}; until then it reads as empty.
     */
    public static StateStore onDisk(Path dir, boolean keep) throws IOException {
        return onDisk(dir, keep, false);
    }

    /** As {@link #onDisk(Path, boolean)}, counting RocksDB's statistics (for the benchmarks). */
    public static StateStore onDisk(Path dir, boolean keep, boolean withStatistics) throws IOException {
        StateStore s = new StateStore(dir.toAbsolutePath(), Env.getDefault(), withStatistics);
        if (!keep) {
            deleteTree(s.dir);
            s.emptyBeneath = true;
        }
        try {
            s.open();
        } catch (IOException e) {
            if (keep) {
                s.close();
                throw e;
            }
            s.closeDatabase(); // a fresh store on a full disk: the first commit tries again
        }
        return s;
    }

    /**
     * The store of a processor that continues from a checkpoint ({@code restoring}) or starts afresh. Continuing,
     * the store is kept when it holds a checkpoint (the one being restored); when it holds none, the checkpoint came
     * from an older build's {@code OUT/checkpoint}, and the store starts empty to be filled from it.
     */
    public static StateStore forCheckpoint(Path dir, boolean restoring) throws IOException {
        if (!restoring) {
            return onDisk(dir, false);
        }
        StateStore s = onDisk(dir, true);
        if (s.checkpoint() == null) {
            s.close();
            return onDisk(dir, false);
        }
        return s;
    }

    /**
     * A store in memory (RocksDB's in-memory environment, off the Java heap), for runs that keep no state across
     * restarts ({@code --no-checkpoint}) and for tests; gone when closed.
     */
    public static StateStore inMemory() {
        StateStore s = new StateStore(Path.of("/infermon-state"), new RocksMemEnv(Env.getDefault()), false);
        s.openResources.add(s.env);
        s.emptyBeneath = true;
        try {
            s.open();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return s;
    }

    private void open() throws IOException {
        if (env == Env.getDefault()) {
            Files.createDirectories(dir.getParent());
            if (!Files.isDirectory(dir)) {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")));
            }
        }
        if (dbOptions != null) {
            dbOptions.close();
        }
        dbOptions = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true).setEnv(env)
                // no space reserved ahead (WAL and MANIFEST preallocation would take megabytes of a small disk)
                .setAllowFAllocate(false).setManifestPreallocationSize(64 << 10)
                .setInfoLogLevel(InfoLogLevel.WARN_LEVEL).setMaxLogFileSize(1 << 20).setKeepLogFileNum(2)
                // the log is flushed into tables once it holds this much, so a restart replays little
                .setMaxTotalWalSize(256L << 20)
                // spilled writes reach the disk in the background, so the checkpoint's fsync finds little to do
                .setWalBytesPerSync(1 << 20);
        if (statistics != null) {
            dbOptions.setStatistics(statistics);
        }
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, familyOptions()));
        for (Family f : Family.values()) {
            descriptors.add(new ColumnFamilyDescriptor(f.name.getBytes(StandardCharsets.US_ASCII), familyOptions()));
        }
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try {
            db = RocksDB.open(dbOptions, dir.toString(), descriptors, handles);
        } catch (RocksDBException e) {
            closeFamilyOptions();
            dbOptions.close();
            dbOptions = null;
            throw new IOException("cannot open the state store " + dir + ": " + e.getMessage(), e);
        }
        defaultFamily = handles.get(0);
        for (Family f : Family.values()) {
            families.put(f, handles.get(1 + f.ordinal()));
        }
        emptyBeneath = false;
    }

    private ColumnFamilyOptions familyOptions() {
        BloomFilter bloom = new BloomFilter(10);
        // point reads (an id, a sequence) mostly miss or hit one key: a Bloom filter skips the tables that
        // cannot hold it
        BlockBasedTableConfig table = new BlockBasedTableConfig().setBlockCache(cache).setFilterPolicy(bloom);
        ColumnFamilyOptions options = new ColumnFamilyOptions().setTableFormatConfig(table)
                .setCompressionType(CompressionType.LZ4_COMPRESSION).setWriteBufferSize(32L << 20);
        familyResources.add(bloom);
        familyResources.add(options);
        return options;
    }

    private void closeFamilyOptions() {
        familyResources.forEach(StateStore::closeQuietly);
        familyResources.clear();
    }

    private static void closeQuietly(AutoCloseable r) {
        try {
            r.close();
        } catch (Exception ignored) {
            // native handles: nothing to report
        }
    }

    private void ensureOpen() throws IOException {
        if (db == null) {
            open();
        }
    }

    // ---- reading and writing, through the pending batch ----

    /** The value of {@code key}, as the pending batch leaves it; null when absent. */
    public byte[] get(Family family, byte[] key) throws IOException {
        try {
            if (db == null && emptyBeneath) {
                return batch.getFromBatch(dbOptions(), familyKey(family, key));
            }
            ensureOpen();
            return batch.getFromBatchAndDB(db, families.get(family), readOptions, key);
        } catch (RocksDBException e) {
            throw new IOException("state store " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Sets a key. Durable with the next {@link #commit}; reaches the database before it when the owner calls
     * {@link #spillIfLarge} (see the class comment).
     */
    public void put(Family family, byte[] key, byte[] value) throws IOException {
        try {
            if (db == null && emptyBeneath) {
                batch.put(familyKey(family, key), value);
            } else {
                ensureOpen();
                batch.put(families.get(family), key, value);
            }
        } catch (RocksDBException e) {
            throw new IOException("state store " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Deletes a key; like {@link #put}. */
    public void delete(Family family, byte[] key) throws IOException {
        try {
            if (db == null && emptyBeneath) {
                batch.delete(familyKey(family, key));
            } else {
                ensureOpen();
                batch.delete(families.get(family), key);
            }
        } catch (RocksDBException e) {
            throw new IOException("state store " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes the pending changes on to the database (not forced to disk) once they are large. The owner calls it
     * between whole changes, never inside one: what reaches the database before a crash is then a sequence of
     * whole changes, which the owner knows how to undo.
     */
    public void spillIfLarge() {
        if (db == null || batch.getWriteBatch().getDataSize() < spillAt) {
            return;
        }
        try {
            db.write(plainWrite, batch);
            batch.clear();
            spillAt = spillBytes;
        } catch (RocksDBException e) {
            // a full disk: the changes stay in the batch (reads still see them); the commit tries again, in the
            // processor's retry loop
            spillAt += spillBytes;
        }
    }

    /**
     * Calls {@code visit} with each key that starts with {@code prefix} and its value, in key order, as the pending
     * batch leaves them, until it returns false.
     */
    public void scan(Family family, byte[] prefix, BiPredicate<byte[], byte[]> visit) throws IOException {
        scan(family, prefix, visit, true);
    }

    private void scan(Family family, byte[] prefix, BiPredicate<byte[], byte[]> visit, boolean wholePrefix)
            throws IOException {
        if (db == null && emptyBeneath) {
            scanBatchOnly(family, prefix, visit, wholePrefix);
            return;
        }
        ensureOpen();
        try (ReadOptions ro = new ReadOptions();
             RocksIterator base = db.newIterator(families.get(family), ro);
             RocksIterator it = batch.newIteratorWithBase(families.get(family), base, ro)) {
            for (it.seek(prefix); it.isValid(); it.next()) {
                byte[] key = it.key();
                if ((wholePrefix && !startsWith(key, prefix)) || !visit.test(key, it.value())) {
                    break;
                }
            }
            it.status();
        } catch (RocksDBException e) {
            throw new IOException("state store " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Calls {@code visit} with each of {@code keys} (ascending) that is present and its value, as the pending batch
     * leaves it, in that order. One iterator walks them, so keys that follow each other cost a step, not a search.
     */
    public void getAll(Family family, List<byte[]> keys, java.util.function.BiConsumer<byte[], byte[]> visit)
            throws IOException {
        if (keys.isEmpty()) {
            return;
        }
        if (db == null && emptyBeneath) {
            for (byte[] k : keys) {
                byte[] v = get(family, k);
                if (v != null) {
                    visit.accept(k, v);
                }
            }
            return;
        }
        ensureOpen();
        try (ReadOptions ro = new ReadOptions();
             RocksIterator base = db.newIterator(families.get(family), ro);
             RocksIterator it = batch.newIteratorWithBase(families.get(family), base, ro)) {
            boolean positioned = false;
            for (byte[] k : keys) {
                if (!positioned || !it.isValid() || !Arrays.equals(it.key(), k)) {
                    it.seek(k);
                }
                positioned = true;
                if (it.isValid() && Arrays.equals(it.key(), k)) {
                    visit.accept(k, it.value());
                    it.next();
                }
            }
            it.status();
        } catch (RocksDBException e) {
            throw new IOException("state store " + dir + ": " + e.getMessage(), e);
        }
    }

    /*
     * Before the database could first be opened (a fresh store on a full disk), the batch holds every key, each
     * prefixed with its family's ordinal; the first commit moves them into their families.
     */
    private static byte[] familyKey(Family family, byte[] key) {
        byte[] k = new byte[key.length + 1];
        k[0] = (byte) family.ordinal();
        System.arraycopy(key, 0, k, 1, key.length);
        return k;
    }

    private void scanBatchOnly(Family family, byte[] prefix, BiPredicate<byte[], byte[]> visit,
                               boolean wholePrefix) {
        byte[] start = familyKey(family, prefix);
        byte[] familyPrefix = {(byte) family.ordinal()};
        try (WBWIRocksIterator it = batch.newIterator()) {
            for (it.seek(start); it.isValid(); it.next()) {
                WBWIRocksIterator.WriteEntry e = it.entry();
                byte[] key = bytes(e.getKey().data());
                if (!startsWith(key, wholePrefix ? start : familyPrefix)) {
                    break;
                }
                if (e.getType() == WBWIRocksIterator.WriteType.PUT
                        && !visit.test(Arrays.copyOfRange(key, 1, key.length), bytes(e.getValue().data()))) {
                    break;
                }
            }
        }
    }

    private static byte[] bytes(java.nio.ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.get(a);
        return a;
    }

    private DBOptions dbOptions() {
        if (dbOptions == null) {
            dbOptions = new DBOptions(); // only for reading the batch; replaced when the database opens
        }
        return dbOptions;
    }

    private static boolean startsWith(byte[] key, byte[] prefix) {
        return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }

    // ---- the checkpoint ----

    /**
     * Writes the pending changes and {@code checkpoint} (when not null) as one atomic batch, after every change
     * spilled before. With {@code durable} the write-ahead log is forced to disk before this returns, which makes
     * the spilled changes durable too. On failure nothing is written and the pending changes stay, to be committed
     * again.
     */
    public void commit(byte[] checkpoint, boolean durable) throws IOException {
        try {
            if (db == null) {
                open();
                if (batch.count() > 0) {
                    moveBatchIntoFamilies();
                }
            }
            if (checkpoint != null) {
                batch.put(defaultFamily, CHECKPOINT_KEY, checkpoint);
            }
            db.write(durable ? syncWrite : plainWrite, batch);
            batch.clear();
            spillAt = spillBytes;
            commits++;
        } catch (RocksDBException e) {
            // a failed write may leave RocksDB refusing writes until reopened; the batch is intact
            closeDatabase();
            throw new IOException("cannot write the state store " + dir + ": " + e.getMessage(), e);
        }
    }

    private void moveBatchIntoFamilies() throws RocksDBException {
        List<byte[][]> entries = new ArrayList<>();
        List<Boolean> puts = new ArrayList<>();
        try (WBWIRocksIterator it = batch.newIterator()) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                WBWIRocksIterator.WriteEntry e = it.entry();
                entries.add(new byte[][] {bytes(e.getKey().data()),
                        e.getType() == WBWIRocksIterator.WriteType.PUT ? bytes(e.getValue().data()) : null});
                puts.add(e.getType() == WBWIRocksIterator.WriteType.PUT);
            }
        }
        batch.clear();
        for (int i = 0; i < entries.size(); i++) {
            byte[] k = entries.get(i)[0];
            ColumnFamilyHandle h = families.get(Family.values()[k[0]]);
            byte[] key = Arrays.copyOfRange(k, 1, k.length);
            if (puts.get(i)) {
                batch.put(h, key, entries.get(i)[1]);
            } else {
                batch.delete(h, key);
            }
        }
    }

    /**
     * Writes pending changes on once they take this many bytes (a megabyte unless set): tests make it small so that
     * changes reach the database between checkpoints, as they do at volume.
     */
    public StateStore spillAfter(long bytes) {
        this.spillBytes = bytes;
        this.spillAt = bytes;
        return this;
    }

    /** Successful {@link #commit}s since the store was opened. */
    public long commits() {
        return commits;
    }

    /** The last committed checkpoint, or null. */
    public byte[] checkpoint() throws IOException {
        if (db == null && emptyBeneath) {
            return null;
        }
        try {
            ensureOpen();
            return db.get(defaultFamily, CHECKPOINT_KEY);
        } catch (RocksDBException e) {
            throw new IOException("state store " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * The last checkpoint committed to the store in {@code dir}, or null when there is none. The store is opened
     * read-only (which takes no lock and replays the write-ahead log into memory of its own), so it may be another
     * process's live store: a running processor watched by a test.
     */
    public static byte[] readCheckpoint(Path dir) throws IOException {
        if (!Files.exists(dir.resolve("CURRENT"))) {
            return null;
        }
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        try (Options listing = new Options(); DBOptions options = new DBOptions()
                .setInfoLogLevel(InfoLogLevel.WARN_LEVEL)) {
            for (byte[] name : RocksDB.listColumnFamilies(listing, dir.toString())) {
                descriptors.add(new ColumnFamilyDescriptor(name, new ColumnFamilyOptions()));
            }
            try (RocksDB db = RocksDB.openReadOnly(options, dir.toString(), descriptors, handles)) {
                return db.get(handles.get(0), CHECKPOINT_KEY);
            } finally {
                handles.forEach(ColumnFamilyHandle::close);
            }
        } catch (RocksDBException e) {
            throw new IOException("cannot read the state store " + dir + ": " + e.getMessage(), e);
        } finally {
            descriptors.forEach(d -> d.getOptions().close());
        }
    }

    // ---- measuring ----

    /** Bytes of the changes not yet written to the database (RocksDB's batch representation). */
    public long pendingBytes() {
        return batch.getWriteBatch().getDataSize();
    }

    /**
     * Calls {@code visit} with each key from {@code from} (inclusive) to {@code to} (exclusive) and its value, in
     * key order, as the pending batch leaves them, until it returns false.
     */
    public void scanRange(Family family, byte[] from, byte[] to, BiPredicate<byte[], byte[]> visit)
            throws IOException {
        scan(family, from, (k, v) -> Arrays.compareUnsigned(k, to) < 0 && visit.test(k, v), false);
    }

    /**
     * What RocksDB has written to disk so far: to its write-ahead log, by flushes of memtables into tables and by
     * compactions; zeros unless opened with statistics.
     */
    public record Written(long walBytes, long flushBytes, long compactionBytes) {
    }

    public Written written() {
        if (statistics == null) {
            return new Written(0, 0, 0);
        }
        return new Written(statistics.getTickerCount(TickerType.WAL_FILE_BYTES),
                statistics.getTickerCount(TickerType.FLUSH_WRITE_BYTES),
                statistics.getTickerCount(TickerType.COMPACT_WRITE_BYTES));
    }

    /** A RocksDB property of the database (e.g. {@code rocksdb.estimate-num-keys}), summed over the families. */
    public long property(String name) throws IOException {
        try {
            ensureOpen();
            long sum = 0;
            for (ColumnFamilyHandle h : families.values()) {
                sum += db.getLongProperty(h, name);
            }
            return sum;
        } catch (RocksDBException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    public Path directory() {
        return dir;
    }

    // ---- closing ----

    private void closeDatabase() {
        families.values().forEach(ColumnFamilyHandle::close);
        families.clear();
        if (defaultFamily != null) {
            defaultFamily.close();
            defaultFamily = null;
        }
        if (db != null) {
            db.close();
            db = null;
        }
        if (dbOptions != null) {
            dbOptions.close();
            dbOptions = null;
        }
        closeFamilyOptions();
    }

    /** Closes the database; what was not committed is dropped, as after a crash. */
    @Override
    public void close() {
        closeDatabase();
        batch.close();
        readOptions.close();
        syncWrite.close();
        plainWrite.close();
        cache.close();
        if (statistics != null) {
            statistics.close();
        }
        openResources.forEach(StateStore::closeQuietly);
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> all = Files.walk(p)) {
            for (Path f : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }
}
