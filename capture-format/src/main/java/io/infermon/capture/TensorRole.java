package io.infermon.capture;

/** Whether a captured tensor went into the model or came out of it. */
public enum TensorRole {
    INPUT(1),
    OUTPUT(2);

    private final int code;

    TensorRole(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The role for a wire code, or {@code null} when the code is unknown. */
    public static TensorRole fromCode(int code) {
        return switch (code) {
            case 1 -> INPUT;
            case 2 -> OUTPUT;
            default -> null;
        };
    }
}
