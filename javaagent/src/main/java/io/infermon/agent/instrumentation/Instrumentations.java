package io.infermon.agent.instrumentation;

import io.infermon.agent.config.MethodPoint;
import io.infermon.agent.instrumentation.onnxruntime.OrtSessionInstrumentation;
import io.infermon.agent.instrumentation.tensorflow.ConcreteFunctionInstrumentation;
import io.infermon.agent.instrumentation.tensorflow.SavedModelBundleInstrumentation;
import io.infermon.agent.instrumentation.tensorflow.SessionFunctionInstrumentation;
import io.infermon.agent.instrumentation.tensorflow.SessionRunnerInstrumentation;
import io.infermon.agent.instrumentation.tensorflow.legacy.LegacySavedModelLoaderInstrumentation;
import io.infermon.agent.instrumentation.tensorflow.legacy.LegacySessionRunnerInstrumentation;
import io.infermon.agent.util.StartupTrace;
import java.lang.instrument.Instrumentation;
import java.util.List;

/** Installs every {@link TypeInstrumentation} and every generic method point. */
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
     * Installs the instrumentations and the generic method points. Classes already loaded (when attached to a running
     * JVM, or when the host loaded TensorFlow before the agent started) are retransformed; advice only adds code
     * inside existing methods, which retransformation allows. Point {@code i} is bound to index {@code i} of
     * {@code methods}, which the handler uses to find its configuration.
     *
     * <p>The runtimes go through a {@link RuntimeTransformer} (by class name, JDK types only until a class matches),
     * while a thread of its own, {@code infermon-warm-up}, loads what a rewrite needs of Byte Buddy (unless the
     * rewrites are cached from an earlier start or bundled with the agent, {@link RewriteCache}). Method points match
     * by glob or by super type, which needs type descriptions: they keep Byte Buddy's {@code AgentBuilder}, and its
     * cost at start-up, only when there are any.
     *
     * @param onRuntimeClass run when the host defines a class of an inference runtime ({@link RuntimeTransformer})
     */
    public static void install(Instrumentation inst, List<TypeInstrumentation> instrumentations,
                               List<MethodPoint> methods, Runnable onRuntimeClass) {
        if (!instrumentations.isEmpty()) {
            new RuntimeTransformer(instrumentations, onRuntimeClass).install(inst);
            StartupTrace.mark("runtime transformer installed");
        }
        if (!methods.isEmpty()) {
            MethodPointInstaller.install(inst, methods); // a class of its own: verifying this one loads none of it
        }
    }
}
