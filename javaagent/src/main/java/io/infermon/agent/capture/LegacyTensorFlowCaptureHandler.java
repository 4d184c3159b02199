package io.infermon.agent.capture;

import io.infermon.agent.util.AgentLog;
import io.infermon.capture.TensorRole;
import java.util.List;

/**
 * Turns session runs of the legacy TensorFlow 1.15 Java API into capture records, with the same rules as
 * {@link TensorFlowCaptureHandler} (whose filters, roles, sampling and model names it shares): only the outermost
 * call on a thread, runs that fetch nothing are TensorFlow's housekeeping and skipped, tensors copied on the calling
 * thread, nothing thrown. The interception point is {@code tensorflow.session}, as for the current API: a session run
 * is a session run, whichever API made it.
 */
final class LegacyTensorFlowCaptureHandler {
    private final CaptureContext context;
    private final TensorFlowCaptureHandler tensorFlow;

    LegacyTensorFlowCaptureHandler(CaptureContext context, TensorFlowCaptureHandler tensorFlow) {
        this.context = context;
        this.tensorFlow = tensorFlow;
    }

    long enter() {
        try {
            ThreadState state = context.thread();
            state.legacyTensorFlow.depth++;
            long now = state.call.start();
            return now == 0 ? 1 : now; // 0 means "not counted" to exit
        } catch (Throwable t) {
            return 0;
        }
    }

    void exitSessionRun(long token, Object session, Object inputs, Object inputTensors, Object outputs, Object run,
                        Throwable thrown) {
        long end = System.nanoTime();
        if (token == 0) {
            return;
        }
        ThreadState state;
        try {
            state = context.thread();
        } catch (Throwable t) {
            return;
        }
        LegacyTensorCall call = state.legacyTensorFlow;
        try {
            if (call.depth > 0) {
                call.depth--;
            }
            if (call.depth > 0 || thrown != null || run == null) {
                return;
            }
            List<?> fetches = (List<?>) outputs;
            if (fetches.isEmpty()) {
                context.counters.callsNotInference.increment();
                return;
            }
            if (!tensorFlow.admit(end) || !tensorFlow.signatureAdmitted("")) {
                return;
            }
            LegacyTensorFlowApi api = LegacyTensorFlowApi.of(run);
            call.begin(api, TensorFlowCaptureHandler.POINT_SESSION, tensorFlow.modelOf(session), state.requestId(),
                    token, end, context.clock.toEpochNanos(token));
            List<?> feeds = (List<?>) inputs;
            List<?> fed = (List<?>) inputTensors;
            for (int i = 0; i < fed.size(); i++) {
                add(call, api.outputName(feeds.get(i)), TensorRole.INPUT, fed.get(i));
            }
            List<?> fetched = (List<?>) (Object) api.runOutputs.invokeExact(run);
            for (int i = 0; i < fetched.size(); i++) {
                add(call, api.outputName(fetches.get(i)), TensorRole.OUTPUT, fetched.get(i));
            }
            context.write(call);
        } catch (Throwable t) {
            context.dropped(t);
        } finally {
            call.clear();
            state.call.end(); // after the record is in the ring: the writer's watermark may now pass its start
        }
    }

    private void add(LegacyTensorCall call, String name, TensorRole role, Object tensor) throws Throwable {
        if (tensorFlow.tensorAdmitted(role, name)) {
            call.add(name, role, tensorFlow.meaningOf(name), tensor);
        }
    }

    void modelLoaded(Object bundle, String exportDir) {
        try {
            if (bundle == null || exportDir == null) {
                return;
            }
            tensorFlow.register(LegacyTensorFlowApi.of(bundle).bundleSession.invokeExact(bundle), exportDir);
        } catch (Throwable t) {
            AgentLog.once("legacy-model-load:" + t.getClass().getName(), "cannot identify a loaded SavedModel (" + t
                    + "); its calls are recorded under the default model name");
        }
    }
}
