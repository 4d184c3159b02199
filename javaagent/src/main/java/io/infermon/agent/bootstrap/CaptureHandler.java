package io.infermon.agent.bootstrap;

/**
 * What the inlined advice calls, through {@link CaptureDispatcher}. Implemented by the agent in its own class loader;
 * declared here, in the bootstrap loader, so that code inlined into any class loader's classes can reach it.
 * Arguments are plain {@code Object}s because the advice must not name a single TensorFlow, host or agent type.
 *
 * <p>Implementations never throw: advice suppresses throwables anyway, but a throw would skip the bookkeeping that
 * keeps nested calls from being captured twice.
 */
public interface CaptureHandler {

    /**
     * An intercepted call of {@code runtime} ({@link CaptureDispatcher#TENSORFLOW}, ...) starts on this thread.
     * Returns a token for the matching exit (the start time in {@link System#nanoTime()} units), or 0 when this call
     * is not being captured.
     */
    long enter(int runtime);

    /**
     * {@code Session.Runner.runHelper} returned (or threw).
     *
     * @param session      the runner's session
     * @param inputs       the runner's feed {@code Output}s
     * @param inputTensors the fed tensors, in the same order
     * @param outputNames  the fetch names, in fetch order
     * @param result       the returned {@code Result}, or null when the call threw
     * @param thrown       what the call threw, or null
     */
    void exitSessionRun(long token, Object session, Object inputs, Object inputTensors, Object outputNames,
                        Object result, Throwable thrown);

    /**
     * A signature or function call ({@code SessionFunction.call(Map)} or {@code ConcreteFunction.call(Map)}) returned.
     *
     * @param point     the interception point's name
     * @param signature the function's {@code Signature}
     * @param session   the session it runs in, or null for an eager function
     * @param arguments the {@code Map<String, Tensor>} the caller passed
     * @param result    the returned {@code Result}, or null when the call threw
     */
    void exitFunctionCall(long token, String point, Object signature, Object session, Object arguments, Object result,
                          Throwable thrown);

    /** {@code SavedModelBundle} loaded a model from {@code exportDir}. */
    void modelLoaded(Object bundle, String exportDir);

    /**
     * The legacy API's {@code Session.Runner.runHelper} returned (or threw).
     *
     * @param inputs       the runner's feed {@code Output}s
     * @param inputTensors the fed {@code Tensor}s, in the same order
     * @param outputs      the fetched {@code Output}s, in fetch order
     * @param run          the returned {@code Session.Run}, or null when the call threw
     */
    void exitLegacySessionRun(long token, Object session, Object inputs, Object inputTensors, Object outputs,
                              Object run, Throwable thrown);

    /** The legacy API's {@code SavedModelBundle.Loader} loaded a model from {@code exportDir}. */
    void legacyModelLoaded(Object bundle, String exportDir);

    /**
     * ONNX Runtime's {@code OrtSession.run} returned (or threw).
     *
     * @param inputs the {@code Map<String, OnnxTensorLike>} the caller passed
     * @param result the returned {@code OrtSession.Result}, or null when the call threw
     */
    void exitOnnxRun(long token, Object session, Object inputs, Object result, Throwable thrown);

    /** An {@code OrtSession} was created from {@code model}: a path ({@code String}), {@code byte[]} or a buffer. */
    void onnxSessionCreated(Object session, Object model);

    /**
     * A method of a generic {@code method} point starts. {@code a0}..{@code a5} are its first six arguments (null
     * beyond its parameter count; primitives boxed). Returns a token for the exit, 0 when nothing was started.
     */
    long methodEnter(int point, Object a0, Object a1, Object a2, Object a3, Object a4, Object a5);

    /** The method of a {@code method} point returned {@code returned} (boxed; null for void) or threw. */
    void methodExit(long token, int point, Object a0, Object a1, Object a2, Object a3, Object a4, Object a5,
                    Object returned, Throwable thrown);
}
