package io.infermon.agent.instrumentation;

import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * One intercepted type: which classes it matches and which advice goes on which of their methods. Advice classes
 * are static, tiny, refer to nothing but {@link io.infermon.agent.bootstrap.CaptureDispatcher} and JDK types, and
 * suppress every throwable, so a problem in the agent can never surface in the host's call.
 */
public interface TypeInstrumentation {

    ElementMatcher<TypeDescription> typeMatcher();

    /** Declares the advice for this type's methods. */
    void applyAdvice(AdviceSink sink);

    /** Receives (method matcher, advice class) pairs. */
    interface AdviceSink {
        void advise(ElementMatcher<? super MethodDescription> methods, Class<?> adviceClass);
    }
}
