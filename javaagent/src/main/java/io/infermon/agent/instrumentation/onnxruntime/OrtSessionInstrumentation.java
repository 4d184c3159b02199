package io.infermon.agent.instrumentation.onnxruntime;

import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.infermon.agent.bootstrap.CaptureDispatcher;
import io.infermon.agent.instrumentation.TypeInstrumentation;
import io.infermon.agent.instrumentation.runtime.InferenceRuntime;
import java.util.Map;
import java.util.Set;
import net.bytebuddy.asm.Advice;

/**
 * ONNX Runtime's {@code OrtSession}:
 * <ul>
 *   <li>{@code run(Map inputs, Set requestedOutputs, Map pinnedOutputs, RunOptions)}: every public {@code run}
 *       overload delegates to it, and it alone calls the native run; its arguments hold the named inputs, its
 *       {@code Result} the named outputs;</li>
 *   <li>the constructors from a model path, bytes or a {@code ByteBuffer} ({@code OrtEnvironment.createSession}
 *       calls them): they tell which session runs which model, hence its name and version.</li>
 * </ul>
 */
public final class OrtSessionInstrumentation implements TypeInstrumentation {

    @Override
    public String typeName() {
        return "ai.onnxruntime.OrtSession";
    }

    @Override
    public InferenceRuntime runtime() {
        return InferenceRuntime.ONNX_RUNTIME;
    }

    @Override
    public void applyAdvice(AdviceSink sink) {
        sink.advise(named("run").and(isPublic()).and(takesArguments(4)).and(takesArgument(0, Map.class))
                .and(takesArgument(1, Set.class)).and(takesArgument(2, Map.class)), RunAdvice.class);
        sink.advise(isConstructor().and(takesArguments(4)).and(takesArgument(0, named("ai.onnxruntime.OrtEnvironment")))
                .and(takesArgument(1, String.class).or(takesArgument(1, byte[].class))
                        .or(takesArgument(1, java.nio.ByteBuffer.class))), CreateAdvice.class);
    }

    public static final class RunAdvice {
        private RunAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static long enter() {
            return CaptureDispatcher.enter(CaptureDispatcher.ONNX_RUNTIME);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.Enter long token,
                                @Advice.This Object session,
                                @Advice.Argument(0) Object inputs,
                                @Advice.Return Object result,
                                @Advice.Thrown Throwable thrown) {
            CaptureDispatcher.exitOnnxRun(token, session, inputs, result, thrown);
        }
    }

    public static final class CreateAdvice {
        private CreateAdvice() {
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        public static void exit(@Advice.This Object session, @Advice.Argument(1) Object model) {
            CaptureDispatcher.onnxSessionCreated(session, model);
        }
    }
}
