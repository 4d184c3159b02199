package io.infermon.agent;

import io.infermon.agent.util.AgentLog;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import net.bytebuddy.dynamic.loading.ClassInjector;

/**
 * The agent's first class in its isolated loader, called reflectively by {@code AgentLauncher}. It opens the JDK
 * internals the agent needs, puts the dispatcher classes into the bootstrap class loader, and only then loads
 * {@link AgentStarter}, whose code refers to them. This class must not refer to the dispatcher itself: the verifier
 * could load it before it exists.
 *
 * <p>The dispatcher classes are defined directly in the bootstrap loader (Byte Buddy's Unsafe-based injector).
 * Appending a jar to the bootstrap search path works too, and is the fallback, but makes the JVM print a warning and
 * turn off class-data sharing for application classes, which slows the host's start.
 */
public final class AgentInstaller {
    private AgentInstaller() {
    }

    /**
     * Returns null, or a message when the host's start must fail (an invalid configuration with {@code strict: true});
     * the launcher then throws it out of {@code premain}, which stops the JVM.
     */
    public static String install(String agentArgs, Instrumentation inst, boolean attachedLater, String bootstrapJar) {
        try {
            ModuleOpener.openTo(inst, AgentInstaller.class.getModule());
            injectIntoBootstrap(inst, Path.of(bootstrapJar));
            return (String) Class.forName("io.infermon.agent.AgentStarter", true,
                            AgentInstaller.class.getClassLoader())
                    .getDeclaredMethod("start", String.class, Instrumentation.class, boolean.class)
                    .invoke(null, agentArgs, inst, attachedLater);
        } catch (Throwable t) {
            AgentLog.info("disabled: start-up failed (" + t + "); the application runs on without capture");
            return null;
        }
    }

    private static void injectIntoBootstrap(Instrumentation inst, Path bootstrapJar) throws IOException {
        if (ClassInjector.UsingUnsafe.isAvailable()) {
            ClassInjector.UsingUnsafe.ofBootLoader().injectRaw(readClasses(bootstrapJar));
        } else {
            inst.appendToBootstrapClassLoaderSearch(new JarFile(bootstrapJar.toFile()));
        }
    }

    private static Map<String, byte[]> readClasses(Path jar) throws IOException {
        Map<String, byte[]> classes = new LinkedHashMap<>();
        try (JarFile file = new JarFile(jar.toFile())) {
            for (Enumeration<JarEntry> e = file.entries(); e.hasMoreElements(); ) {
                JarEntry entry = e.nextElement();
                String name = entry.getName();
                if (name.endsWith(".class")) {
                    try (InputStream in = file.getInputStream(entry)) {
                        classes.put(name.substring(0, name.length() - 6).replace('/', '.'), in.readAllBytes());
                    }
                }
            }
        }
        return classes;
    }
}
