package io.infermon.agent.capture;

import io.infermon.agent.bootstrap.CaptureHandler;
import io.infermon.agent.queue.CaptureRing;
import io.infermon.agent.util.AgentLog;
import io.infermon.agent.util.EpochClock;
import io.infermon.capture.CaptureCodec;
import io.infermon.capture.TensorRole;
import java.util.List;
import java.util.Map;

/**
 * Turns intercepted TensorFlow calls into capture records in the {@link CaptureRing}. This is all the work the agent
 * does on an inference thread: read the tensors' type and shape, copy their bytes into the ring, and return.
 *
 * <p>Each call is captured once: enter/exit pairs nest (a signature call runs a session runner inside it), and only
 * the outermost call on a thread is recorded. A session run with nothing fetched is TensorFlow's own housekeeping
 * (variable initialisation at load, the save run of an export) and is skipped.
 *
 * <p>No method here throws: a failure drops the one call, counts it, and logs once per kind of failure.
 */
public final class TensorFlowCaptureHandler implements CaptureHandler {
    public static final String POINT_SESSION = "tensorflow.session";
    public static final String POINT_SIGNATURE = "tensorflow.signature";
    public static final String POINT_FUNCTION = "tensorflow.function";

    private final CaptureRing ring;
    private final CaptureCounters counters;
    private final EpochClock clock;
    private final String configuredModelName;
    private final String configuredModelVersion;
    private final ModelIdentity unregisteredModel;
    private final ModelRegistry models = new ModelRegistry();
    private final ThreadLocal<CallCapture> calls = ThreadLocal.withInitial(CallCapture::new);

    public TensorFlowCaptureHandler(CaptureRing ring, CaptureCounters counters, EpochClock clock,
                                    String configuredModelName, String configuredModelVersion) {
        this.ring = ring;
        this.counters = counters;
        this.clock = clock;
        this.configuredModelName = configuredModelName;
        this.configuredModelVersion = configuredModelVersion;
        this.unregisteredModel = new ModelIdentity(ModelIdentity.DEFAULT_NAME, "")
                .overriddenBy(configuredModelName, configuredModelVersion);
    }

    @Override
    public long enter() {
        try {
            calls.get().depth++;
            long now = System.nanoTime();
            return now == 0 ? 1 : now; // 0 means "not counted" to exit
        } catch (Throwable t) {
            return 0;
        }
    }

    /**
     * Closes one level of nesting. Returns the thread's call scratch when this exit ends the outermost call and that
     * call returned a result, else null. Never throws.
     */
    private CallCapture outermostReturn(long token, Object result, Throwable thrown) {
        if (token == 0) {
            return null;
        }
        try {
            CallCapture call = calls.get();
            if (call.depth > 0) {
                call.depth--;
            }
            if (call.depth > 0 || thrown != null || result == null) {
                return null;
            }
            counters.callsSeen.increment();
            return call;
        } catch (Throwable t) {
            return null;
        }
    }

    @Override
    public void exitSessionRun(long token, Object session, Object inputs, Object inputTensors, Object outputNames,
                               Object result, Throwable thrown) {
        long end = System.nanoTime();
        CallCapture call = outermostReturn(token, result, thrown);
        if (call == null) {
            return;
        }
        try {
            List<?> fetchNames = (List<?>) outputNames;
            if (fetchNames.isEmpty()) {
                counters.callsNotInference.increment();
                return;
            }
            TensorFlowApi api = TensorFlowApi.of(result);
            call.begin(api, POINT_SESSION, modelOf(session), "", token, end, clock.toEpochNanos(token));
            List<?> feeds = (List<?>) inputs;
            List<?> fed = (List<?>) inputTensors;
            for (int i = 0; i < fed.size(); i++) {
                call.add((String) (Object) api.outputName.invokeExact(feeds.get(i)), TensorRole.INPUT, fed.get(i));
            }
            int fetched = (int) api.resultSize.invokeExact(result);
            for (int i = 0; i < fetched; i++) {
                call.add((String) fetchNames.get(i), TensorRole.OUTPUT, api.resultGet.invokeExact(result, i));
            }
            write(call);
        } catch (Throwable t) {
            dropped(t);
        } finally {
            call.clear();
        }
    }

    @Override
    public void exitFunctionCall(long token, String point, Object signature, Object session, Object arguments,
                                 Object result, Throwable thrown) {
        long end = System.nanoTime();
        CallCapture call = outermostReturn(token, result, thrown);
        if (call == null) {
            return;
        }
        try {
            TensorFlowApi api = TensorFlowApi.of(result);
            String key = (String) (Object) api.signatureKey.invokeExact(signature);
            call.begin(api, point, modelOf(session), key == null ? "" : key, token, end, clock.toEpochNanos(token));
            for (Map.Entry<?, ?> e : ((Map<?, ?>) arguments).entrySet()) {
                call.add((String) e.getKey(), TensorRole.INPUT, e.getValue());
            }
            for (Object o : (Iterable<?>) result) {
                Map.Entry<?, ?> e = (Map.Entry<?, ?>) o;
                call.add((String) e.getKey(), TensorRole.OUTPUT, e.getValue());
            }
            write(call);
        } catch (Throwable t) {
            dropped(t);
        } finally {
            call.clear();
        }
    }

    @Override
    public void modelLoaded(Object bundle, String exportDir) {
        try {
            if (bundle == null || exportDir == null) {
                return;
            }
            TensorFlowApi api = TensorFlowApi.of(bundle);
            Object session = api.bundleSession.invokeExact(bundle);
            ModelIdentity identity = ModelIdentity.fromExportDir(exportDir)
                    .overriddenBy(configuredModelName, configuredModelVersion);
            models.register(session, identity);
            AgentLog.once("model:" + identity, "capturing model " + identity.name()
                    + (identity.version().isEmpty() ? "" : " version " + identity.version()) + " from " + exportDir);
        } catch (Throwable t) {
            AgentLog.once("model-load:" + t.getClass().getName(), "cannot identify a loaded SavedModel (" + t
                    + "); its calls are recorded as model '" + unregisteredModel.name() + "'");
        }
    }

    private ModelIdentity modelOf(Object session) {
        ModelIdentity m = models.find(session);
        return m != null ? m : unregisteredModel;
    }

    private void write(CallCapture call) {
        long length = CaptureCodec.encodedLength(call);
        if (length < 0 || length > ring.maxRecordLength()) {
            counters.droppedTooLarge.increment();
            return;
        }
        int index = ring.claim((int) length);
        if (index < 0) {
            counters.droppedRingFull.increment();
            return;
        }
        try {
            CaptureCodec.encode(call, ring.records(), index);
            ring.commit(index);
            counters.callsCaptured.increment();
        } catch (Throwable t) {
            ring.abort(index);
            throw t;
        }
    }

    private void dropped(Throwable t) {
        counters.droppedCaptureError.increment();
        AgentLog.once("capture:" + t.getClass().getName(), "a call could not be captured (" + t
                + "); such calls are dropped and counted, the application is not affected");
    }
}
