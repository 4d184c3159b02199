package io.infermon.agent.capture;

import io.infermon.agent.config.TensorFlowPoints;
import io.infermon.agent.util.AgentLog;
import io.infermon.agent.util.Glob;
import io.infermon.capture.TensorMeaning;
import io.infermon.capture.TensorRole;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Turns intercepted TensorFlow calls into capture records. This is all the work the agent does on an inference
 * thread: decide whether to capture (sampling, filters), read the tensors' type and shape, copy their bytes into the
 * ring, and return.
 *
 * <p>Each call is captured once: enter/exit pairs nest (a signature call runs a session runner inside it), and only
 * the outermost call on a thread is recorded. A session run with nothing fetched is TensorFlow's own housekeeping
 * (variable initialisation at load, the save run of an export) and is skipped.
 *
 * <p>No method here throws: a failure drops the one call, counts it, and logs once per kind of failure.
 */
public final class TensorFlowCaptureHandler {
    public static final String POINT_SESSION = "tensorflow.session";
    public static final String POINT_SIGNATURE = "tensorflow.signature";
    public static final String POINT_FUNCTION = "tensorflow.function";
    /** The token of a call inside a TensorFlow call this thread is already in: counted, never captured, not timed. */
    private static final long NESTED = 1;

    private final CaptureContext context;
    private final CaptureCounters counters;
    private final TensorFlowPoints points;
    private final String configuredModelName;
    private final String configuredModelVersion;
    private final ModelIdentity unregisteredModel;
    private final ModelRegistry models = new ModelRegistry();

    TensorFlowCaptureHandler(CaptureContext context) {
        this.context = context;
        this.counters = context.counters;
        this.points = context.config.tensorflow();
        this.configuredModelName = context.config.modelName();
        this.configuredModelVersion = context.config.modelVersion();
        this.unregisteredModel = new ModelIdentity(ModelIdentity.DEFAULT_NAME, "")
                .overriddenBy(configuredModelName, configuredModelVersion);
    }

    long enter() {
        try {
            ThreadState state = context.thread();
            if (state.tensorFlow.depth++ > 0) {
                state.call.nest(); // a signature's session run: reading the clock for it would be wasted
                return NESTED;
            }
            long now = state.call.start();
            return now == 0 ? 1 : now; // 0 means "not counted" to exit
        } catch (Throwable t) {
            return 0;
        }
    }

    /** The thread's state for the exit of a call {@link #enter} counted ({@code token} not 0), else null. */
    private ThreadState counted(long token) {
        if (token == 0) {
            return null;
        }
        try {
            return context.thread();
        } catch (Throwable t) {
            return null;
        }
    }

    /** Closes one level of nesting: true when this exit ends the outermost call and that call returned a result. */
    private static boolean outermostReturn(ThreadState state, Object result, Throwable thrown) {
        CallCapture call = state.tensorFlow;
        if (call.depth > 0) {
            call.depth--;
        }
        return call.depth == 0 && thrown == null && result != null;
    }

    /** Counts a seen call and applies sampling; true when it is to be captured. */
    boolean admit(long end) {
        counters.callsSeen.increment();
        if (!context.sampler.admit(end)) {
            counters.callsSampledOut.increment();
            return false;
        }
        return true;
    }

    boolean signatureAdmitted(String key) {
        TensorFlowPoints.Filter f = points.signatures();
        if (f.isAll() || Glob.admits(f.include(), f.exclude(), key)) {
            return true;
        }
        counters.callsFilteredOut.increment();
        return false;
    }

    TensorMeaning meaningOf(String name) {
        if (Glob.anyMatches(points.features(), name)) {
            return TensorMeaning.FEATURES;
        }
        if (Glob.anyMatches(points.probabilities(), name)) {
            return TensorMeaning.PROBABILITIES;
        }
        if (Glob.anyMatches(points.prediction(), name)) {
            return TensorMeaning.PREDICTION;
        }
        if (Glob.anyMatches(points.label(), name)) {
            return TensorMeaning.LABEL;
        }
        return TensorMeaning.UNSPECIFIED;
    }

