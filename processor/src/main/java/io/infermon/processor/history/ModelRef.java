package io.infermon.processor.history;

import java.util.Comparator;

/**
 * A model key as it appears in the metric files: the {@code model}, {@code model_version} and {@code signature}
 * properties, with an absent property read as the empty string (the processor leaves empty ones out).
 */
public record ModelRef(String model, String version, String signature) implements Comparable<ModelRef> {
    private static final Comparator<ModelRef> ORDER = Comparator.comparing(ModelRef::model)
            .thenComparing(ModelRef::version).thenComparing(ModelRef::signature);

    public ModelRef {
        version = version == null ? "" : version;
        signature = signature == null ? "" : signature;
    }

    @Override
    public int compareTo(ModelRef o) {
        return ORDER.compare(this, o);
    }

    @Override
    public String toString() {
        return model + (version.isEmpty() ? "" : " v" + version) + (signature.isEmpty() ? "" : " [" + signature + "]");
    }
}
