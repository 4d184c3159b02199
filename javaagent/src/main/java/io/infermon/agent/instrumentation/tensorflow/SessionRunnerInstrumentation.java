package io.infermon.agent.instrumentation.tensorflow;

import static net.bytebuddy.matcher.ElementMatchers.isPrivate;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.infermon.agent.bootstrap.CaptureDispatcher;
import io.infermon.agent.instrumentation.TypeInstrumentation;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * {@code Session.Runner.runHelper(boolean)}: the private method every session path funnels into ({@code run()},
 * {@code runAndFetchMetadata()}, {@code Session.run(...)}, and the runner a signature call builds). Its fields hold
 * the feeds, the fed tensors and the fetch names; the returned {@code Result} holds the fetched tensors.
 */
public final class SessionRunnerInstrumentation implements TypeInstrumentation {

    @Override
    public ElementMatcher<TypeDescription> typeMatcher() {
        return named("org.tensorflow.Session$Runner");
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
