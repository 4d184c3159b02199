package io.infermon.anodot.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Captures standard error (where the sender logs) while a test runs, still passing it through, and afterwards
 * checks that the token appears neither there nor in any file under a directory.
 */
final class TokenWatch implements AutoCloseable {
    private final PrintStream original = System.err;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    TokenWatch() {
        OutputStream tee = new OutputStream() {
            @Override
            public synchronized void write(int b) {
                captured.write(b);
                original.write(b);
            }

            @Override
            public synchronized void write(byte[] b, int off, int len) {
                captured.write(b, off, len);
                original.write(b, off, len);
            }
        };
        System.setErr(new PrintStream(tee, true, StandardCharsets.UTF_8));
    }

    synchronized String log() {
        return captured.toString(StandardCharsets.UTF_8);
    }

    void assertTokenAbsent(String token, Path dir) throws IOException {
        assertThat(log()).as("the log").doesNotContain(token);
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                assertThat(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1)).as("file %s", f)
                        .doesNotContain(token);
            }
        }
    }

    static long countLines(String log, String fragment) {
        return List.of(log.split("\n")).stream().filter(l -> l.contains(fragment)).count();
    }

    @Override
    public void close() {
        System.setErr(original);
    }
}
