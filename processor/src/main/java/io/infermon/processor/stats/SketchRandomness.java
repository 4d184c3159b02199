package io.infermon.processor.stats;

import java.lang.reflect.Field;
import java.util.Random;
import org.apache.datasketches.kll.KllSketch;

/**
 * Makes the KLL sketches' compaction choices repeatable. A KLL sketch decides at random which half of a level to keep
 * when it compacts, from one {@code java.util.Random} that DataSketches shares among all KLL sketches of the JVM and
 * does not let a caller choose. The processor reseeds it at every checkpoint (with the checkpoint's sequence number),
 * so that a processor restored from a checkpoint makes the same choices as one that never stopped, and re-emits a
 * bucket byte for byte. The processor's statistics run on one thread; nothing else in it uses KLL sketches
 * concurrently.
 */
public final class SketchRandomness {
    private static final Random SHARED = find();

    private SketchRandomness() {
    }

    private static Random find() {
        try {
            Field f = KllSketch.class.getDeclaredField("random");
            f.setAccessible(true);
            return (Random) f.get(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** Reseeds the shared KLL random source; false when this DataSketches version hides it (results then vary). */
    public static boolean reseed(long seed) {
        if (SHARED == null) {
            return false;
        }
        SHARED.setSeed(seed);
        return true;
    }
}
