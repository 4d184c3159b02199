package io.infermon.agent.config;

import io.infermon.capture.TensorMeaning;
import java.util.Locale;

/** What a method argument or return value is, for a generic {@code method} interception point. */
public enum Role {
    FEATURES(TensorMeaning.FEATURES),
    PROBABILITIES(TensorMeaning.PROBABILITIES),
    PREDICTION(TensorMeaning.PREDICTION),
    /** The request id: recorded with every call captured on the thread while the method runs. */
    ID(null),
    LABEL(TensorMeaning.LABEL);

    private final TensorMeaning meaning;

    Role(TensorMeaning meaning) {
        this.meaning = meaning;
    }

    /** The tensor meaning written to the record, or null for {@link #ID} (which is not a tensor). */
    public TensorMeaning meaning() {
        return meaning;
    }

    public String yamlName() {
        return name().toLowerCase(Locale.ROOT);
    }

    static Role parse(String s) {
        for (Role r : values()) {
            if (r.yamlName().equals(s)) {
                return r;
            }
        }
        return null;
    }
}
