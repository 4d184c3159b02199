package io.infermon.capture;

/** A record the reader cannot accept, with the reason and a message that says where the problem is. */
public final class CorruptRecordException extends Exception {
    private static final long serialVersionUID = 1L;

    private final RejectReason reason;

    public CorruptRecordException(RejectReason reason, String message) {
        super(reason.label() + ": " + message, null, false, false);
        this.reason = reason;
    }

    public RejectReason reason() {
        return reason;
    }
}
