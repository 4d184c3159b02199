package io.infermon.agent.instrumentation;

import static net.bytebuddy.matcher.ElementMatchers.any;
import static net.bytebuddy.matcher.ElementMatchers.is;
import static net.bytebuddy.matcher.ElementMatchers.isBootstrapClassLoader;
import static net.bytebuddy.matcher.ElementMatchers.isSynthetic;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;

import io.infermon.agent.config.MethodPoint;
import io.infermon.agent.instrumentation.method.MethodPointAdvice;
import io.infermon.agent.instrumentation.method.MethodPointMatchers;
import io.infermon.agent.instrumentation.onnxruntime.OrtSessionInstrumentation;
import io.infermon.agent.instrumentation.runtime.RuntimeGate;
import io.infermon.agent.instrumentation.tensorflow.ConcreteFunctionInstrumentation;
import io.infermon.agent.instrumentation.tensorflow.SavedModelBundleInstrumentation;
import io.infermon.agent.instrumentation.tensorflow.SessionFunctionInstrumentation;
import io.infermon.agent.instrumentation.tensorflow.SessionRunnerInstrumentation;
import io.infermon.agent.instrumentation.tensorflow.legacy.LegacySavedModelLoaderInstrumentation;
import io.infermon.agent.instrumentation.tensorflow.legacy.LegacySessionRunnerInstrumentation;
import io.infermon.agent.util.AgentLog;
import java.lang.instrument.Instrumentation;
import java.util.List;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.utility.JavaModule;

/** Installs every {@link TypeInstrumentation} and every generic method point with Byte Buddy. */
public final class Instrumentations {
    private Instrumentations() {
    }

    /** TensorFlow Java 0.4 to 1.1 and the legacy 1.15 API (which the jar tells apart: the class names are alike). */
    public static List<TypeInstrumentation> tensorFlow() {
        return List.of(new SessionRunnerInstrumentation(), new SessionRunnerInstrumentation.Before05(),
                new SessionFunctionInstrumentation(), new ConcreteFunctionInstrumentation(),
                new SavedModelBundleInstrumentation(), new LegacySessionRunnerInstrumentation(),
                new LegacySavedModelLoaderInstrumentation());
    }

    /** ONNX Runtime's Java API. */
    public static List<TypeInstrumentation> onnxRuntime() {
        return List.of(new OrtSessionInstrumentation());
    }

    /**
     * Installs the instrumentations. Classes already loaded (when attached to a running JVM, or when the host loaded
     * TensorFlow before the agent started) are retransformed; advice only adds code inside existing methods, which
     * retransformation allows.
     */
    public static void install(Instrumentation inst, List<TypeInstrumentation> instrumentations) {
        install(inst, instrumentations, List.of());
    }

    /**
     * As {@link #install(Instrumentation, List)}, plus the generic method points; point {@code i} is bound to index
     * {@code i} of {@code methods}, which the handler uses to find its configuration.
     */
    public static void install(Instrumentation inst, List<TypeInstrumentation> instrumentations,
                               List<MethodPoint> methods) {
        ClassLoader adviceLoader = Instrumentations.class.getClassLoader();
        AgentBuilder builder = new AgentBuilder.Default()
                .disableClassFormatChanges()
                .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                .with(AgentBuilder.DescriptionStrategy.Default.POOL_FIRST)
                .with(new ErrorListener())
                // never the agent itself, whatever a glob matches
                .ignore(any(), isBootstrapClassLoader().or(is(adviceLoader)))
                .or(nameStartsWith("net.bytebuddy.").or(nameStartsWith("io.infermon.agent.")).or(isSynthetic()));
        for (TypeInstrumentation ti : instrumentations) {
            AgentBuilder.Transformer.ForAdvice[] advice = {new AgentBuilder.Transformer.ForAdvice()
                    .include(adviceLoader)};
            ti.applyAdvice((methodMatcher, adviceClass) -> advice[0] = advice[0].advice(methodMatcher,
                    adviceClass.getName()));
            builder = builder.type(new RuntimeGate(ti)).transform(advice[0]);
        }
        for (int i = 0; i < methods.size(); i++) {
            MethodPoint p = methods.get(i);
            AgentBuilder.Transformer.ForAdvice advice = new AgentBuilder.Transformer.ForAdvice(
                    Advice.withCustomMapping().bind(MethodPointAdvice.PointIndex.class, i))
                    .include(adviceLoader)
                    .advice(MethodPointMatchers.methods(p), MethodPointAdvice.class.getName());
            builder = builder.type(MethodPointMatchers.types(p)).transform(advice);
        }
        builder.installOn(inst);
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
