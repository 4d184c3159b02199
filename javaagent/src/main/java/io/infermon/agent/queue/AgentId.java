package io.infermon.agent.queue;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The id an agent writes in its records (docs/wire-format.md): {@code <pid>@<host name>}, the name the JVM's runtime
 * management bean gives itself.
 *
 * <p>The management bean would do: it loads some 80 classes and looks the host name up with
 * {@code InetAddress.getLocalHost()}, which resolves the name (a DNS query that can hang for seconds where the
 * resolver is badly set up) only to hand back the name it started from. On Linux the kernel's host name is read
 * directly instead; elsewhere the lookup stays.
 */
final class AgentId {
    private static final Path KERNEL_HOST_NAME = Path.of("/proc/sys/kernel/hostname");
    private static final Path PROC = Path.of("/proc");
    private static final Path PROC_SELF = PROC.resolve("self");

    private AgentId() {
    }

    static String ofThisJvm() {
        return pid() + "@" + hostName();
    }

    /**
     * This process's id. On Linux read from {@code /proc/self}, because {@code ProcessHandle} starts up its process
     * reaper machinery (an executor and half a dozen lambdas, some milliseconds) and this is read in {@code premain}.
     */
    static long pid() {
        try {
            return Long.parseLong(Files.readSymbolicLink(PROC_SELF).toString());
        } catch (Exception notLinux) {
            return ProcessHandle.current().pid();
        }
    }

    /** Whether process {@code pid} is running (or may be: when it cannot be told, it is taken to be). */
    static boolean isRunning(long pid) {
        if (Files.isDirectory(PROC)) {
            return Files.exists(PROC.resolve(Long.toString(pid)));
        }
        return ProcessHandle.of(pid).isPresent();
    }

    static String hostName() {
        try {
            String name = Files.readString(KERNEL_HOST_NAME, StandardCharsets.UTF_8).strip();
            if (!name.isEmpty()) {
                return name;
            }
        } catch (Exception notLinux) {
            // the lookup below
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "localhost"; // what the management bean names an unknown host
        }
    }
}
