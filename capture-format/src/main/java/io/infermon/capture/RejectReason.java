package io.infermon.capture;

/** Why the reader refused a record. The processor counts rejected records by these names. */
public enum RejectReason {
    /** Fewer bytes than the header, or than the length the header states. */
    TRUNCATED("truncated"),
    /** The first four bytes are not the record magic: not a capture record at all. */
    BAD_MAGIC("bad_magic"),
    /** A wire version this reader does not know (written by a newer agent). */
    UNKNOWN_VERSION("unknown_version"),
    /** A record kind this reader does not know. */
    UNKNOWN_KIND("unknown_kind"),
    /** The stored CRC-32C does not match the bytes: the record was damaged after it was written. */
    CHECKSUM_MISMATCH("checksum_mismatch"),
    /** The header and checksum are fine but a field is impossible (a length past the end, an unknown role...). */
    MALFORMED("malformed");

    private final String label;

    RejectReason(String label) {
        this.label = label;
    }

    /** The lower-case name used in metrics and messages. */
    public String label() {
        return label;
    }
}
