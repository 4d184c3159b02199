package io.infermon.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * One example app run with the agent, then the processor draining its queue with one-day buckets. A run that
 * straddles midnight UTC would split its calls over two buckets; the few tests that compare a whole data set with one
 * bucket then run the app again (a run takes seconds, so this is rare and deterministic in outcome).
 */
record CapturedRun(Path dir, Path queue, Path out, MetricLines metrics, String appOutput, String processorOutput) {

    /** @param processorArgs more options for {@code infermon run} (e.g. a reference) */
    static CapturedRun of(Path dir, Function<Path, ChildJvm> appWithAgent, String... processorArgs)
            throws Exception {
        for (int attempt = 1; ; attempt++) {
            Path runDir = dir.resolve("attempt-" + attempt);
            deleteRecursively(runDir); // a rerun of the test must not find the last run's queue or outputs
            Path queue = runDir.resolve("queue");
            Instant started = Instant.now();
            String appOutput = appWithAgent.apply(runDir).withAgent(queue).log(runDir.resolve("app.log")).runOk();
            Instant ended = Instant.now();
            if (!sameUtcDay(started, ended) && attempt < 3) {
                continue;
            }
            Path out = runDir.resolve("out");
            String processorOutput = ChildJvm.processor()
                    .args("run", "--queue", queue.toString(), "--out", out.toString(), "--bucket", "1d", "--drain")
                    .args(processorArgs).log(runDir.resolve("processor.log")).runOk();
            Path jsonl = out.resolve("metrics.jsonl");
            return new CapturedRun(runDir, queue, out, Files.exists(jsonl) ? MetricLines.read(jsonl) : null,
                    appOutput, processorOutput);
        }
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static boolean sameUtcDay(Instant a, Instant b) {
        return a.atZone(ZoneOffset.UTC).toLocalDate().equals(b.atZone(ZoneOffset.UTC).toLocalDate());
    }
}
