package io.infermon.agent.instrumentation;

import static net.bytebuddy.matcher.ElementMatchers.any;
import static net.bytebuddy.matcher.ElementMatchers.is;
import static net.bytebuddy.matcher.ElementMatchers.isBootstrapClassLoader;
import static net.bytebuddy.matcher.ElementMatchers.isSynthetic;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;

import io.infermon.agent.config.MethodPoint;
import io.infermon.agent.instrumentation.method.MethodPointAdvice;
import io.infermon.agent.instrumentation.method.MethodPointMatchers;
import io.infermon.agent.util.AgentLog;
import io.infermon.agent.util.StartupTrace;
import java.lang.instrument.Instrumentation;
import java.util.List;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.utility.JavaModule;

/**
 * The generic method points, with Byte Buddy's {@code AgentBuilder}: they match classes by glob or by super type,
 * which needs type descriptions, and so the builder's start-up cost (its classes, the scan of the classes already
 * loaded) is paid only when {@code agent.yaml} has {@code methods}.
 */
final class MethodPointInstaller {
    private MethodPointInstaller() {
    }

    /**
     * A builder made with Byte Buddy's {@code Nexus} off: its default initialisation strategy creates the accessor of
     * the Nexus, which reaches for {@code sun.misc.Unsafe} (on JDK 24 and later the JVM then names Byte Buddy in a
     * warning on the host's standard error) for a class-injection the agent never uses: with
     * {@code disableClassFormatChanges()} nothing is initialised through the Nexus. Byte Buddy reads the property once,
     * when the agent's own copy of the accessor is initialised here; the host's value is put back at once.
     */
    private static AgentBuilder withoutNexus() {
        String property = "net.bytebuddy.nexus.disabled";
        String before = System.getProperty(property);
        System.setProperty(property, "true");
        try {
            return new AgentBuilder.Default();
        } finally {
            if (before == null) {
                System.clearProperty(property);
            } else {
                System.setProperty(property, before);
            }
        }
    }

    static void install(Instrumentation inst, List<MethodPoint> methods) {
        ClassLoader adviceLoader = MethodPointInstaller.class.getClassLoader();
        AgentBuilder builder = withoutNexus()
                .disableClassFormatChanges()
                .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                .with(AgentBuilder.DescriptionStrategy.Default.POOL_FIRST)
                .with(new ErrorListener())
                // never the agent itself, whatever a glob matches
                .ignore(any(), isBootstrapClassLoader().or(is(adviceLoader)))
                .or(nameStartsWith("net.bytebuddy.").or(nameStartsWith("io.infermon.agent.")).or(isSynthetic()));
        for (int i = 0; i < methods.size(); i++) {
            MethodPoint p = methods.get(i);
            AgentBuilder.Transformer.ForAdvice advice = new AgentBuilder.Transformer.ForAdvice(
                    Advice.withCustomMapping().bind(MethodPointAdvice.PointIndex.class, i))
                    .include(adviceLoader)
                    .advice(MethodPointMatchers.methods(p), MethodPointAdvice.class.getName());
            builder = builder.type(MethodPointMatchers.types(p)).transform(advice);
        }
        builder.installOn(inst);
        StartupTrace.mark("method points installed");
    }

    /** Reports a type the agent could not instrument, once per type. */
    private static final class ErrorListener extends AgentBuilder.Listener.Adapter {
        @Override
        public void onError(String typeName, ClassLoader classLoader, JavaModule module, boolean loaded,
                            Throwable throwable) {
            AgentLog.once("instrument:" + typeName, "cannot instrument " + typeName + " (" + throwable
                    + "); its calls are not captured");
        }

        @Override
        public void onTransformation(TypeDescription typeDescription, ClassLoader classLoader, JavaModule module,
                                     boolean loaded, DynamicType dynamicType) {
            // quiet: one line per instrumented type would be noise in a host with many class loaders
        }
    }
}
