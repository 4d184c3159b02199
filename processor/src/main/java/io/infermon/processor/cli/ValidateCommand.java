package io.infermon.processor.cli;

import io.infermon.config.ConfigProblem;
import io.infermon.processor.Installation;
import io.infermon.processor.config.ProcessorConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code infermon validate}: checks processor.yaml files here, and agent.yaml files with the agent jar's own checker
 * (run as a child process with this same java), so that each file is judged by the code that will read it.
 */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = {"Check configuration files and print each problem as file:line: key: what is wrong.",
                "agent.yaml files are checked by the agent jar (java -jar infermon-agent.jar validate FILE), found "
                        + "with --agent-jar or next to the processor jar."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every file is valid", "1:a file has problems", "2:bad usage, a missing file or no agent "
                + "jar"})
public final class ValidateCommand implements Callable<Integer> {
    static final String AGENT_JAR = "infermon-agent.jar";

    @Option(names = "--processor", paramLabel = "FILE", description = "A processor.yaml to check; repeatable.")
    List<Path> processorFiles = new ArrayList<>();

    @Parameters(paramLabel = "AGENT_YAML", arity = "0..*", description = "agent.yaml files to check.")
    List<Path> agentFiles = new ArrayList<>();

    @Option(names = "--agent-jar", paramLabel = "JAR",
            description = "The agent jar that checks agent.yaml files. Default: " + AGENT_JAR + " next to the "
                    + "processor jar, or the repository's javaagent/target/" + AGENT_JAR + ".")
    Path agentJar;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (processorFiles.isEmpty() && agentFiles.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "give a processor.yaml with --processor FILE and/or agent.yaml files");
        }
        PrintWriter out = spec.commandLine().getOut();
        int exit = 0;
        for (Path f : processorFiles) {
            exit = Math.max(exit, validateProcessor(f, out));
        }
        if (!agentFiles.isEmpty()) {
            Optional<Path> jar = agentJar != null ? Optional.of(agentJar) : findAgentJar();
            if (jar.isEmpty() || !Files.isRegularFile(jar.get())) {
                spec.commandLine().getErr().println("infermon: validating agent.yaml needs the agent jar: none at "
                        + (agentJar != null ? agentJar : String.join(" or ", candidates().stream()
                        .map(Path::toString).toList())) + "; give --agent-jar");
                return 2;
            }
            for (Path f : agentFiles) {
                exit = Math.max(exit, validateAgent(jar.get(), f, out));
            }
        }
        return exit;
    }

    private int validateProcessor(Path file, PrintWriter out) {
        if (!Files.isRegularFile(file)) {
            spec.commandLine().getErr().println(file + ": no such file");
            return 2;
        }
        List<ConfigProblem> problems = ProcessorConfig.validate(new CommandLine(new RunCommand()).getCommandSpec(),
                file);
        problems.forEach(out::println);
        if (problems.isEmpty()) {
            out.println(file + ": valid");
            return 0;
        }
        out.println(problems.size() + (problems.size() == 1 ? " problem" : " problems") + " in " + file);
        return 1;
    }

    /** Runs the agent jar's checker with this JVM's java; its output is ours and its exit code (0, 1, 2) too. */
    private static int validateAgent(Path jar, Path file, PrintWriter out) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Process p = new ProcessBuilder(java, "-jar", jar.toString(), "validate", file.toString())
                .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.INHERIT).start();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8))) {
            lines.lines().forEach(out::println);
        }
        out.flush();
        return p.waitFor();
    }

    private static Optional<Path> findAgentJar() {
        return candidates().stream().filter(Files::isRegularFile).findFirst();
    }

    /** Next to the processor jar (an installation), or where the clone's build puts it. */
    static List<Path> candidates() {
        Path here = Installation.codeSource();
        if (here == null) {
            return List.of();
        }
        // the jar's directory, or target/ when run from target/classes
        return List.of(here.getParent().resolve(AGENT_JAR), Installation.home().resolve("javaagent/target/" + AGENT_JAR));
    }
}
