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

    private AgentId() {
    }

    static String ofThisJvm() {
        return ProcessHandle.current().pid() + "@" + hostName();
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
