package io.infermon.agent.capture;

/**
 * Everything the agent keeps per host thread: the start of the call in flight, the scratch of the TensorFlow call and
 * of the method call being captured, and the stack of request ids set by {@code id} points that are running on this
 * thread.
 */
final class ThreadState {
    /** The thread's slot in {@link InFlightCalls}: the start of the call it is running, for the writer's watermark. */
    final InFlightCalls.Slot call;
    final CallCapture tensorFlow = new CallCapture();
    final MethodCall method = new MethodCall();
    private String[] ids = new String[4];
    private int idDepth;

    ThreadState(InFlightCalls.Slot call) {
        this.call = call;
    }

    /** The request id of the innermost running {@code id} point, or "" when none runs. */
    String requestId() {
        for (int i = idDepth - 1; i >= 0; i--) {
            if (ids[i] != null) {
                return ids[i];
            }
        }
        return "";
    }

    void pushId(String id) {
        if (idDepth == ids.length) {
            ids = java.util.Arrays.copyOf(ids, idDepth * 2);
        }
        ids[idDepth++] = id;
    }

    void popId() {
        if (idDepth > 0) {
            ids[--idDepth] = null;
        }
    }
}
