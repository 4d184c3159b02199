package io.infermon.agent.instrumentation.tensorflow;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.returns;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.infermon.agent.bootstrap.CaptureDispatcher;
import io.infermon.agent.capture.TensorFlowCaptureHandler;
import io.infermon.agent.instrumentation.TypeInstrumentation;
import io.infermon.agent.instrumentation.runtime.InferenceRuntime;
import java.util.Map;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * {@code SessionFunction.call(Map)}: a SavedModel signature call ({@code SavedModelBundle.call} and
 * {@code TensorFunction.call(Tensor)} come here too). Captured here rather than in the runner it builds, because only
 * here are the signature's key and its input and output names known; the nested runner call is not captured again.
 */
public final class SessionFunctionInstrumentation implements TypeInstrumentation {

    @Override
    public String typeName() {
        return "org.tensorflow.SessionFunction";
    }

    @Override
    public InferenceRuntime runtime() {
        return InferenceRuntime.TENSORFLOW_JAVA;
    }

    @Override
    public void applyAdvice(AdviceSink sink) {
        sink.advise(callWithTensorMap(), CallAdvice.class);
    }

    /**
     * {@code Result call(Map<String, Tensor>)}, the tensor-in, tensor-out call of every TensorFlow function type
     * ({@code Map<String, Tensor> call(Map<String, Tensor>)} before 0.5, which had no {@code Result}). Made when a class
     * is transformed, not at the agent's start: a matcher loads a good part of Byte Buddy.
     */
    static ElementMatcher<MethodDescription> callWithTensorMap() {
        return named("call").and(takesArguments(1)).and(takesArgument(0, Map.class))
                .and(returns(named("org.tensorflow.Result").or(named("java.util.Map"))));
    }

    public static final class CallAdvice {
        private CallAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static long enter() {
            return CaptureDispatcher.enter();
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.Enter long token,
                                @Advice.FieldValue("signature") Object signature,
                                @Advice.FieldValue("session") Object session,
                                @Advice.Argument(0) Object arguments,
                                @Advice.Return Object result,
                                @Advice.Thrown Throwable thrown) {
            CaptureDispatcher.exitFunctionCall(token, TensorFlowCaptureHandler.POINT_SIGNATURE, signature, session,
                    arguments, result, thrown);
        }
    }
}
