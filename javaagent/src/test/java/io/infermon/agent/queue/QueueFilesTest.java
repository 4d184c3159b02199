package io.infermon.agent.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.RollCycles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opening the queue switches Chronicle's disk space monitor and announcement off for the agent's Chronicle only. Run
 * in a fresh JVM: Chronicle reads the switches once per JVM (per class loader), so another test that opened a queue
 * first in this one would decide the outcome.
 */
class QueueFilesTest {

    @Test
    void theOpenStartsNoDiskMonitorThreadAndLeavesNoPropertyBehind(@TempDir Path tmp) throws Exception {
        List<String> report = runChild(tmp.resolve("queue"), false);

        assertThat(report).contains("queue opened: true", "disk monitor threads: 0",
                "chronicle.disk.monitor.disable=null", "chronicle.announcer.disable=null");
        assertThat(Files.getPosixFilePermissions(tmp.resolve("queue"))).containsExactlyInAnyOrder(
                PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);
    }

    @Test
    void aPropertyTheHostSetIsLeftAsItWas(@TempDir Path tmp) throws Exception {
        List<String> report = runChild(tmp.resolve("queue"), true);

        assertThat(report).contains("queue opened: true", "chronicle.disk.monitor.disable=false");
    }

    private static List<String> runChild(Path queue, boolean hostSetsMonitorOn) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-opens") || arg.startsWith("--add-exports")) {
                command.add(arg);
            }
        }
        if (hostSetsMonitorOn) {
            command.add("-Dchronicle.disk.monitor.disable=false");
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), OpenInFreshJvm.class.getName(),
                queue.toString()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.getInputStream().transferTo(out);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(text).isZero();
        return text.lines().toList();
    }

    /** The child: opens a queue as the writer does and reports what it left behind. */
    public static final class OpenInFreshJvm {
        public static void main(String[] args) throws Exception {
            try (ChronicleQueue q = QueueFiles.open(Path.of(args[0]), RollCycles.FAST_HOURLY)) {
                q.createAppender().writeText("x"); // a cycle file, where Chronicle consults the monitor
                System.out.println("queue opened: " + !q.isClosed());
            }
            long monitors = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().contains("disk~space")).count();
            System.out.println("disk monitor threads: " + monitors);
            for (String property : new String[] {"chronicle.disk.monitor.disable", "chronicle.announcer.disable"}) {
                System.out.println(property + "=" + System.getProperty(property));
            }
        }
    }
}
