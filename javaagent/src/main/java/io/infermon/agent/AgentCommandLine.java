package io.infermon.agent;

import io.infermon.config.ConfigProblem;
import io.infermon.agent.config.ConfigReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** {@code java -jar infermon-agent.jar}: what the agent jar does when run rather than attached. */
public final class AgentCommandLine {
    private AgentCommandLine() {
    }

    public static void main(String[] args) {
        if (args.length == 2 && args[0].equals("validate")) {
            System.exit(validate(Path.of(args[1])));
        }
        System.out.println("""
                infermon agent: attach it to a Java service to capture inference.

                  java -javaagent:infermon-agent.jar=config=/path/agent.yaml -jar your-service.jar
                  java -jar infermon-agent.jar validate /path/agent.yaml

                The file can also be named with -Dinfermon.config=... or INFERMON_CONFIG; every key can be set as
                -Dinfermon.<key>=... or INFERMON_<KEY>, which win over the file. See docs/agent-yaml.md.""");
        if (args.length > 0 && !args[0].equals("help") && !args[0].equals("--help")) {
            System.exit(2);
        }
    }

    /** Prints each problem as {@code file:line: key: what is wrong}; returns the exit code (0 when valid). */
    static int validate(Path file) {
        if (!Files.isRegularFile(file)) {
            System.err.println(file + ": no such file");
            return 2;
        }
        List<ConfigProblem> problems = ConfigReader.validate(file);
        for (ConfigProblem p : problems) {
            System.out.println(p);
        }
        if (problems.isEmpty()) {
            System.out.println(file + ": valid");
            return 0;
        }
        System.out.println(problems.size() + (problems.size() == 1 ? " problem" : " problems") + " in " + file);
        return 1;
    }
}
