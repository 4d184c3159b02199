package io.infermon.agent.capture;

import io.infermon.agent.bootstrap.CaptureDispatcher;
import io.infermon.agent.bootstrap.CaptureHandler;
import io.infermon.agent.config.AgentConfig;
import io.infermon.agent.queue.CaptureRing;
import io.infermon.agent.util.EpochClock;

/**
 * The handler the dispatcher calls: each runtime's calls to its own part (TensorFlow Java, the legacy TensorFlow
 * API, ONNX Runtime), generic method points to another.
 */
public final class AgentCaptureHandler implements CaptureHandler {
    private final TensorFlowCaptureHandler tensorFlow;
    private final LegacyTensorFlowCaptureHandler legacyTensorFlow;
    private final OnnxRuntimeCaptureHandler onnxRuntime;
    private final MethodCaptureHandler methods;

    /** @param inFlight where calls in flight are tracked for the queue writer's watermark */
    public AgentCaptureHandler(CaptureRing ring, CaptureCounters counters, EpochClock clock, AgentConfig config,
                               InFlightCalls inFlight) {
        CaptureContext context = new CaptureContext(ring, counters, clock, config, inFlight);
        this.tensorFlow = new TensorFlowCaptureHandler(context);
        this.legacyTensorFlow = new LegacyTensorFlowCaptureHandler(context, tensorFlow);
        this.onnxRuntime = new OnnxRuntimeCaptureHandler(context);
        this.methods = new MethodCaptureHandler(context, config.methods());
    }

    @Override
    public long enter(int runtime) {
        return switch (runtime) {
            case CaptureDispatcher.TENSORFLOW_LEGACY -> legacyTensorFlow.enter();
            case CaptureDispatcher.ONNX_RUNTIME -> onnxRuntime.enter();
            default -> tensorFlow.enter();
        };
    }

    @Override
    public void exitLegacySessionRun(long token, Object session, Object inputs, Object inputTensors, Object outputs,
                                     Object run, Throwable thrown) {
        legacyTensorFlow.exitSessionRun(token, session, inputs, inputTensors, outputs, run, thrown);
    }

    @Override
    public void legacyModelLoaded(Object bundle, String exportDir) {
        legacyTensorFlow.modelLoaded(bundle, exportDir);
    }

    @Override
    public void exitOnnxRun(long token, Object session, Object inputs, Object result, Throwable thrown) {
        onnxRuntime.exitRun(token, session, inputs, result, thrown);
    }

    @Override
    public void onnxSessionCreated(Object session, Object model) {
        onnxRuntime.sessionCreated(session, model);
    }

    @Override
    public void exitSessionRun(long token, Object session, Object inputs, Object inputTensors, Object outputNames,
                               Object result, Throwable thrown) {
        tensorFlow.exitSessionRun(token, session, inputs, inputTensors, outputNames, result, thrown);
    }

    @Override
    public void exitFunctionCall(long token, String point, Object signature, Object session, Object arguments,
                                 Object result, Throwable thrown) {
        tensorFlow.exitFunctionCall(token, point, signature, session, arguments, result, thrown);
    }

    @Override
    public void modelLoaded(Object bundle, String exportDir) {
        tensorFlow.modelLoaded(bundle, exportDir);
    }

    @Override
    public long methodEnter(int point, Object a0, Object a1, Object a2, Object a3, Object a4, Object a5) {
        return methods.enter(point, a0, a1, a2, a3, a4, a5);
    }

    @Override
    public void methodExit(long token, int point, Object a0, Object a1, Object a2, Object a3, Object a4, Object a5,
                           Object returned, Throwable thrown) {
        methods.exit(token, point, a0, a1, a2, a3, a4, a5, returned, thrown);
    }
}
