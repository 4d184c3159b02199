package io.infermon.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.abort;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The fault matrix of docs/operations.md on real TensorFlow: in each case the host keeps running, computes exactly
 * what it computes without the agent, and the case is counted in the agent's health (read back as the processor's
 * {@code agent_*} metrics). Cases that need no TensorFlow are unit tests (QueueWriterTest, MethodCaptureHandlerTest)
 * or in MethodPointsIT (bad configuration).
 */
class AgentFaultsIT {
    private static final Path WORK = Path.of(System.getProperty("infermon.it.work"), "agent-faults");
    private static final String DIGITS = "io.infermon.examples.digits.DigitsApp";
    private static final String TAGGED = "io.infermon.examples.digits.TaggedRequestsApp";
    private static final int PASSES = 10; // 290 calls of about 19 KB: 5.5 MB, more than the small disk below holds
    private static Path model;
    private static List<String> plainReport;

    @BeforeAll
    static void servePlainly() throws Exception {
        model = TestModels.digits();
        CapturedRun.deleteRecursively(WORK);
        Path report = Files.createDirectories(WORK).resolve("plain-report.txt");
        digits(report).log(WORK.resolve("plain.log")).runOk();
        plainReport = Files.readAllLines(report);
    }

    private static ChildJvm digits(Path report) throws Exception {
        return ChildJvm.app(DIGITS).args("predict", "--model", model.toString(), "--batch", "64",
                "--passes", Integer.toString(PASSES), "--report", report.toString());
    }

    @Test
    void aQueueThatCannotBeCreatedTurnsCaptureOffAndTheHostServesOn() throws Exception {
        Path dir = Files.createDirectories(WORK.resolve("cannot-create"));
        Path file = Files.writeString(dir.resolve("not-a-directory"), "a regular file"); // root ignores modes
        Path queue = file.resolve("queue");
        String out = digits(dir.resolve("report.txt")).withAgent(queue).log(dir.resolve("app.log")).runOk();
        assertThat(out).contains("[infermon-agent] capture off: cannot open the queue in " + queue);
        assertThat(Files.readAllLines(dir.resolve("report.txt"))).isEqualTo(plainReport);
        // with no queue there is nowhere to write the count: the log line is the signal
        assertThat(Files.isRegularFile(file)).isTrue();
    }

    @Test
    void aFullDiskDropsAndCountsRecordsAndLeavesAReadableQueue() throws Exception {
        Path dir = Files.createDirectories(WORK.resolve("disk-full"));
        // a run of this test straddling midnight UTC would split the sums below over two buckets: they add up
        Path disk = Files.createDirectories(dir.resolve("disk"));
        mountSmallDisk(disk);
        try {
            Path queue = disk.resolve("queue");
            String out = digits(dir.resolve("report.txt")).withAgent(queue).log(dir.resolve("app.log")).runOk();
            assertThat(out).contains("records are dropped and counted until space is freed");
            assertThat(Files.readAllLines(dir.resolve("report.txt"))).isEqualTo(plainReport);
            // the processor reads the queue while the disk is still full
            ChildJvm.processor().args("run", "--queue", queue.toString(), "--out", dir.resolve("out").toString(),
                    "--bucket", "1d", "--drain").log(dir.resolve("processor.log")).runOk();
            MetricLines m = MetricLines.read(dir.resolve("out/metrics.jsonl"));
            double captured = m.sum("what", "agent_calls_captured");
            double dropped = m.sum("what", "agent_dropped_disk_full");
            double written = m.sum("what", "inference_calls", "model", "digits");
            assertThat(captured).isEqualTo(29.0 * PASSES);
            assertThat(dropped).isPositive();
            assertThat(written).isPositive().isEqualTo(captured - dropped);
            assertThat(m.sum("what", "agent_queue_errors")).isZero(); // no write ever faulted
        } finally {
            new ProcessBuilder("umount", disk.toString()).inheritIO().start().waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aThrowingHandlerIsCountedAndTheHostComputesTheSame() throws Exception {
        CapturedRun run = CapturedRun.of(WORK.resolve("handler-throws"), d -> uncheck(() ->
                digits(d.resolve("report.txt")).jvmArg("-Dinfermon.testing.handler_throws=true")));
        assertThat(Files.readAllLines(run.dir().resolve("report.txt"))).isEqualTo(plainReport);
        MetricLines m = run.metrics();
        // each signature call passes the dispatcher four times (function and runner, enter and exit)
        assertThat(m.sum("what", "agent_handler_errors")).isGreaterThanOrEqualTo(4.0 * 29 * PASSES);
        assertThat(m.sum("what", "agent_calls_captured")).isZero();
        assertThat(m.where("what", "inference_calls")).isEmpty();
    }

    @Test
    void stringTensorsAndEmptyBatchesAreRecordedCountedAndHarmless() throws Exception {
        Path dir = Files.createDirectories(WORK.resolve("string-and-empty"));
        String plain = ChildJvm.app(TAGGED).args("--requests", "20").log(dir.resolve("plain.log")).runOk();
        CapturedRun run = CapturedRun.of(dir, d -> uncheck(() -> ChildJvm.app(TAGGED).args("--requests", "20")));
        assertThat(requests(run.appOutput())).hasSize(20).isEqualTo(requests(plain));
        MetricLines m = run.metrics();
        assertThat(m.sum("what", "agent_calls_captured")).isEqualTo(20);
        assertThat(m.sum("what", "agent_calls_zero_rows")).isEqualTo(5); // every fourth request is empty
        assertThat(m.sum("what", "agent_tensors_unsupported_dtype")).isEqualTo(40); // tags fed and fetched back
        assertThat(m.value("what", "inference_calls", "model", "default")).isEqualTo(20);
        assertThat(m.value("what", "buffer_count", "model", "default")).isEqualTo(15 * 8);
    }

    private static List<String> requests(String output) {
        return output.lines().filter(l -> l.startsWith("request ")).toList();
    }

    /** A 2 MiB tmpfs: a real full disk. Needs root (or CAP_SYS_ADMIN); elsewhere the case is skipped, saying why. */
    private static void mountSmallDisk(Path dir) throws Exception {
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", dir.toString())
                .redirectErrorStream(true).start();
        String output = new String(mount.getInputStream().readAllBytes());
        if (!mount.waitFor(30, TimeUnit.SECONDS) || mount.exitValue() != 0) {
            abort("cannot mount a small tmpfs here (needs root or CAP_SYS_ADMIN): " + output.strip());
        }
    }

    interface IoSupplier<T> {
        T get() throws Exception;
    }

    static <T> T uncheck(IoSupplier<T> s) {
        try {
            return s.get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
