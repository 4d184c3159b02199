package io.infermon.agent.queue;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;

/**
 * Opening the agent's queue: the directory is created owner-only, since records hold the model's inputs.
 *
 * <p>Two Chronicle features the agent does without are switched off while it opens: the disk space monitor (a
 * thread that polls the file system for as long as the JVM runs; the writer keeps its own disk reserve) and the
 * announcement Chronicle prints when it starts. Chronicle reads their switches, system properties, once, when the
 * classes that use them are initialised; they are set only while the agent's own copy of Chronicle initialises those
 * classes (forced here, so that a later cycle roll does not initialise them after the properties are gone), then
 * removed, so a host that runs Chronicle itself (in another class loader, initialised on its own) keeps its settings.
 * A property the host had set is left as it was. Besides the thread, this saves about a tenth of the open's start-up
 * work (docs/benchmarks.md).
 */
final class QueueFiles {
    private static final String[] SWITCHED_OFF = {"chronicle.disk.monitor.disable", "chronicle.announcer.disable"};
    private static final String[] READ_SWITCHES = {"net.openhft.chronicle.threads.DiskSpaceMonitor",
            "net.openhft.chronicle.core.internal.announcer.InternalAnnouncer"};

    private QueueFiles() {
    }

    static ChronicleQueue open(Path dir, RollCycle rollCycle) throws IOException {
        createDirectory(dir);
        List<String> set = new ArrayList<>();
        for (String property : SWITCHED_OFF) {
            if (System.getProperty(property) == null) {
                System.setProperty(property, "true");
                set.add(property);
            }
        }
        try {
            for (String name : READ_SWITCHES) {
                try {
                    Class.forName(name, true, QueueFiles.class.getClassLoader());
                } catch (Throwable missing) {
                    // another Chronicle version without the class: it then has nothing to switch off
                }
            }
            return SingleChronicleQueueBuilder.binary(dir).rollCycle(rollCycle).build();
        } finally {
            set.forEach(System::clearProperty);
        }
    }

    static void createDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Path parent = dir.toAbsolutePath().getParent();
            if (parent != null) {
                try {
                    Files.createDirectories(parent);
                } catch (FileAlreadyExistsException e) {
                    throw new IOException(e.getFile() + " exists and is not a directory");
                }
            }
            try {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")));
            } catch (UnsupportedOperationException notPosix) {
                Files.createDirectories(dir);
            }
        }
        if (!Files.isWritable(dir)) {
            throw new IOException(dir + " is not writable");
        }
    }
}
