package io.infermon.agent.capture;

import io.infermon.agent.bootstrap.CaptureHandler;

/**
 * A handler that throws from every method, installed instead of the real one only when the JVM runs with
 * {@code -Dinfermon.testing.handler_throws=true}. It exists for the fault-matrix test (docs/operations.md): it proves
 * on real TensorFlow classes that a throwing agent leaves the host's calls and results untouched and is counted
 * ({@code handler_errors}). Never set it in production: nothing is captured while it is on.
 */
public final class ThrowingCaptureHandler implements CaptureHandler {
    public static final String PROPERTY = "infermon.testing.handler_throws";

    private static RuntimeException fault() {
        return new IllegalStateException(PROPERTY + " is set: the capture handler throws on purpose");
    }

    @Override
    public long enter(int runtime) {
        throw fault();
    }

    @Override
    public void exitLegacySessionRun(long token, Object session, Object inputs, Object inputTensors, Object outputs,
                                     Object run, Throwable thrown) {
        throw fault();
    }

    @Override
    public void legacyModelLoaded(Object bundle, String exportDir) {
        throw fault();
    }

    @Override
    public void exitOnnxRun(long token, Object session, Object inputs, Object result, Throwable thrown) {
        throw fault();
    }

    @Override
    public void onnxSessionCreated(Object session, Object model) {
        throw fault();
    }

    @Override
    public void exitSessionRun(long token, Object session, Object inputs, Object inputTensors, Object outputNames,
                               Object result, Throwable thrown) {
        throw fault();
    }

    @Override
    public void exitFunctionCall(long token, String point, Object signature, Object session, Object arguments,
                                 Object result, Throwable thrown) {
        throw fault();
    }

    @Override
    public void modelLoaded(Object bundle, String exportDir) {
        throw fault();
    }

    @Override
    public long methodEnter(int point, Object a0, Object a1, Object a2, Object a3, Object a4, Object a5) {
        throw fault();
    }

    @Override
    public void methodExit(long token, int point, Object a0, Object a1, Object a2, Object a3, Object a4, Object a5,
                           Object returned, Throwable thrown) {
        throw fault();
    }
}
