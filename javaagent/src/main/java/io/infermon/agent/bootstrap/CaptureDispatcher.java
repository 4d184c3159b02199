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
}
