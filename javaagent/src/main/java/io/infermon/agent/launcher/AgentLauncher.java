package io.infermon.agent.launcher;

import java.io.File;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.InvocationTargetException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The agent jar's entry points: {@code premain} ({@code -javaagent}), {@code agentmain} (attach at run time) and
 * {@code main} ({@code java -jar infermon-agent.jar ...}).
 *
 * <p>This class and the others in this package are the only agent classes the host's system class loader ever sees.
 * They unpack the two jars nested in the agent jar and load the agent with all its libraries (Byte Buddy, Chronicle
 * Queue, Agrona) in an isolated {@link AgentClassLoader}, so a host that ships its own versions of those libraries
 * keeps them; the agent then puts the tiny dispatcher the advice calls into the bootstrap class loader.
 *
 * <p>Nothing may escape {@code premain}: an exception there aborts the host JVM. Any failure prints one line and
 * leaves the host running without capture.
 */
public final class AgentLauncher {
    static final String INSTALLER = "io.infermon.agent.AgentInstaller";
    static final String COMMAND_LINE = "io.infermon.agent.AgentCommandLine";
    private static final AtomicBoolean STARTED = new AtomicBoolean();

    private AgentLauncher() {
    }

    public static void premain(String args, Instrumentation inst) {
        start(args, inst, false);
    }

    public static void agentmain(String args, Instrumentation inst) {
        start(args, inst, true);
    }

    public static void main(String[] args) throws Throwable {
        ClassLoader core = coreLoader(NestedJars.unpack(ownJar()));
        try {
            Class.forName(COMMAND_LINE, true, core).getMethod("main", String[].class).invoke(null, (Object) args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static void start(String args, Instrumentation inst, boolean attachedLater) {
        if (!STARTED.compareAndSet(false, true)) {
            return;
        }
        if (Boolean.getBoolean("infermon.debug.startup")) {
            // where the start-up time goes (StartupTrace in the agent's loader counts from here)
            System.setProperty("infermon.debug.startup.origin", Long.toString(System.nanoTime()));
        }
        Object fatal;
        try {
            NestedJars jars = NestedJars.unpack(ownJar());
            ClassLoader core = coreLoader(jars);
            fatal = Class.forName(INSTALLER, true, core)
                    .getMethod("install", String.class, Instrumentation.class, boolean.class, String.class)
                    .invoke(null, args, inst, attachedLater, jars.bootstrapJar().toString());
        } catch (Throwable t) {
            Throwable cause = t instanceof InvocationTargetException && t.getCause() != null ? t.getCause() : t;
            System.err.println("[infermon-agent] disabled: the agent could not start (" + cause
                    + "); the application runs on without capture");
            return;
        }
        if (fatal != null) {
            // strict: true and an invalid configuration: the one case where the agent stops the JVM from starting
            throw new IllegalStateException(fatal.toString());
        }
    }

    private static ClassLoader coreLoader(NestedJars jars) throws Exception {
        return new AgentClassLoader(jars.coreJar().toUri().toURL());
    }

    private static Path ownJar() throws URISyntaxException {
        return new File(AgentLauncher.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toPath();
    }
}
