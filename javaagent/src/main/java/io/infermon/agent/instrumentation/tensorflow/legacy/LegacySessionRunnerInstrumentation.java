package io.infermon.agent.instrumentation.tensorflow.legacy;

import static net.bytebuddy.matcher.ElementMatchers.isPrivate;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.infermon.agent.bootstrap.CaptureDispatcher;
import io.infermon.agent.instrumentation.TypeInstrumentation;
import io.infermon.agent.instrumentation.runtime.InferenceRuntime;
import net.bytebuddy.asm.Advice;

/**
 * The legacy TensorFlow 1.15 Java API's {@code Session.Runner.runHelper(boolean)}: {@code run()} and
 * {@code runAndFetchMetadata()} both end in it. Its fields hold the feeds ({@code Output}s), the fed {@code Tensor}s
 * and the fetched {@code Output}s; the returned {@code Session.Run} holds the fetched tensors in {@code outputs}.
 * The class has the same name as the current API's runner, so the jar decides which instrumentation applies.
 */
public final class LegacySessionRunnerInstrumentation implements TypeInstrumentation {

    @Override
    public String typeName() {
        return "org.tensorflow.Session$Runner";
    }

    @Override
    public InferenceRuntime runtime() {
        return InferenceRuntime.TENSORFLOW_LEGACY;
    }

    @Override
    public void applyAdvice(AdviceSink sink) {
        sink.advise(named("runHelper").and(isPrivate()).and(takesArguments(boolean.class)), RunHelperAdvice.class);
    }

    public static final class RunHelperAdvice {
        private RunHelperAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static long enter() {
            return CaptureDispatcher.enter(CaptureDispatcher.TENSORFLOW_LEGACY);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.Enter long token,
                                @Advice.FieldValue("this$0") Object session,
                                @Advice.FieldValue("inputs") Object inputs,
                                @Advice.FieldValue("inputTensors") Object inputTensors,
                                @Advice.FieldValue("outputs") Object outputs,
                                @Advice.Return Object run,
                                @Advice.Thrown Throwable thrown) {
            CaptureDispatcher.exitLegacySessionRun(token, session, inputs, inputTensors, outputs, run, thrown);
        }
    }
}
