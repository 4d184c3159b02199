package io.infermon.capture;

/** What a capture record holds. Codes not listed here are rejected by the reader as {@link RejectReason#UNKNOWN_KIND}. */
public enum RecordKind {
    /** One intercepted inference call: its timing, model identity and tensors. */
    INFERENCE(1);

    private final int code;

    RecordKind(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static RecordKind fromCode(int code) {
        return code == 1 ? INFERENCE : null;
    }
}
