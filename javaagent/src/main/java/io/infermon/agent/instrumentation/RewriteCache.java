package io.infermon.agent.instrumentation;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The classes the {@link RuntimeTransformer} rewrote, kept in the agent's owner-only cache directory (the one the
 * launcher unpacks its jars into), so that the next start of a host with the same runtime jar defines them without
 * loading Byte Buddy at all: about 1,200 classes, most of what the agent added to the first inference.
 *
 * <p>An entry is used only when it holds exactly the class file being defined (compared byte for byte, not by a
 * hash), was made by the same agent build (the directory is named after the unpacked core jar, itself named after its
 * CRC and size) for the same instrumentations, and its own checksum is right; anything else is a miss, and the class
 * is rewritten as if there were no cache. Entries are written to a temporary file and moved into place, so a reader
 * never sees half of one. Nothing is cached when the agent runs from a private temporary directory (the shared one
 * was not private to this user), since that directory is deleted at exit.
 *
 * <p>The agent's jar also carries <em>seeds</em>: entries in the same format for the TensorFlow Java release the
 * build is tested with (1.1.0), written at build time by {@code RewriteSeedsWriter} with this build's
 * instrumentations, under {@link #SEEDS}. A host on that release defines its first rewritten classes from them at its
 * very first start (no Byte Buddy: about 0.6 s less on 2 cores, docs/benchmarks.md); the same byte-for-byte check
 * applies, so any other release misses and is rewritten.
 */
final class RewriteCache {
    private static final int MAGIC = 0x1F3C_0001;
    /**
     * An entry's file name ends so, not in {@code .class}: an entry is not a class file, and tools that read every
     * class of a jar (the build's shading among them) must not take the seeds for classes.
     */
    static final String ENTRY_SUFFIX = ".rewrite";
    /** Where the seeds are, as a resource path beside this class. */
    static final String SEEDS = "io/infermon/agent/instrumentation/rewrite-seeds/";

    /** The directory of kept rewrites, or null when none may be written (only the seeds are read). */
    private final Path dir;
    /** Whether the bundled seeds are read when the directory has no entry. */
    private final boolean seeds;

    /** A cache in {@code dir}, without the bundled seeds. */
    RewriteCache(Path dir) {
        this(dir, false);
    }

    RewriteCache(Path dir, boolean seeds) {
        this.dir = dir;
        this.seeds = seeds;
    }

    /**
     * The cache beside the agent's unpacked core jar, with the bundled seeds; only the seeds when there is no such
     * directory to use. Never throws.
     */
    static RewriteCache forAgent() {
        try {
            Path coreJar = Path.of(RewriteCache.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path shared = sharedCacheDirectory();
            if (!Files.isRegularFile(coreJar) || !coreJar.getParent().equals(shared)) {
                return new RewriteCache(null, true);
            }
            String jar = coreJar.getFileName().toString();
            pruneOrphans(shared);
            return new RewriteCache(shared.resolve("rewritten-" + jar.substring(0, jar.length() - ".jar".length())),
                    true);
        } catch (Throwable t) {
            return new RewriteCache(null, true);
        }
    }

    /**
     * Deletes the rewrites of agent builds whose core jar the launcher has pruned (not used for a day): they can never
     * be used again. A JVM of such a build still running only misses, and writes its entries again.
     */
    private static void pruneOrphans(Path shared) {
        try (var dirs = Files.newDirectoryStream(shared, "rewritten-*")) {
            for (Path d : dirs) {
                String jar = d.getFileName().toString().substring("rewritten-".length()) + ".jar";
                if (!Files.exists(shared.resolve(jar))) {
                    try (var entries = Files.list(d)) {
                        for (Path e : entries.toList()) {
                            Files.deleteIfExists(e);
                        }
                    }
                    Files.deleteIfExists(d);
                }
            }
        } catch (IOException | RuntimeException e) {
            // tidying only
        }
    }

    /** As the launcher's {@code NestedJars}: {@code infermon.agent.cache.dir}, or {@code $TMPDIR/infermon-agent-$USER}. */
    private static Path sharedCacheDirectory() {
        String configured = System.getProperty("infermon.agent.cache.dir");
        return (configured != null ? Path.of(configured)
                : Path.of(System.getProperty("java.io.tmpdir"), "infermon-agent-" + System.getProperty("user.name")))
                .toAbsolutePath();
    }

    /**
     * Whether any class has been rewritten and kept here before, or seeds are bundled (then warming Byte Buddy up is
     * likely wasted).
     */
    boolean hasEntries() {
        if (seeds && RewriteCache.class.getClassLoader().getResource(SEEDS + "index") != null) {
            return true;
        }
        if (dir == null) {
            return false;
        }
        try (var entries = Files.list(dir)) {
            return entries.findAny().isPresent();
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * The rewritten class kept for exactly {@code classFile} and {@code variant} (in the directory, else among the
     * seeds), or null. Never throws.
     */
    byte[] get(String className, String variant, byte[] classFile) {
        String name = fileName(className, variant, classFile);
        byte[] kept = null;
        if (dir != null && Files.isRegularFile(dir.resolve(name))) {
            kept = read(openFile(dir.resolve(name)), variant, classFile);
        }
        if (kept == null && seeds) {
            kept = read(openSeed(name), variant, classFile);
        }
        return kept;
    }

    private static InputStream openFile(Path file) {
        try {
            return Files.newInputStream(file);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static InputStream openSeed(String name) {
        try {
            return RewriteCache.class.getClassLoader().getResourceAsStream(SEEDS + name);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * The rewrite the entry {@code raw} holds (closed here), if there is one ({@code raw} is not null) and it is for
     * exactly {@code classFile} and {@code variant}; else null.
     */
    private static byte[] read(InputStream raw, String variant, byte[] classFile) {
        if (raw == null) {
            return null;
        }
        try (DataInputStream in = new DataInputStream(raw)) {
            if (in.readInt() != MAGIC || !in.readUTF().equals(variant)) {
                return null;
            }
            byte[] original = new byte[in.readInt()];
            in.readFully(original);
            byte[] rewritten = new byte[in.readInt()];
            in.readFully(rewritten);
            long checksum = in.readLong();
            if (!Arrays.equals(original, classFile) || checksum != checksum(original, rewritten)) {
                return null;
            }
            return rewritten;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Keeps {@code rewritten} for {@code classFile} and {@code variant}. Never throws; a failure only misses later. */
    void put(String className, String variant, byte[] classFile, byte[] rewritten) {
        if (dir == null) {
            return;
        }
        try {
            Files.createDirectories(dir);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(classFile.length + rewritten.length + 64);
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                out.writeInt(MAGIC);
                out.writeUTF(variant);
                out.writeInt(classFile.length);
                out.write(classFile);
                out.writeInt(rewritten.length);
                out.write(rewritten);
                out.writeLong(checksum(classFile, rewritten));
            }
            Path target = dir.resolve(fileName(className, variant, classFile));
            Path tmp = Files.createTempFile(dir, "entry", ".part");
            try {
                Files.write(tmp, bytes.toByteArray());
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException | RuntimeException e) {
            // a cache only
        }
    }

    static String fileName(String className, String variant, byte[] classFile) {
        CRC32C crc = new CRC32C();
        crc.update(classFile);
        return className + "-" + Integer.toHexString(variant.hashCode()) + "-" + Long.toHexString(crc.getValue())
                + "-" + classFile.length + ENTRY_SUFFIX;
    }

    private static long checksum(byte[] original, byte[] rewritten) {
        CRC32C crc = new CRC32C();
        crc.update(original);
        crc.update(rewritten);
        return crc.getValue();
    }
}
