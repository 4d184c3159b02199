package io.infermon.processor.bucket;

import io.infermon.capture.CaptureRecord;
import java.util.Comparator;

/**
 * What statistics are kept apart by: the model's name and version and the signature called. Two versions of a model
 * (a canary beside the stable one) are two keys; so are two signatures of one SavedModel.
 */
public record ModelKey(String name, String version, String signature) implements Comparable<ModelKey> {
    private static final Comparator<ModelKey> ORDER = Comparator.comparing(ModelKey::name)
            .thenComparing(ModelKey::version).thenComparing(ModelKey::signature);

    /** Where the records of model keys beyond the processor's bound are counted. */
    public static final ModelKey OTHER = new ModelKey("__other__", "", "");

    public static ModelKey of(CaptureRecord r) {
        return new ModelKey(r.modelName(), r.modelVersion(), r.signature());
    }

    @Override
    public int compareTo(ModelKey o) {
        return ORDER.compare(this, o);
    }
}
