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
    /** The learned references' profiles, kept for checkpoints. */
    private final Map<ModelKey, BucketProfile> learnedProfiles = new java.util.TreeMap<>();
    private final Map<ModelKey, Learning> learning = new java.util.TreeMap<>();
    private final DriftSettings settings;
    private final int firstBuckets;
    private final Path saveDir;
    /** Model names that came without a matching given reference, each said once (a typo in a name is easy). */
    private final java.util.Set<String> unmatched = new java.util.HashSet<>();
    private java.util.function.Consumer<String> warnings = System.err::println;

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

    /** Where the warning about a model without a reference goes (standard error unless told otherwise). */
    public void onWarning(java.util.function.Consumer<String> sink) {
        this.warnings = sink;
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
        } else if (!byModelName.isEmpty() && unmatched.add(bucket.model().name())) {
            warnings.accept("infermon: no reference for model '" + bucket.model().name() + "' (the references "
                    + "given are for " + new java.util.TreeSet<>(byModelName.keySet()) + "); its buckets get no "
                    + "drift metrics. Build one with reference build --model " + bucket.model().name());
        }
        return bucket;
    }

    /** References learned or being learned from first buckets: this component's part of a checkpoint. */
    public void writeState(java.io.DataOutput out) throws IOException {
        out.writeInt(learnedProfiles.size());
        for (BucketProfile p : learnedProfiles.values()) {
            writeProfile(out, p);
        }
        out.writeInt(learning.size());
        for (Learning l : learning.values()) {
            out.writeInt(l.buckets);
            writeProfile(out, l.merged);
        }
    }

    public void restoreState(java.io.DataInput in) throws IOException {
        learned.clear();
        learnedProfiles.clear();
        learning.clear();
        for (int i = in.readInt(); i > 0; i--) {
            BucketProfile p = readProfile(in);
            learnedProfiles.put(p.model(), p);
            learned.put(p.model(), new DriftDetector(p.statistics(), settings));
        }
        for (int i = in.readInt(); i > 0; i--) {
            Learning l = new Learning();
            l.buckets = in.readInt();
            l.merged = readProfile(in);
            learning.put(l.merged.model(), l);
        }
    }

    private static void writeProfile(java.io.DataOutput out, BucketProfile p) throws IOException {
        // checkpoint state: the full sketch form, so that a restarted run compares with the very same reference
        byte[] bytes = ProfileCodec.encode(p, io.infermon.processor.stats.SketchForm.FULL);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static BucketProfile readProfile(java.io.DataInput in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > (256 << 20)) {
            throw new IOException("profile of " + n + " bytes");
        }
        byte[] bytes = new byte[n];
        in.readFully(bytes);
        return ProfileCodec.decode(bytes);
    }

    private void learn(ClosedBucket bucket) throws IOException {
        Learning l = learning.computeIfAbsent(bucket.model(), k -> new Learning());
        BucketProfile p = BucketProfile.of(bucket);
        l.merged = l.merged == null ? p.merge(p.empty()) : l.merged.merge(p);
        if (++l.buckets == firstBuckets) {
            learning.remove(bucket.model());
            learned.put(bucket.model(), new DriftDetector(l.merged.statistics(), settings));
            learnedProfiles.put(bucket.model(), l.merged);
            if (saveDir != null) {
                ProfileCodec.write(saveDir.resolve("reference-" + l.merged.fileName()), l.merged);
            }
        }
    }
}
