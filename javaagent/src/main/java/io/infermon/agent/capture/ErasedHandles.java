package io.infermon.agent.capture;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;

/** Method handles on a host library's types, adapted so the agent can call them with plain objects. */
final class ErasedHandles {
    private ErasedHandles() {
    }

    /**
     * Adapts every reference parameter and the reference result to {@code Object}, keeping primitives, so calls are
     * {@code invokeExact} with no boxing of references.
     */
    static MethodHandle erase(MethodHandle h) {
        MethodType t = h.type();
        for (int i = 0; i < t.parameterCount(); i++) {
            if (!t.parameterType(i).isPrimitive()) {
                t = t.changeParameterType(i, Object.class);
            }
        }
        if (!t.returnType().isPrimitive()) {
            t = t.changeReturnType(Object.class);
        }
        return h.asType(t);
    }
}
