package io.infermon.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The agent's start as docs/architecture.md describes it: nothing of Byte Buddy's rewriting or of Chronicle Queue
 * is started in {@code premain}; the runtime's classes are rewritten as they are defined, and the queue is opened at
 * the first record. A host that loads its model first thing, makes one call and exits at once still has that call,
 * with the model's name and version from the {@code SavedModelBundle.load} it made before: the first instrumented
 * class defined is instrumented, and the record that triggered the queue's opening is written during the JVM's
 * shutdown.
 */
class AgentStartIT {
    private static final Path WORK = Path.of(System.getProperty("infermon.it.work"), "agent-start");
    private static Path model;

    @BeforeAll
    static void trainDigitsModel() throws Exception {
        model = TestModels.digits();
    }

    @Test
    void aHostThatMakesOneCallAndExitsAtOnceHasItCaptured() throws Exception {
        CapturedRun.deleteRecursively(WORK);
        Path queue = WORK.resolve("queue");
        String out = ChildJvm.app("io.infermon.examples.digits.DigitsApp")
                .args("predict", "--model", model.toString(), "--batch", "1797", "--passes", "1")
                .jvmArg("-Dinfermon.debug.startup=true")
                .withAgent(queue).log(WORK.resolve("app.log")).runOk();

        // premain ended before the queue was opened, and the queue was opened on the writer thread
        assertThat(out).containsSubsequence("instrumentation installed", "infermon-queue-writer  queue open");
        QueueRecords records = QueueRecords.read(queue);
        assertThat(records.calls()).singleElement().satisfies(call -> {
            assertThat(call.modelName()).isEqualTo("digits");
            assertThat(call.modelVersion()).isEqualTo("1");
            assertThat(call.signature()).isEqualTo("serving_default");
            assertThat(call.tensors()).anySatisfy(t -> assertThat(t.shape()).containsExactly(1797L, 64L));
        });
        assertThat(records.lastHealth().counters()).containsEntry("calls_captured", 1L)
                .containsEntry("dropped_ring_full", 0L).containsEntry("queue_errors", 0L);
    }

    @Test
    void aFirstStartOnTheTestedTensorFlowTakesItsRewrittenClassesFromTheAgentJar() throws Exception {
        Path work = WORK.resolve("first-start");
        CapturedRun.deleteRecursively(work);
        Path queue = work.resolve("queue");
        Path agentCache = work.resolve("agent-cache"); // nothing unpacked and nothing rewritten yet: a first start
        String out = ChildJvm.app("io.infermon.examples.digits.DigitsApp")
                .args("predict", "--model", model.toString(), "--batch", "10", "--passes", "1")
                .jvmArg("-Dinfermon.agent.cache.dir=" + agentCache).jvmArg("-verbose:class")
                .withAgent(queue).log(work.resolve("app.log")).runOk();

        // the seeds the build wrote (RewriteSeedsWriter) held every class to rewrite: of Byte Buddy only the matcher
        // interface the instrumentations name in their signatures was loaded, nothing that parses or writes a class;
        // and no rewrite was made, so none was kept in the cache
        assertThat(out).contains("org.tensorflow.SessionFunction");
        assertThat(out.lines().filter(l -> l.contains("[class,load] net.bytebuddy."))
                .map(l -> l.replaceAll(".*\\[class,load] (\\S+) .*", "$1")))
                .isSubsetOf("net.bytebuddy.matcher.ElementMatcher");
        try (var kept = Files.walk(agentCache)) {
            assertThat(kept.filter(Files::isRegularFile).map(p -> agentCache.relativize(p).toString()))
                    .noneMatch(p -> p.startsWith("rewritten-"));
        }
        // and every call is captured: the 1,797 digits in calls of 10 rows, the last of 7
        QueueRecords records = QueueRecords.read(queue);
        assertThat(records.calls()).hasSize(180).allSatisfy(call -> {
            assertThat(call.modelName()).isEqualTo("digits");
            assertThat(call.signature()).isEqualTo("serving_default");
        });
        assertThat(records.calls().get(179).tensors()).anySatisfy(t -> assertThat(t.shape()).containsExactly(7L, 64L));
    }
}
