package io.infermon.processor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** How the command line reports a command that fails while running: one sentence, exit code 1, no stack trace. */
class InfermonCliTest {

    @Test
    void aMissingReferenceIsOneLineNamingTheFile(@TempDir Path dir) throws Exception {
        Path queue = Files.createDirectories(dir.resolve("queue"));
        Path missing = dir.resolve("nope.profile");
        CommandLine cli = InfermonCli.create();
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err, true));

        int exit = cli.execute("run", "--queue", queue.toString(), "--out", dir.resolve("out").toString(),
                "--reference", missing.toString(), "--no-dashboard", "--drain", "--quiet");

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString().lines()).containsExactly("infermon run: no such file: " + missing,
                "(java -Dinfermon.debug=true -jar ... shows the stack trace)");
    }

    @Test
    void otherFailuresGiveTheirMessageAndTheCausesThatAddToIt() {
        assertThat(InfermonCli.describe(new IOException("bad profile: truncated",
                new IllegalArgumentException("truncated")))).isEqualTo("bad profile: truncated");
        assertThat(InfermonCli.describe(new IllegalStateException("cannot start",
                new IOException("disk full")))).isEqualTo("cannot start: disk full");
        assertThat(InfermonCli.describe(new IOException("/x.profile: /x.profile", new NoSuchFileException("/x.profile"))))
                .isEqualTo("no such file: /x.profile");
        assertThat(InfermonCli.describe(new NullPointerException())).isEqualTo("NullPointerException");
    }
}
