package io.infermon.agent.capture;

import io.infermon.agent.util.AgentLog;
import io.infermon.capture.TensorMeaning;
import io.infermon.capture.TensorRole;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Map;

/**
 * Turns ONNX Runtime calls ({@code OrtSession.run}) into capture records, with the rules of the TensorFlow paths: only
 * the outermost call on a thread, sampling, tensors copied on the calling thread, the call's start published while it
 * runs (for the writer's watermark) and cleared once its record is in the ring, nothing thrown.
 *
 * <p>A session's model is named when it is created: from a path, the file's name without {@code .onnx} (or, in a
 * model-server layout {@code <name>/<number>/model.onnx}, the directory's name and that number as the version); from
 * bytes, {@code default}. Without a numeric directory the version is the first 12 hex digits of the SHA-256 of the
 * model's bytes, so a changed model file is a new version. {@code model.name} and {@code model.version} in
 * {@code agent.yaml} win.
 */
final class OnnxRuntimeCaptureHandler {
    static final String POINT = "onnxruntime.session";

    private final CaptureContext context;
    private final CaptureCounters counters;
    private final String configuredModelName;
    private final String configuredModelVersion;
    private final ModelIdentity unregisteredModel;
    private final ModelRegistry models = new ModelRegistry();

    OnnxRuntimeCaptureHandler(CaptureContext context) {
        this.context = context;
        this.counters = context.counters;
        this.configuredModelName = context.config.modelName();
        this.configuredModelVersion = context.config.modelVersion();
        this.unregisteredModel = new ModelIdentity(ModelIdentity.DEFAULT_NAME, "")
                .overriddenBy(configuredModelName, configuredModelVersion);
    }

    long enter() {
        try {
            ThreadState state = context.thread();
            state.onnx.depth++;
            long now = state.call.start();
            return now == 0 ? 1 : now; // 0 means "not counted" to exit
        } catch (Throwable t) {
            return 0;
        }
    }

    void exitRun(long token, Object session, Object inputs, Object result, Throwable thrown) {
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
        OnnxCall call = state.onnx;
        try {
            if (call.depth > 0) {
                call.depth--;
            }
            if (call.depth > 0 || thrown != null || result == null) {
                return;
            }
            counters.callsSeen.increment();
            if (!context.sampler.admit(end)) {
                counters.callsSampledOut.increment();
                return;
            }
            OnnxRuntimeApi api = OnnxRuntimeApi.of(session);
            ModelIdentity model = models.find(session);
            call.begin(api, POINT, model != null ? model : unregisteredModel, state.requestId(), token, end,
                    context.clock.toEpochNanos(token));
            // forEach with the thread's own sink: iterating entry sets would allocate an iterator and, for
            // Map.of, the entry set itself, on every call
            call.sink.addAll(this, TensorRole.INPUT, (Map<?, ?>) inputs);
            if (api.resultMap != null) {
                call.sink.addAll(this, TensorRole.OUTPUT, (Map<?, ?>) (Object) api.resultMap.invokeExact(result));
            } else {
                for (Object o : (Iterable<?>) result) {
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

    void add(OnnxCall call, String name, TensorRole role, Object value) throws Throwable {
        if (!call.add(name, role, TensorMeaning.UNSPECIFIED, value)) {
            AgentLog.once("onnx-value:" + name + ":" + value.getClass().getName(), "ONNX Runtime value '" + name
                    + "' is a " + value.getClass().getSimpleName() + " that infermon does not record (it records"
                    + " tensors and sequences of maps from class to probability); the rest of its calls is recorded");
        }
    }

    void sessionCreated(Object session, Object model) {
        try {
            if (session == null || model == null) {
                return;
            }
            ModelIdentity derived;
            String from;
            if (model instanceof String path) {
                derived = fromModelFile(Path.of(path));
                from = path;
            } else if (model instanceof byte[] bytes) {
                derived = new ModelIdentity(ModelIdentity.DEFAULT_NAME,
                        ModelIdentity.contentHash(ByteBuffer.wrap(bytes)));
                from = bytes.length + " bytes";
            } else if (model instanceof ByteBuffer buffer) {
                derived = new ModelIdentity(ModelIdentity.DEFAULT_NAME,
                        ModelIdentity.contentHash(buffer.duplicate()));
                from = buffer.remaining() + " bytes";
            } else {
                return;
            }
            ModelIdentity identity = derived.overriddenBy(configuredModelName, configuredModelVersion);
            models.register(session, identity);
            OnnxRuntimeApi api = OnnxRuntimeApi.of(session);
            AgentLog.once("onnx-model:" + identity, "capturing ONNX model " + identity.name()
                    + (identity.version().isEmpty() ? "" : " version " + identity.version()) + " from " + from
                    + " (inputs " + api.inputNames.invoke(session) + ", outputs " + api.outputNames.invoke(session)
                    + ")");
        } catch (Throwable t) {
            AgentLog.once("onnx-model-load:" + t.getClass().getName(), "cannot identify an ONNX model (" + t
                    + "); its calls are recorded as model '" + unregisteredModel.name() + "'");
        }
    }

    /**
     * {@code .../digits.onnx} is model {@code digits}, version the content hash; {@code .../digits/3/model.onnx} is
     * model {@code digits} version {@code 3}.
     */
    static ModelIdentity fromModelFile(Path file) {
        Path p = file.toAbsolutePath().normalize();
        Path dir = p.getParent();
        if (dir != null && dir.getFileName() != null && dir.getParent() != null
                && dir.getParent().getFileName() != null && dir.getFileName().toString().chars()
                .allMatch(Character::isDigit)) {
            return new ModelIdentity(dir.getParent().getFileName().toString(), dir.getFileName().toString());
        }
        String name = p.getFileName().toString();
        int dot = name.lastIndexOf('.');
        if (dot > 0) {
            name = name.substring(0, dot);
        }
        return new ModelIdentity(name, ModelIdentity.contentHash(p));
    }
}
