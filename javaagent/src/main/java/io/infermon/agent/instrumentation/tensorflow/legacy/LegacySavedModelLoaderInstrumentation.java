package io.infermon.agent.instrumentation.tensorflow.legacy;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.infermon.agent.bootstrap.CaptureDispatcher;
import io.infermon.agent.instrumentation.TypeInstrumentation;
import io.infermon.agent.instrumentation.runtime.InferenceRuntime;
import net.bytebuddy.asm.Advice;

/**
 * The legacy API's {@code SavedModelBundle.Loader.load()}: {@code SavedModelBundle.load(dir, tags...)} goes through
 * it, and the static method it calls is native (no code to advise). It tells which session belongs to which export
 * directory, hence the model's name and version.
 */
public final class LegacySavedModelLoaderInstrumentation implements TypeInstrumentation {

    @Override
    public String typeName() {
        return "org.tensorflow.SavedModelBundle$Loader";
    }

    @Override
    public InferenceRuntime runtime() {
        return InferenceRuntime.TENSORFLOW_LEGACY;
    }

    @Override
    public void applyAdvice(AdviceSink sink) {
        sink.advise(named("load").and(takesArguments(0)), LoadAdvice.class);
    }

    public static final class LoadAdvice {
        private LoadAdvice() {
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        public static void exit(@Advice.FieldValue("exportDir") String exportDir, @Advice.Return Object bundle) {
            CaptureDispatcher.legacyModelLoaded(bundle, exportDir);
        }
    }
}
