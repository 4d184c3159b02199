package io.infermon.processor.drift;

import io.infermon.processor.bucket.ClosedBucket;
import io.infermon.processor.bucket.ModelKey;
import io.infermon.processor.profile.BucketProfile;
import io.infermon.processor.profile.ProfileCodec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The reference each model's buckets are compared with: a profile file given for the model's name, or, when
 * {@code firstBuckets} > 0, the merge of the model key's first closed buckets (saved as a profile once complete,
 * then used for every later bucket). A bucket without a reference passes through unchanged.
 */
public final class References {
    private final Map<String, DriftDetector> byModelName = new HashMap<>();
    private final Map<ModelKey, DriftDetector> learned = new HashMap<>();
    private final Map<ModelKey, Learning> learning = new HashMap<>();
    private final DriftSettings settings;
    private final int firstBuckets;
    private final Path saveDir;

    private static final class Learning {
        BucketProfile merged;
        int buckets;
    }

    /**
     * @param given        reference profiles, each applied to buckets of its model's name
     * @param firstBuckets learn a reference from each model key's first this many buckets when none is given
     * @param saveDir      where learned references are written, or null
     */
    public References(Iterable<BucketProfile> given, DriftSettings settings, int firstBuckets, Path saveDir) {
        for (BucketProfile p : given) {
            byModelName.put(p.model().name(), new DriftDetector(p.statistics(), settings));
        }
        this.settings = settings;
        this.firstBuckets = firstBuckets;
        this.saveDir = saveDir;
    }

    public static References none() {
        return new References(java.util.List.of(), DriftSettings.DEFAULTS, 0, null);
    }

    /** The bucket with its drift report attached, or unchanged when its model has no reference (yet). */
    public ClosedBucket attach(ClosedBucket bucket) throws IOException {
        DriftDetector detector = byModelName.get(bucket.model().name());
        if (detector == null) {
            detector = learned.get(bucket.model());
        }
        if (detector != null) {
            return bucket.withDrift(detector.compare(bucket.statistics()));
        }
        if (firstBuckets > 0) {
            learn(bucket);
        }
        return bucket;
    }

    private void learn(ClosedBucket bucket) throws IOException {
        Learning l = learning.computeIfAbsent(bucket.model(), k -> new Learning());
        BucketProfile p = BucketProfile.of(bucket);
        l.merged = l.merged == null ? p.merge(p.empty()) : l.merged.merge(p);
        if (++l.buckets == firstBuckets) {
            learning.remove(bucket.model());
            learned.put(bucket.model(), new DriftDetector(l.merged.statistics(), settings));
            if (saveDir != null) {
                ProfileCodec.write(saveDir.resolve("reference-" + l.merged.fileName()), l.merged);
            }
        }
    }
}
