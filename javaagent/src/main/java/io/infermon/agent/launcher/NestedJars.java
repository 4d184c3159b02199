package io.infermon.agent.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.zip.CRC32;

/**
 * The two jars nested in the agent jar ({@code inst/infermon-agent-bootstrap.jar} and
 * {@code inst/infermon-agent-core.jar}), unpacked to a private cache directory so the JDK can load classes from them.
 *
 * <p>Each unpacked file is named after its entry's CRC-32 and size, so restarts reuse it and a new agent version
 * writes new files instead of touching ones a running JVM may hold open. A file is checked against the CRC when it is
 * unpacked and only then moved to its name (atomically), so a file of that name is whole; a reused one is checked
 * for its size only (reading and summing 8 MB again cost every start some 10 ms). The directory is created owner-only; if it exists but is not private to this user, a fresh
 * private temporary directory is used instead.
 */
record NestedJars(Path bootstrapJar, Path coreJar) {
    static final String BOOTSTRAP_ENTRY = "inst/infermon-agent-bootstrap.jar";
    static final String CORE_ENTRY = "inst/infermon-agent-core.jar";
    private static final long STALE_AFTER_MILLIS = 24L * 3600 * 1000;
    private static final Set<PosixFilePermission> OWNER_ONLY = EnumSet.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);

    static NestedJars unpack(Path agentJar) throws IOException {
        Path shared = sharedCacheDirectory();
        Path dir = shared != null ? shared : privateTemporaryDirectory();
        try (JarFile jar = new JarFile(agentJar.toFile())) {
            NestedJars jars = new NestedJars(unpack(jar, BOOTSTRAP_ENTRY, dir), unpack(jar, CORE_ENTRY, dir));
            if (shared == null) {
                jars.coreJar().toFile().deleteOnExit();
                jars.bootstrapJar().toFile().deleteOnExit();
            } else {
                pruneOtherVersions(dir, jars);
            }
            return jars;
        }
    }

    /**
     * Deletes unpacked jars of other agent versions not touched for a day. A JVM still running such a version keeps
     * its open file (Linux unlinks, the open descriptor stays valid) and unpacks it again if it restarts.
     */
    private static void pruneOtherVersions(Path dir, NestedJars current) {
        long cutoff = System.currentTimeMillis() - STALE_AFTER_MILLIS;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "infermon-agent-*.jar")) {
            for (Path f : files) {
                if (!f.equals(current.coreJar()) && !f.equals(current.bootstrapJar())
                        && Files.getLastModifiedTime(f, LinkOption.NOFOLLOW_LINKS).toMillis() < cutoff) {
                    Files.deleteIfExists(f);
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // tidying only: never a reason not to start
        }
    }

    private static Path unpack(JarFile jar, String entryName, Path dir) throws IOException {
        JarEntry entry = jar.getJarEntry(entryName);
        if (entry == null) {
            throw new IOException(entryName + " is missing from the agent jar " + jar.getName());
        }
        String base = entryName.substring(entryName.lastIndexOf('/') + 1, entryName.length() - ".jar".length());
        // "%s-%08x-%d.jar", without String.format: its Formatter loads some 60 classes (regex, locale) before main
        String crc = Long.toHexString(entry.getCrc());
        Path target = dir.resolve(base + "-" + "0".repeat(Math.max(0, 8 - crc.length())) + crc + "-" + entry.getSize()
                + ".jar");
        if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS) && Files.size(target) == entry.getSize()) {
            return target;
        }
        Path tmp = Files.createTempFile(dir, base, ".part");
        try {
            try (InputStream in = jar.getInputStream(entry)) {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            }
            if (crcOf(tmp) != entry.getCrc()) {
                throw new IOException("unpacked " + entryName + " does not match its CRC in the agent jar");
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        return target;
    }

    private static long crcOf(Path file) throws IOException {
        CRC32 crc = new CRC32();
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                crc.update(buf, 0, n);
            }
        }
        return crc.getValue();
    }

    /** The reusable cache directory, or null when it cannot be made private to this user. */
    private static Path sharedCacheDirectory() throws IOException {
        String configured = System.getProperty("infermon.agent.cache.dir");
        Path dir = configured != null ? Path.of(configured)
                : Path.of(System.getProperty("java.io.tmpdir"), "infermon-agent-" + System.getProperty("user.name"));
        try {
            Files.createDirectories(dir.getParent() == null ? dir : dir.getParent());
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } catch (FileAlreadyExistsException ignored) {
            // reused below if it is private to us
        } catch (UnsupportedOperationException notPosix) {
            Files.createDirectories(dir);
            return dir;
        }
        return isPrivateToUs(dir) ? dir : null;
    }

    private static Path privateTemporaryDirectory() throws IOException {
        Path fresh = Files.createTempDirectory("infermon-agent-", PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        fresh.toFile().deleteOnExit(); // registered first, so deleted after the files in it
        return fresh;
    }

    private static boolean isPrivateToUs(Path dir) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(dir, PosixFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS);
        if (view == null) {
            return Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS);
        }
        PosixFileAttributes attrs = view.readAttributes();
        return attrs.isDirectory() && attrs.permissions().equals(OWNER_ONLY)
                && attrs.owner().getName().equals(System.getProperty("user.name"));
    }
}
