package io.infermon.processor.config;

import io.infermon.config.ConfigProblem;
import java.util.List;
import picocli.CommandLine;

/**
 * The processor's configuration has problems: every one of them, each with its file and line (or the system
 * property or environment variable). A picocli parameter error, so the command exits with code 2.
 */
public final class ConfigException extends CommandLine.ParameterException {
    private final transient List<ConfigProblem> problems;

    public ConfigException(CommandLine cmd, List<ConfigProblem> problems) {
        super(cmd, message(problems));
        this.problems = List.copyOf(problems);
    }

    public List<ConfigProblem> problems() {
        return problems;
    }

    private static String message(List<ConfigProblem> problems) {
        StringBuilder sb = new StringBuilder();
        for (ConfigProblem p : problems) {
            sb.append(p).append('\n');
        }
        sb.append("infermon: ").append(problems.size()).append(problems.size() == 1 ? " problem" : " problems")
                .append(" in the configuration; the processor does not start");
        return sb.toString();
    }
}
