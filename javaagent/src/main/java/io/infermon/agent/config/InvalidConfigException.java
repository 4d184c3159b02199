package io.infermon.agent.config;

import io.infermon.config.ConfigProblem;
import java.util.List;
import java.util.stream.Collectors;

/** The configuration has problems; the message lists each on its own line. */
public final class InvalidConfigException extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient List<ConfigProblem> problems;
    private final boolean strict;

    InvalidConfigException(List<ConfigProblem> problems, boolean strict) {
        super(problems.stream().map(ConfigProblem::toString).collect(Collectors.joining("\n")), null, false, false);
        this.problems = List.copyOf(problems);
        this.strict = strict;
    }

    public List<ConfigProblem> problems() {
        return problems;
    }

    /** Whether {@code strict: true} was in effect, so the host's start must fail. */
    public boolean strict() {
        return strict;
    }
}