    /**
     * Adds every (name, tensor) pair of a map with {@code Map.forEach} and one reused consumer per thread: iterating
     * a map's entry set would allocate an iterator on every call. For maps that override {@code forEach} (TensorFlow's
     * own {@code LinkedHashMap} in a {@code Result}, a {@code HashMap}), that walk allocates nothing.
     */
    static final class MapTensors implements BiConsumer<Object, Object> {
        private TensorFlowCaptureHandler handler;
        private CallCapture call;
        private TensorRole role;
        private Throwable failure;

        void addAll(TensorFlowCaptureHandler handler, CallCapture call, TensorRole role, Map<?, ?> tensors)
                throws Throwable {
            this.handler = handler;
            this.call = call;
            this.role = role;
            try {
                tensors.forEach(this);
                if (failure != null) {
                    throw failure;
                }
            } finally {
                this.handler = null;
                this.call = null;
                this.failure = null;
            }
        }

        @Override
        public void accept(Object name, Object tensor) {
            if (failure == null) {
                try {
                    handler.add(call, (String) name, role, tensor);
                } catch (Throwable t) {
                    failure = t; // forEach cannot stop early; the rest are skipped and the call is dropped
                }
            }
        }
    }

    private void add(CallCapture call, String name, TensorRole role, Object tensor) throws Throwable {
        if (tensorAdmitted(role, name)) {
            call.add(name, role, meaningOf(name), tensor);
        }
    }

    /** Whether the {@code tensorflow.feeds} or {@code .fetches} filter records this tensor. */
    boolean tensorAdmitted(TensorRole role, String name) {
        TensorFlowPoints.Filter f = role == TensorRole.INPUT ? points.feeds() : points.fetches();
        return f.isAll() || Glob.admits(f.include(), f.exclude(), name);
    }

    void exitSessionRun(long token, Object session, Object inputs, Object inputTensors, Object outputNames,
                        Object result, Throwable thrown) {
        ThreadState state = counted(token);
        if (state == null) {
            return;
        }
        CallCapture call = state.tensorFlow;
        try {
            if (!outermostReturn(state, result, thrown)) {
                return;
            }
            long end = System.nanoTime(); // not before: a nested exit would read the clock for nothing
            List<?> fetchNames = (List<?>) outputNames;
            if (fetchNames.isEmpty()) {
                counters.callsNotInference.increment();
                return;
            }
            if (!admit(end) || !signatureAdmitted("")) {
                return;
            }
            TensorFlowApi api = TensorFlowApi.of(result);
            call.begin(api, POINT_SESSION, modelOf(session), "", state.requestId(), token, end,
                    context.clock.toEpochNanos(token));
            List<?> feeds = (List<?>) inputs;
            List<?> fed = (List<?>) inputTensors;
            for (int i = 0; i < fed.size(); i++) {
                add(call, (String) (Object) api.outputName.invokeExact(feeds.get(i)), TensorRole.INPUT, fed.get(i));
            }
            if (api.runOutputs != null) {
                // before 0.5: a Session.Run, and the fetches as Outputs rather than names
                List<?> fetched = (List<?>) (Object) api.runOutputs.invokeExact(result);
                for (int i = 0; i < fetched.size(); i++) {
                    add(call, (String) (Object) api.outputName.invokeExact(fetchNames.get(i)), TensorRole.OUTPUT,
                            fetched.get(i));
                }
            } else {
                int fetched = (int) api.resultSize.invokeExact(result);
                for (int i = 0; i < fetched; i++) {
                    add(call, (String) fetchNames.get(i), TensorRole.OUTPUT, api.resultGet.invokeExact(result, i));
                }
            }
            context.write(call);
        } catch (Throwable t) {
            context.dropped(t);
        } finally {
            call.clear();
            state.call.end(); // after the record is in the ring: the writer's watermark may now pass its start
        }
    }

