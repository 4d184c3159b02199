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
 */
final class RewriteCache {
    private static final int MAGIC = 0x1F3C_0001;

    private final Path dir;

    RewriteCache(Path dir) {
        this.dir = dir;
    }

    /** The cache beside the agent's unpacked core jar, or null when there is none to use. Never throws. */
    static RewriteCache forAgent() {
        try {
            Path coreJar = Path.of(RewriteCache.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path shared = sharedCacheDirectory();
            if (!Files.isRegularFile(coreJar) || !coreJar.getParent().equals(shared)) {
                return null;
            }
            String jar = coreJar.getFileName().toString();
            pruneOrphans(shared);
            return new RewriteCache(shared.resolve("rewritten-" + jar.substring(0, jar.length() - ".jar".length())));
        } catch (Throwable t) {
            return null;
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

    /** Whether any class has been rewritten and kept here before (then warming Byte Buddy up is likely wasted). */
    boolean hasEntries() {
        try (var entries = Files.list(dir)) {
            return entries.findAny().isPresent();
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** The rewritten class kept for exactly {@code classFile} and {@code variant}, or null. Never throws. */
    byte[] get(String className, String variant, byte[] classFile) {
        Path file = dir.resolve(fileName(className, variant, classFile));
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try (InputStream raw = Files.newInputStream(file); DataInputStream in = new DataInputStream(raw)) {
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

    private static String fileName(String className, String variant, byte[] classFile) {
        CRC32C crc = new CRC32C();
        crc.update(classFile);
        return className + "-" + Integer.toHexString(variant.hashCode()) + "-" + Long.toHexString(crc.getValue())
                + "-" + classFile.length + ".class";
    }

    private static long checksum(byte[] original, byte[] rewritten) {
        CRC32C crc = new CRC32C();
        crc.update(original);
        crc.update(rewritten);
        return crc.getValue();
    }
}
