package io.infermon.anodot.delivery;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;

/** Directories and files only their owner can read: the spool holds a company's metrics. */
final class OwnerOnly {
    private OwnerOnly() {
    }

    static void createDirectories(Path dir) throws IOException {
        Files.createDirectories(dir);
        if (Files.getFileAttributeView(dir, PosixFileAttributeView.class) != null) {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        }
    }

    static void createFile(Path file) throws IOException {
        boolean posix = Files.getFileAttributeView(file.toAbsolutePath().getParent(),
                PosixFileAttributeView.class) != null;
        try {
            if (posix) {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } else {
                Files.createFile(file);
            }
        } catch (FileAlreadyExistsException e) {
            if (posix) {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            }
        }
    }
}
