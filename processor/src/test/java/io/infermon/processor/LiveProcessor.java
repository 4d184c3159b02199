package io.infermon.processor;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code infermon run} live in a child JVM (the only way to {@code kill -9} it), with its output in a log file and its
 * dashboard on a free port of 127.0.0.1.
 */
public final class LiveProcessor implements AutoCloseable {
    private static final Pattern DASHBOARD = Pattern.compile("dashboard at (http://127\\.0\\.0\\.1:\\d+/)");

    private final Process process;
    private final Path log;
    /** Where this process's output starts in the log (a restarted processor appends to the same log). */
    private final int logStart;

    private LiveProcessor(Process process, Path log, int logStart) {
        this.process = process;
        this.log = log;
        this.logStart = logStart;
    }

    /** Starts {@code infermon run ARGS --dashboard-port 0 --quiet}, with extra environment variables. */
    public static LiveProcessor start(Path log, Map<String, String> environment, String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of("run"));
        all.addAll(List.of(args));
        all.addAll(List.of("--dashboard-port", "0", "--quiet"));
        ProcessBuilder pb = new ProcessBuilder(ProcessorCommand.of(all.toArray(String[]::new)))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(environment);
        int logStart = Files.exists(log) ? Files.readString(log).length() : 0;
        return new LiveProcessor(pb.start(), log, logStart);
    }

    /** The dashboard's address, once the processor has printed it. */
    public URI dashboard() {
        return await().atMost(Duration.ofSeconds(60)).until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("the processor exited (" + process.exitValue() + "): " + output());
            }
            Matcher m = DASHBOARD.matcher(output());
            return m.find() ? URI.create(m.group(1)) : null;
        }, u -> u != null);
    }

    /** What this process has printed so far. */
    public String output() throws IOException {
        return Files.exists(log) ? Files.readString(log).substring(logStart) : "";
    }

    public Process process() {
        return process;
    }

    /** SIGKILL, as a crash would. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor();
    }
}
