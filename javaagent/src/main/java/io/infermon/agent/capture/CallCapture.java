package io.infermon.agent.capture;

import io.infermon.capture.TensorMeaning;
import io.infermon.capture.TensorRole;
import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;

/**
 * A TensorFlow call being captured on one thread: its tensors are read through {@link TensorFlowTensors} (straight
 * from their native memory where the tensor allows) and stay in TensorFlow's memory until {@link #copyPrefix} copies
 * them into the ring.
 */
final class CallCapture extends RecordedCall {
    /** How many intercepted TensorFlow calls are open on this thread; only the outermost one is captured. */
    int depth;

    TensorFlowApi api;
    /** Walks the call's result map without allocating. */
    final TensorFlowCaptureHandler.MapTensors mapTensors = new TensorFlowCaptureHandler.MapTensors();
    /**
     * The input names of the signature this thread called last. Held weakly: a thread-local must not keep a web
     * app's TensorFlow classes alive after it is undeployed.
     */
    private WeakReference<Object> namedSignature = new WeakReference<>(null);
    private String[] inputNames = new String[0];
    private final TensorFlowTensors tensors = new TensorFlowTensors();

    void begin(TensorFlowApi api, String point, ModelIdentity model, String signature, String requestId,
               long startNanos, long endNanos, long captureTimeEpochNanos) {
        super.begin(point, model.name(), model.version(), signature, requestId, startNanos, endNanos,
                captureTimeEpochNanos);
        this.api = api;
    }

    /**
     * The input names of {@code signature}, in TensorFlow's order; read from the signature only when this thread
     * calls a different one than last time (threads of a service mostly call the same).
     */
    String[] inputNames(TensorFlowApi tf, Object signature) throws Throwable {
        if (namedSignature.get() != signature) {
            java.util.Set<?> names = (java.util.Set<?>) (Object) tf.signatureInputNames.invokeExact(signature);
            inputNames = names.toArray(new String[0]);
            namedSignature = new WeakReference<>(signature);
        }
        return inputNames;
    }

    @Override
    void grow(int n) {
        tensors.grow(n);
    }

    /** Adds a tensor, reading its type, shape and size (not yet its bytes). */
    void add(String name, TensorRole role, TensorMeaning meaning, Object tensor) throws Throwable {
        int t = next();
        names[t] = name;
        roles[t] = role;
        meanings[t] = meaning;
        tensors.add(this, t, api, tensor);
    }

    /** Drops references to the host's tensors as soon as the call is encoded. */
    @Override
    void clear() {
        tensors.clear(count);
        super.clear();
        api = null;
    }

    @Override
    long fullDim(int t, int d) {
        return tensors.dim(t, d, names[t]);
    }

    @Override
    void copyPrefix(int t, ByteBuffer target, int offset, int length) {
        tensors.copy(t, target, offset, length, names[t]);
    }
}
