package io.infermon.processor.dashboard;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's {@code prometheus} package (promtool and the server), which {@code run-tests.sh} installs when missing.
 * Tests that need it are skipped, with a message saying so, only where it is not installed.
 */
final class Promtool {
    static final Path PROMTOOL = Path.of("/usr/bin/promtool");
    static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");

    private Promtool() {
    }

    static void assumeInstalled(Path program) {
        assumeTrue(Files.isExecutable(program), program + " is not installed, so this test is skipped: it needs "
                + "Debian's prometheus package (apt-get install prometheus; ./run-tests.sh installs it)");
    }

    /** What {@code promtool check metrics} says of an exposition: its exit code and everything it printed. */
    record Check(int exit, String output) {
    }

    static Check checkMetrics(String exposition) throws IOException, InterruptedException {
        assumeInstalled(PROMTOOL);
        Process p = new ProcessBuilder(List.of(PROMTOOL.toString(), "check", "metrics"))
                .redirectErrorStream(true).start();
        try (var in = p.getOutputStream()) {
            in.write(exposition.getBytes(StandardCharsets.UTF_8));
        }
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("promtool check metrics did not finish");
        }
        return new Check(p.exitValue(), output);
    }
}
