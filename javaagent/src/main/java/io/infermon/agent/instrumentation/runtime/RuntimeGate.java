package io.infermon.agent.instrumentation.runtime;

import io.infermon.agent.instrumentation.TypeInstrumentation;
import io.infermon.agent.util.AgentLog;
import java.security.ProtectionDomain;

/**
 * Lets a {@link TypeInstrumentation} transform a class only when the class comes from its runtime's jar in a version
 * the agent knows, and the instrumentation is the one for that version. Anything else is left as it is: a class of
 * an unknown version is not transformed at all (one log line per runtime and version), so the host runs exactly the
 * library's own code. TensorFlow's legacy and current APIs share class names ({@code org.tensorflow.Session$Runner});
 * the jar tells them apart.
 */
public final class RuntimeGate {
    private RuntimeGate() {
    }

    /**
     * Whether {@code instrumentation} may transform the class {@code className} (binary name) that {@code loader}
     * defines from {@code domain}.
     */
    public static boolean admits(TypeInstrumentation instrumentation, String className, ClassLoader loader,
                                 ProtectionDomain domain) {
        if (loader == null || !instrumentation.typeName().equals(className)) {
            return false;
        }
        InferenceRuntime wanted = instrumentation.runtime();
        RuntimeJar jar = RuntimeJar.of(loader, className, domain);
        InferenceRuntime found = InferenceRuntime.of(jar);
        if (found == null) {
            AgentLog.once("runtime-jar:" + jar.location(), "cannot tell which library or version "
                    + className + " comes from (" + (jar.location().isEmpty() ? "not a jar" : jar.location())
                    + "): its calls are not captured, and its classes are left unchanged");
            return false;
        }
        if (found != wanted) {
            return false;
        }
        String version = found.versionIn(jar);
        if (!found.knows(version)) {
            AgentLog.once("runtime-version:" + found + ":" + version, found.displayName() + " " + version
                    + " is not a version infermon knows (" + found.knownText() + "): its calls are not captured,"
                    + " and its classes are left unchanged");
            return false;
        }
        return instrumentation.appliesTo(version);
    }
}
