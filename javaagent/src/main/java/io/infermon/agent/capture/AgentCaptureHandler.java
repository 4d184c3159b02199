package io.infermon.agent.capture;

import io.infermon.agent.bootstrap.CaptureHandler;
import io.infermon.agent.config.AgentConfig;
import io.infermon.agent.queue.CaptureRing;
import io.infermon.agent.util.EpochClock;

/** The handler the dispatcher calls: TensorFlow calls to one part, generic method points to the other. */
public final class AgentCaptureHandler implements CaptureHandler {
    private final TensorFlowCaptureHandler tensorFlow;
    private final MethodCaptureHandler methods;

    /** @param inFlight where calls in flight are tracked for the queue writer's watermark */
    public AgentCaptureHandler(CaptureRing ring, CaptureCounters counters, EpochClock clock, AgentConfig config,
                               InFlightCalls inFlight) {
        CaptureContext context = new CaptureContext(ring, counters, clock, config, inFlight);
        this.tensorFlow = new TensorFlowCaptureHandler(context);
        this.methods = new MethodCaptureHandler(context, config.methods());
    }

    @Override
    public long enter() {
        return tensorFlow.enter();
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
