package io.infermon.agent.bootstrap;

/**
 * The one class inlined advice refers to. It lives in the bootstrap class loader, which every class loader can see,
 * so advice inlined into TensorFlow works wherever the host loads TensorFlow from: the class path, a Spring Boot fat
 * jar, a servlet container's web-app loader or an isolated loader.
 *
 * <p>Until the agent installs a handler, and after it turns itself off, every method returns at once.
 *
 * <p>A handler never throws by contract; should one throw anyway (an agent bug), the throwable stops here and is
 * counted ({@code handler_errors}): the advice would suppress it too, but nothing could count it there.
 */
public final class CaptureDispatcher {
    /** {@link #enter(int)}: a call of TensorFlow Java (0.4 to 1.1). */
    public static final int TENSORFLOW = 0;
    /** {@link #enter(int)}: a call of the legacy TensorFlow 1.15 Java API. */
    public static final int TENSORFLOW_LEGACY = 1;
    /** {@link #enter(int)}: a call of ONNX Runtime. */
    public static final int ONNX_RUNTIME = 2;

    private static volatile CaptureHandler handler;
    private static final java.util.concurrent.atomic.LongAdder HANDLER_ERRORS =
            new java.util.concurrent.atomic.LongAdder();

    private CaptureDispatcher() {
    }

    /** Installs the handler, or with null turns capture off. */
    public static void install(CaptureHandler newHandler) {
        handler = newHandler;
    }

    /** Throwables that escaped the handler since the JVM started. */
    public static long handlerErrors() {
        return HANDLER_ERRORS.sum();
    }

    private static void failed() {
        try {
            HANDLER_ERRORS.increment();
        } catch (Throwable ignored) {
            // e.g. out of memory while counting: still nothing reaches the host
        }
    }

    public static long enter() {
        return enter(TENSORFLOW);
    }

    /** An intercepted call of {@code runtime} ({@link #TENSORFLOW}, ...) starts; returns the token for its exit. */
    public static long enter(int runtime) {
        CaptureHandler h = handler;
        try {
            return h == null ? 0L : h.enter(runtime);
        } catch (Throwable t) {
            failed();
            return 0L;
        }
    }

    public static void exitLegacySessionRun(long token, Object session, Object inputs, Object inputTensors,
                                            Object outputs, Object run, Throwable thrown) {
        CaptureHandler h = handler;
        if (h != null) {
            try {
                h.exitLegacySessionRun(token, session, inputs, inputTensors, outputs, run, thrown);
            } catch (Throwable t) {
                failed();
            }
        }
    }

    public static void legacyModelLoaded(Object bundle, String exportDir) {
        CaptureHandler h = handler;
        if (h != null) {
            try {
                h.legacyModelLoaded(bundle, exportDir);
            } catch (Throwable t) {
                failed();
            }
        }
    }

    public static void exitOnnxRun(long token, Object session, Object inputs, Object result, Throwable thrown) {
        CaptureHandler h = handler;
        if (h != null) {
            try {
                h.exitOnnxRun(token, session, inputs, result, thrown);
            } catch (Throwable t) {
                failed();
            }
        }
    }

    public static void onnxSessionCreated(Object session, Object model) {
        CaptureHandler h = handler;
        if (h != null) {
            try {
                h.onnxSessionCreated(session, model);
            } catch (Throwable t) {
                failed();
            }
        }
    }

    public static void exitSessionRun(long token, Object session, Object inputs, Object inputTensors,
                                      Object outputNames, Object result, Throwable thrown) {
        CaptureHandler h = handler;
        if (h != null) {
            try {
                h.exitSessionRun(token, session, inputs, inputTensors, outputNames, result, thrown);
            } catch (Throwable t) {
                failed();
            }
        }
    }

    public static void exitFunctionCall(long token, String point, Object signature, Object session, Object arguments,
                                        Object result, Throwable thrown) {
        CaptureHandler h = handler;
        if (h != null) {
            try {
                h.exitFunctionCall(token, point, signature, session, arguments, result, thrown);
            } catch (Throwable t) {
                failed();
            }
        }
    }

    public static void modelLoaded(Object bundle, String exportDir) {
        CaptureHandler h = handler;
        if (h != null) {
            try {
                h.modelLoaded(bundle, exportDir);
            } catch (Throwable t) {
                failed();
            }
        }
    }

    public static long methodEnter(int point, Object a0, Object a1, Object a2, Object a3, Object a4, Object a5) {
        CaptureHandler h = handler;
        try {
            return h == null ? 0L : h.methodEnter(point, a0, a1, a2, a3, a4, a5);
        } catch (Throwable t) {
            failed();
            return 0L;
        }
    }

    public static void methodExit(long token, int point, Object a0, Object a1, Object a2, Object a3, Object a4,
                                  Object a5, Object returned, Throwable thrown) {
        CaptureHandler h = handler;
        if (h != null) {
            try {
                h.methodExit(token, point, a0, a1, a2, a3, a4, a5, returned, thrown);
            } catch (Throwable t) {
                failed();
            }
        }
    }
}
