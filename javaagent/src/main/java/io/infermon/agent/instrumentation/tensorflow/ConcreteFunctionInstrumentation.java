package io.infermon.agent.instrumentation.tensorflow;


import io.infermon.agent.bootstrap.CaptureDispatcher;
import io.infermon.agent.capture.TensorFlowCaptureHandler;
import io.infermon.agent.instrumentation.TypeInstrumentation;
import io.infermon.agent.instrumentation.runtime.InferenceRuntime;
import net.bytebuddy.asm.Advice;

/**
 * {@code ConcreteFunction.call(Map)}: the eager path, which runs the function without a session runner and so needs
 * its own hook. Its model is the configured one (an eager function has no SavedModel path to name it after).
 */
public final class ConcreteFunctionInstrumentation implements TypeInstrumentation {

    @Override
    public String typeName() {
        return "org.tensorflow.ConcreteFunction";
    }

    @Override
    public InferenceRuntime runtime() {
        return InferenceRuntime.TENSORFLOW_JAVA;
    }

    @Override
    public void applyAdvice(AdviceSink sink) {
        sink.advise(SessionFunctionInstrumentation.callWithTensorMap(), CallAdvice.class);
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
                                @Advice.Argument(0) Object arguments,
                                @Advice.Return Object result,
                                @Advice.Thrown Throwable thrown) {
            CaptureDispatcher.exitFunctionCall(token, TensorFlowCaptureHandler.POINT_FUNCTION, signature, null,
                    arguments, result, thrown);
        }
    }
}
