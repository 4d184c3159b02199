package io.infermon.agent.instrumentation;

import io.infermon.agent.instrumentation.runtime.InferenceRuntime;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * One intercepted type: which classes it matches and which advice goes on which of their methods. Advice classes
 * are static, tiny, refer to nothing but {@link io.infermon.agent.bootstrap.CaptureDispatcher} and JDK types, and
 * suppress every throwable, so a problem in the agent can never surface in the host's call.
 *
 * <p>A type is only transformed when it comes from {@link #runtime()}'s jar in a version the agent knows and
 * {@link #appliesTo} that version ({@link io.infermon.agent.instrumentation.runtime.RuntimeGate}).
 */
public interface TypeInstrumentation {

    /**
     * The binary name of the one class this instruments ({@code org.tensorflow.Session$Runner}): classes are told
     * apart by name alone, before anything is parsed ({@link RuntimeTransformer}).
     */
    String typeName();

    /** The library whose classes this instruments. */
    InferenceRuntime runtime();

    /** Whether this instrumentation is the one for {@code version} (a known version of {@link #runtime()}). */
    default boolean appliesTo(String version) {
        return true;
    }

    /** Declares the advice for this type's methods. */
    void applyAdvice(AdviceSink sink);

    /** Receives (method matcher, advice class) pairs. */
    interface AdviceSink {
        void advise(ElementMatcher<? super MethodDescription> methods, Class<?> adviceClass);
    }
}