    void exitFunctionCall(long token, String point, Object signature, Object session, Object arguments,
                          Object result, Throwable thrown) {
        ThreadState state = counted(token);
        if (state == null) {
            return;
        }
        CallCapture call = state.tensorFlow;
        try {
            if (!outermostReturn(state, result, thrown)) {
                return;
            }
            long end = System.nanoTime(); // not before: a nested exit would read the clock for nothing
            if (!admit(end)) {
                return;
            }
            TensorFlowApi api = TensorFlowApi.of(signature); // not the result: before 0.5 a plain java.util.Map
            String key = (String) (Object) api.signatureKey.invokeExact(signature);
            key = key == null ? "" : key;
            if (!signatureAdmitted(key)) {
                return;
            }
            call.begin(api, point, modelOf(session), key, state.requestId(), token, end,
                    context.clock.toEpochNanos(token));
            // by the signature's input names, as TensorFlow feeds them: Map.forEach and entrySet() on an immutable
            // Map.of(...) allocate an entry, a set and an iterator on every call, Map.get does not
            Map<?, ?> fed = (Map<?, ?>) arguments;
            String[] inputs = call.inputNames(api, signature);
            for (String name : inputs) {
                Object tensor = fed.get(name);
                if (tensor != null) {
                    add(call, name, TensorRole.INPUT, tensor);
                }
            }
            if (result instanceof Map<?, ?> m) { // before 0.5 a function returned a Map
                call.mapTensors.addAll(this, call, TensorRole.OUTPUT, m);
            } else if (api.resultMap != null) {
                call.mapTensors.addAll(this, call, TensorRole.OUTPUT, (Map<?, ?>) (Object) api.resultMap.invokeExact(
                        result));
            } else {
                for (Object o : (Iterable<?>) result) { // a Result, iterable over (name, tensor)
                    Map.Entry<?, ?> e = (Map.Entry<?, ?>) o;
                    add(call, (String) e.getKey(), TensorRole.OUTPUT, e.getValue());
                }
            }
            context.write(call);
        } catch (Throwable t) {
            context.dropped(t);
        } finally {
            call.clear();
            state.call.end(); // after the record is in the ring: the writer's watermark may now pass its start
        }
    }

    void modelLoaded(Object bundle, String exportDir) {
        try {
            if (bundle == null || exportDir == null) {
                return;
            }
            TensorFlowApi api = TensorFlowApi.of(bundle);
            register(api.bundleSession.invokeExact(bundle), exportDir);
        } catch (Throwable t) {
            AgentLog.once("model-load:" + t.getClass().getName(), "cannot identify a loaded SavedModel (" + t
                    + "); its calls are recorded as model '" + unregisteredModel.name() + "'");
        }
    }

    /** Names the model of {@code session}, loaded from {@code exportDir} (of either TensorFlow API). */
    void register(Object session, String exportDir) {
        try {
            ModelIdentity derived = ModelIdentity.fromExportDir(exportDir);
            if (derived.version().isEmpty() && configuredModelVersion == null) {
                derived = new ModelIdentity(derived.name(), savedModelHash(Path.of(exportDir)));
            }
            ModelIdentity identity = derived.overriddenBy(configuredModelName, configuredModelVersion);
            models.register(session, identity);
            AgentLog.once("model:" + identity, "capturing model " + identity.name()
                    + (identity.version().isEmpty() ? "" : " version " + identity.version()) + " from " + exportDir);
        } catch (Throwable t) {
            AgentLog.once("model-load:" + t.getClass().getName(), "cannot identify a loaded SavedModel (" + t
                    + "); its calls are recorded as model '" + unregisteredModel.name() + "'");
        }
    }

    /** The content hash of the export's {@code saved_model.pb}: a version for exports without a numeric directory. */
    static String savedModelHash(Path exportDir) {
        return ModelIdentity.contentHash(exportDir.resolve("saved_model.pb"));
    }

    ModelIdentity modelOf(Object session) {
        ModelIdentity m = models.find(session);
        return m != null ? m : unregisteredModel;
    }
}
