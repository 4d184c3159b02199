package io.infermon.processor.stats;

/**
 * How the statistics write their KLL quantile sketches (docs/profile-format.md, form of a Distribution).
 *
 * <p>{@link #COMPACT} is for what leaves the process (profile files, references, the fleet's topics and store): about
 * a sixth of the bytes, items within (max - min) / 2^17. {@link #FULL} is DataSketches' own form, lossless, for a
 * processor's checkpoint state: a restart must go on from exactly the sketch it stopped with, or a crashed run would
 * not write what an uninterrupted one writes.
 */
public enum SketchForm {
    COMPACT,
    FULL
}
