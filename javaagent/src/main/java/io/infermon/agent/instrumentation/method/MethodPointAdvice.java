package io.infermon.agent.instrumentation.method;

import io.infermon.agent.bootstrap.CaptureDispatcher;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * The advice of every generic {@code method} point. The point's index is a constant bound per point
 * ({@link PointIndex}); the first six arguments and the return value are handed over as {@code Object}s, so no array
 * is allocated per call (primitive arguments and results are boxed, which costs nothing for the arrays, lists and
 * tensors models take).
 */
public final class MethodPointAdvice {
    private MethodPointAdvice() {
    }

    /** Bound to the point's index in {@code AgentConfig.methods()}. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.PARAMETER)
    public @interface PointIndex {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static long enter(@PointIndex int point,
                             @Advice.Argument(value = 0, optional = true, typing = Assigner.Typing.DYNAMIC) Object a0,
                             @Advice.Argument(value = 1, optional = true, typing = Assigner.Typing.DYNAMIC) Object a1,
                             @Advice.Argument(value = 2, optional = true, typing = Assigner.Typing.DYNAMIC) Object a2,
                             @Advice.Argument(value = 3, optional = true, typing = Assigner.Typing.DYNAMIC) Object a3,
                             @Advice.Argument(value = 4, optional = true, typing = Assigner.Typing.DYNAMIC) Object a4,
                             @Advice.Argument(value = 5, optional = true, typing = Assigner.Typing.DYNAMIC) Object a5) {
        return CaptureDispatcher.methodEnter(point, a0, a1, a2, a3, a4, a5);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@PointIndex int point, @Advice.Enter long token,
                            @Advice.Argument(value = 0, optional = true, typing = Assigner.Typing.DYNAMIC) Object a0,
                            @Advice.Argument(value = 1, optional = true, typing = Assigner.Typing.DYNAMIC) Object a1,
                            @Advice.Argument(value = 2, optional = true, typing = Assigner.Typing.DYNAMIC) Object a2,
                            @Advice.Argument(value = 3, optional = true, typing = Assigner.Typing.DYNAMIC) Object a3,
                            @Advice.Argument(value = 4, optional = true, typing = Assigner.Typing.DYNAMIC) Object a4,
                            @Advice.Argument(value = 5, optional = true, typing = Assigner.Typing.DYNAMIC) Object a5,
                            @Advice.Return(typing = Assigner.Typing.DYNAMIC) Object returned,
                            @Advice.Thrown Throwable thrown) {
        CaptureDispatcher.methodExit(token, point, a0, a1, a2, a3, a4, a5, returned, thrown);
    }
}
