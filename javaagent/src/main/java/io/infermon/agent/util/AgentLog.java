package io.infermon.agent.util;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The agent's few log lines, on standard error with an {@code [infermon-agent]} prefix. The agent logs at start,
 * when it turns itself off, and once per kind of problem; never per call, so a broken setup cannot flood the host's
 * logs.
 */
public final class AgentLog {
    private static final String PREFIX = "[infermon-agent] ";
    private static final Set<String> ONCE = ConcurrentHashMap.newKeySet();

    private AgentLog() {
    }

    public static void info(String message) {
        System.err.println(PREFIX + message);
    }

    /** Logs {@code message} the first time {@code key} is seen, and never again for that key. */
    public static void once(String key, String message) {
        if (ONCE.add(key)) {
            System.err.println(PREFIX + message);
        }
    }
}
