package io.infermon.agent.instrumentation.tensorflow;

import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.infermon.agent.bootstrap.CaptureDispatcher;
import io.infermon.agent.instrumentation.TypeInstrumentation;
import io.infermon.agent.instrumentation.runtime.InferenceRuntime;
import net.bytebuddy.asm.Advice;

/**
 * The private static {@code SavedModelBundle.load(String, String[], ConfigProto, RunOptions)} that every public way
 * of loading a SavedModel ends in: it tells which session belongs to which export directory, and so which model name
 * and version each later call records.
 */
public final class SavedModelBundleInstrumentation implements TypeInstrumentation {

    @Override
    public String typeName() {
        return "org.tensorflow.SavedModelBundle";
    }

    @Override
    public InferenceRuntime runtime() {
        return InferenceRuntime.TENSORFLOW_JAVA;
    }

    @Override
    public void applyAdvice(AdviceSink sink) {
        sink.advise(named("load").and(isStatic()).and(takesArguments(4)).and(takesArgument(0, String.class)),
                LoadAdvice.class);
    }

    public static final class LoadAdvice {
        private LoadAdvice() {
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        public static void exit(@Advice.Argument(0) String exportDir, @Advice.Return Object bundle) {
            CaptureDispatcher.modelLoaded(bundle, exportDir);
        }
    }
}
