package io.infermon.agent.instrumentation.tensorflow;

import static net.bytebuddy.matcher.ElementMatchers.isPrivate;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.infermon.agent.bootstrap.CaptureDispatcher;
import io.infermon.agent.instrumentation.TypeInstrumentation;
import io.infermon.agent.instrumentation.runtime.InferenceRuntime;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * {@code Session.Runner.runHelper(boolean)}: the private method every session path funnels into ({@code run()},
 * {@code runAndFetchMetadata()}, {@code Session.run(...)}, and the runner a signature call builds). Its fields hold
 * the feeds, the fed tensors and the fetch names; the returned {@code Result} holds the fetched tensors.
 *
 * <p>Before 0.5 the runner kept no fetch names and returned a {@code Session.Run} (its {@code outputs} list holds
 * the fetched tensors): {@link Before05} hands over the fetched {@code Output}s instead of their names.
 */
public final class SessionRunnerInstrumentation implements TypeInstrumentation {

    @Override
    public String typeName() {
        return "org.tensorflow.Session$Runner";
    }

    @Override
    public InferenceRuntime runtime() {
        return InferenceRuntime.TENSORFLOW_JAVA;
    }

    @Override
    public boolean appliesTo(String version) {
        return !Before05.isBefore05(version);
    }

    @Override
    public void applyAdvice(AdviceSink sink) {
        sink.advise(runHelper(), RunHelperAdvice.class);
    }

    /** Made when a class is transformed, not at the agent's start: a matcher loads a good part of Byte Buddy. */
    static ElementMatcher<MethodDescription> runHelper() {
        return named("runHelper").and(isPrivate()).and(takesArguments(boolean.class));
    }

    /** TensorFlow Java 0.4: the same funnel, without the {@code outputNames} field. */
    public static final class Before05 implements TypeInstrumentation {
        static boolean isBefore05(String version) {
            return version.startsWith("0.4.");
        }

        @Override
        public String typeName() {
            return "org.tensorflow.Session$Runner";
        }

        @Override
        public InferenceRuntime runtime() {
            return InferenceRuntime.TENSORFLOW_JAVA;
        }

        @Override
        public boolean appliesTo(String version) {
            return isBefore05(version);
        }

        @Override
        public void applyAdvice(AdviceSink sink) {
            sink.advise(runHelper(), RunHelperAdvice04.class);
        }
    }

    public static final class RunHelperAdvice04 {
        private RunHelperAdvice04() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static long enter() {
            return CaptureDispatcher.enter();
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.Enter long token,
                                @Advice.FieldValue("this$0") Object session,
                                @Advice.FieldValue("inputs") Object inputs,
                                @Advice.FieldValue("inputTensors") Object inputTensors,
                                @Advice.FieldValue("outputs") Object outputs,
                                @Advice.Return Object run,
                                @Advice.Thrown Throwable thrown) {
            CaptureDispatcher.exitSessionRun(token, session, inputs, inputTensors, outputs, run, thrown);
        }
    }

    public static final class RunHelperAdvice {
        private RunHelperAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static long enter() {
            return CaptureDispatcher.enter();
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.Enter long token,
                                @Advice.FieldValue("this$0") Object session,
                                @Advice.FieldValue("inputs") Object inputs,
                                @Advice.FieldValue("inputTensors") Object inputTensors,
                                @Advice.FieldValue("outputNames") Object outputNames,
                                @Advice.Return Object result,
                                @Advice.Thrown Throwable thrown) {
            CaptureDispatcher.exitSessionRun(token, session, inputs, inputTensors, outputNames, result, thrown);
        }
    }
}
