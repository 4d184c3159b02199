package io.infermon.processor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code infermon validate}: processor.yaml is checked in this JVM, agent.yaml by the agent jar the reactor built
 * before this module (javaagent/target/infermon-agent.jar, found the way an installation finds it), so both checkers
 * are the real ones.
 */
class ValidateCommandTest {
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int validate(String... args) {
        CommandLine cli = InfermonCli.create();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        String[] all = new String[args.length + 1];
        all[0] = "validate";
        System.arraycopy(args, 0, all, 1, args.length);
        return cli.execute(all);
    }

    @Test
    void goodFilesOfBothKindsAreValid() throws Exception {
        Path processor = Files.writeString(dir.resolve("processor.yaml"), """
                queue: [/var/lib/infermon/queue]
                out: /var/lib/infermon/out
                bucket: 30s
                alerts:
                  - name: inputs drifted
                    metric: drift_share
                    above: 0.3
                    for: 2
                """);
        Path agent = Files.writeString(dir.resolve("agent.yaml"), """
                queue:
                  dir: /var/lib/infermon/queue
                sampling:
                  rate: 0.5
                methods:
                  - name: predict
                    class: com.example.Scorer
                    method: score
                    arguments:
                      0: {role: id, getter: getRequestId}
                """);

        assertThat(validate("--processor", processor.toString(), agent.toString())).isZero();
        assertThat(out.toString().lines()).containsExactly(processor + ": valid", agent + ": valid");
    }

    @Test
    void eachProblemIsPrintedWithFileLineAndKeyAndTheExitCodeIsOne() throws Exception {
        Path processor = Files.writeString(dir.resolve("processor.yaml"), """
                out: /var/lib/infermon/out
                buket: 30s
                """);
        Path agent = Files.writeString(dir.resolve("agent.yaml"), """
                queue:
                  dir: /var/lib/infermon/queue
                sampling:
                  rate: 2
                """);

        assertThat(validate("--processor", processor.toString(), agent.toString())).isEqualTo(1);
        String printed = out.toString();
        assertThat(printed).contains(processor + ":2: buket: unknown key", "1 problem in " + processor);
        assertThat(printed).contains(agent + ":4: sampling.rate: must be between 0 and 1", "1 problem in ");
        assertThat(printed).doesNotContain(": valid");
    }

    @Test
    void aMissingFileIsExitCodeTwo() {
        assertThat(validate("--processor", dir.resolve("nothing.yaml").toString())).isEqualTo(2);
        assertThat(err.toString()).contains(dir.resolve("nothing.yaml") + ": no such file");
    }

    @Test
    void withoutAnyFileItSaysWhatToGive() {
        assertThat(validate()).isEqualTo(2);
        assertThat(err.toString()).contains("give a processor.yaml with --processor FILE and/or agent.yaml files");
    }

    @Test
    void anAgentJarThatIsNotThereIsNamed() throws Exception {
        Path agent = Files.writeString(dir.resolve("agent.yaml"), "enabled: true\n");
        Path jar = dir.resolve("no-such-agent.jar");

        assertThat(validate("--agent-jar", jar.toString(), agent.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("validating agent.yaml needs the agent jar: none at " + jar);
    }
}
