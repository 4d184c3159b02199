package io.infermon.capture;

/**
 * The stored form of strings a capturing thread writes call after call (model name and version, signature,
 * interception point, tensor names), kept so that encoding a call copies their bytes instead of converting them to
 * UTF-8 char by char, twice (to size the record, then to write it): on a small model that conversion was a fifth of
 * the agent's time on the inference thread (docs/benchmarks.md).
 *
 * <p>A direct-mapped table of {@link #SLOTS} strings, looked up by the string's hash and checked by identity, then by
 * content, so a host that builds the same names anew for every call still hits. A miss converts the string once and
 * keeps it, replacing whatever had its slot: the only allocation, once per name. Strings that change with every call
 * (request ids) must not be looked up here: each would be a miss and an allocation.
 *
 * <p>Not thread-safe: one per capturing thread.
 */
public final class EncodedStrings {
    static final int SLOTS = 64;

    private final String[] strings = new String[SLOTS];
    private final byte[][] encoded = new byte[SLOTS][];

    /** The bytes {@code s} takes in a record after its 2-byte length: UTF-8, cut to {@link CaptureCodec#MAX_STRING_BYTES}. */
    public byte[] of(String s) {
        int slot = s.hashCode() & (SLOTS - 1);
        String kept = strings[slot];
        if (kept != s && !s.equals(kept)) {
            encoded[slot] = CaptureCodec.utf8(s);
            strings[slot] = s;
        }
        return encoded[slot];
    }
}
