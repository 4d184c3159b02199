package io.infermon.agent.util;

/**
 * The agent's start-up phases on standard error, in milliseconds since {@code premain} began (the launcher
 * leaves its {@code System.nanoTime()} in {@code infermon.debug.startup.origin}), when
 * {@code -Dinfermon.debug.startup=true} is set: where the agent's start-up time goes. Off by default; a mark then
 * costs one field read.
 */
public final class StartupTrace {
    public static final String PROPERTY = "infermon.debug.startup";
    private static final boolean ON = Boolean.getBoolean(PROPERTY);
    private static final long ORIGIN = ON ? Long.getLong(PROPERTY + ".origin", System.nanoTime()) : 0;

    private StartupTrace() {
    }

    public static boolean on() {
        return ON;
    }

    /** One line: the phase that just ended, with the thread it ran on. */
    public static void mark(String phase) {
        if (ON) {
            System.err.printf("[infermon-agent] startup %8.1f ms  %-22s %s%n", (System.nanoTime() - ORIGIN) / 1e6,
                    Thread.currentThread().getName(), phase);
        }
    }
}
