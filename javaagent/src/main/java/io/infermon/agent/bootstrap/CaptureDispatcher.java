package io.infermon.agent.bootstrap;

/**
 * The one class inlined advice refers to. It lives in the bootstrap class loader, which every class loader can see,
 * so advice inlined into TensorFlow works wherever the host loads TensorFlow from: the class path, a Spring Boot fat
 * jar, a servlet container's web-app loader or an isolated loader.
 *
 * <p>Until the agent installs a handler, and after it turns itself off, every method returns at once.
 */
public final class CaptureDispatcher {
    private static volatile CaptureHandler handler;

    private CaptureDispatcher() {
    }

    /** Installs the handler, or with null turns capture off. */
    public static void install(CaptureHandler newHandler) {
        handler = newHandler;
    }

    public static long enter() {
        CaptureHandler h = handler;
        return h == null ? 0L : h.enter();
    }

    public static void exitSessionRun(long token, Object session, Object inputs, Object inputTensors,
                                      Object outputNames, Object result, Throwable thrown) {
        CaptureHandler h = handler;
        if (h != null) {
            h.exitSessionRun(token, session, inputs, inputTensors, outputNames, result, thrown);
        }
    }

    public static void exitFunctionCall(long token, String point, Object signature, Object session, Object arguments,
                                        Object result, Throwable thrown) {
        CaptureHandler h = handler;
        if (h != null) {
            h.exitFunctionCall(token, point, signature, session, arguments, result, thrown);
        }
    }

    public static void modelLoaded(Object bundle, String exportDir) {
        CaptureHandler h = handler;
        if (h != null) {
            h.modelLoaded(bundle, exportDir);
        }
    }

    public static long methodEnter(int point, Object a0, Object a1, Object a2, Object a3, Object a4, Object a5) {
        CaptureHandler h = handler;
        return h == null ? 0L : h.methodEnter(point, a0, a1, a2, a3, a4, a5);
    }

    public static void methodExit(long token, int point, Object a0, Object a1, Object a2, Object a3, Object a4,
                                  Object a5, Object returned, Throwable thrown) {
        CaptureHandler h = handler;
        if (h != null) {
            h.methodExit(token, point, a0, a1, a2, a3, a4, a5, returned, thrown);
        }
    }
}
