package io.infermon.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The agent on Temurin 25 with no host flags: it opens what Chronicle Queue needs itself, writes its queue, and the
 * host's output is what it is without the agent.
 */
class Java25IT {
    private static final Path JAVA_25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");
    private static final List<String> CHRONICLE_UNSAFE_NOTICE = List.of(
            "WARNING: A terminally deprecated method in sun.misc.Unsafe has been called",
            "WARNING: sun.misc.Unsafe::objectFieldOffset has been called by net.openhft.chronicle.core.UnsafeMemory "
                    + "(file:infermon-agent-core)",
            "WARNING: Please consider reporting this to the maintainers of class "
                    + "net.openhft.chronicle.core.UnsafeMemory",
            "WARNING: sun.misc.Unsafe::objectFieldOffset will be removed in a future release");
    private static final Path WORK = Path.of(System.getProperty("infermon.it.work"), "java25");

    @Test
    void capturesOnJava25WithoutHostFlags() throws Exception {
        assumeTrue(Files.isExecutable(JAVA_25.resolve("bin/java")), "Temurin 25 is not installed at " + JAVA_25);
        CapturedRun.deleteRecursively(WORK);
        Path config = Files.createDirectories(WORK).resolve("agent.yaml");
        Files.writeString(config, """
                tensorflow: {enabled: false}
                methods:
                  - name: softmax
                    class: io.infermon.examples.plain.PlainScorerApp$SoftmaxModel
                    method: predict
                    arguments: {0: features}
                    return: probabilities
                """);
        Path queue = WORK.resolve("queue");
        String plain = ChildJvm.app("io.infermon.examples.plain.PlainScorerApp").args("20")
                .javaExecutable(JAVA_25).log(WORK.resolve("plain.log")).runOk();
        String out = ChildJvm.app("io.infermon.examples.plain.PlainScorerApp").args("20")
                .javaExecutable(JAVA_25)
                .jvmArg("-javaagent:" + ChildJvm.AGENT_JAR + "=config=" + config + ",queue.dir=" + queue)
                .log(WORK.resolve("app.log")).runOk();
        assertThat(out).contains("[infermon-agent] capturing ONNX Runtime inference and 1 method point(s)")
                .doesNotContain("disabled", "capture off", "cannot");
        assertThat(out.lines().filter(l -> l.startsWith("total="))).containsExactlyElementsOf(
                plain.lines().filter(l -> l.startsWith("total=")).toList());
        // Everything the agent adds to the host's output: its own lines, and the JDK's one-time notice (JEP 498)
        // that Chronicle Queue's memory access uses sun.misc.Unsafe, which nothing but a host flag can silence.
        // The bootstrap dispatcher is injected without sun.misc.Unsafe, so Byte Buddy is never named.
        List<String> added = new ArrayList<>(out.lines().toList());
        plain.lines().forEach(added::remove);
        assertThat(added).noneMatch(l -> l.contains("net.bytebuddy"));
        assertThat(added.stream().filter(l -> !l.startsWith("[infermon-agent] "))
                .map(l -> l.replaceAll("\\(file:.*/(infermon-agent-core)-[0-9a-f]+-[0-9]+\\.jar\\)", "(file:$1)")))
                .containsExactly(CHRONICLE_UNSAFE_NOTICE.toArray(String[]::new));
        QueueRecords q = QueueRecords.read(queue);
        assertThat(q.calls()).hasSize(20);
        assertThat(q.lastHealth().counters()).containsEntry("calls_captured", 20L).containsEntry("queue_errors", 0L);
    }
}
