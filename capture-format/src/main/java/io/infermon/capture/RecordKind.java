package io.infermon.capture;

/**
 * What a capture record holds. A reader rejects kinds it does not know, or does not ask for, as
 * {@link RejectReason#UNKNOWN_KIND}: counted, never misread.
 */
public enum RecordKind {
    /** One intercepted inference call: its timing, model identity and tensors. */
    INFERENCE(1),
    /** The agent's own health: cumulative counters, written periodically (see {@link AgentHealth}). */
    HEALTH(2),
    /**
     * A ground-truth label seen by a {@code label} interception point, to be joined with inference calls by request
     * id. Its body has the inference layout; its tensors have the meaning {@link TensorMeaning#LABEL}.
     */
    LABEL(3),
    /**
     * The agent's watermark (see {@link AgentWatermark}): every later record of the same agent in the same queue
     * started at or after its time. Written a few times a second, also when the agent is idle.
     */
    WATERMARK(4);

    private final int code;

    RecordKind(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static RecordKind fromCode(int code) {
        return switch (code) {
            case 1 -> INFERENCE;
            case 2 -> HEALTH;
            case 3 -> LABEL;
            case 4 -> WATERMARK;
            default -> null;
        };
    }
}
