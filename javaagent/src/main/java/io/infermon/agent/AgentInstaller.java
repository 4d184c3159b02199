package io.infermon.agent;

import io.infermon.agent.util.AgentLog;
import io.infermon.agent.util.StartupTrace;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.security.ProtectionDomain;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * The agent's first class in its isolated loader, called reflectively by {@code AgentLauncher}. It opens the JDK
 * internals the agent needs, puts the dispatcher classes into the bootstrap class loader, and only then loads
 * {@link AgentStarter}, whose code refers to them. This class must not refer to the dispatcher itself: the verifier
 * could load it before it exists.
 *
 * <p>The dispatcher classes are defined directly in the bootstrap loader (the JDK's internal
 * {@code Unsafe.defineClass}, opened to the agent with {@code redefineModule}). Appending a jar to the bootstrap
 * search path works too, and is the fallback, but turns off class-data sharing for application classes, which slows
 * the host's start.
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
            StartupTrace.mark("agent loader ready (jars unpacked)");
            ModuleOpener.openTo(inst, AgentInstaller.class.getModule());
            injectIntoBootstrap(inst, Path.of(bootstrapJar));
            StartupTrace.mark("dispatcher in the bootstrap loader");
            return (String) Class.forName("io.infermon.agent.AgentStarter", true,
                            AgentInstaller.class.getClassLoader())
                    .getDeclaredMethod("start", String.class, Instrumentation.class, boolean.class)
                    .invoke(null, agentArgs, inst, attachedLater);
        } catch (Throwable t) {
            AgentLog.info("disabled: start-up failed (" + t + "); the application runs on without capture");
            return null;
        }
    }

    /**
     * Defines the dispatcher classes in the bootstrap loader with the JDK's internal {@code Unsafe.defineClass},
     * reachable because {@link ModuleOpener} exported {@code jdk.internal.misc} to this module. Neither Byte Buddy's
     * injector (it reaches that method through {@code sun.misc.Unsafe}, which makes JDK 24 and later print a
     * deprecation warning on the host's standard error) nor appending a jar to the bootstrap search path (which
     * turns off class-data sharing for the host's application classes) is needed; the latter stays as the fallback.
     */
    private static void injectIntoBootstrap(Instrumentation inst, Path bootstrapJar) throws IOException {
        Map<String, byte[]> classes = readClasses(bootstrapJar);
        try {
            Class<?> unsafeClass = Class.forName("jdk.internal.misc.Unsafe");
            Object unsafe = unsafeClass.getMethod("getUnsafe").invoke(null);
            Method define = unsafeClass.getMethod("defineClass", String.class, byte[].class, int.class, int.class,
                    ClassLoader.class, ProtectionDomain.class);
            for (Map.Entry<String, byte[]> c : classes.entrySet()) {
                if (!isDefinedInBootstrap(c.getKey())) {
                    define.invoke(unsafe, c.getKey(), c.getValue(), 0, c.getValue().length, null, null);
                }
            }
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            inst.appendToBootstrapClassLoaderSearch(new JarFile(bootstrapJar.toFile()));
        }
    }

    /** True when an earlier start (an attach after a failed one, say) already defined the class. */
    private static boolean isDefinedInBootstrap(String name) {
        try {
            Class.forName(name, false, null);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
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
