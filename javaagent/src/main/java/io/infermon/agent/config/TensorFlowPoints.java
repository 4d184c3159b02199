package io.infermon.agent.config;

import java.util.List;

/**
 * The built-in {@code tensorflow} interception points and their filters. Names may be globs ({@code *}, {@code ?}).
 * An empty include list includes everything; exclude wins over include.
 *
 * @param enabled        whether TensorFlow calls are captured at all
 * @param signatures     which calls, by signature (function) key; a plain session run has the key "" and is only
 *                       filtered out by an include list
 * @param feeds          which input tensors are recorded, by name
 * @param fetches        which output tensors are recorded, by name
 * @param features       tensor names recorded with the meaning {@code features}
 * @param probabilities  tensor names recorded as {@code probabilities}
 * @param prediction     tensor names recorded as {@code prediction}
 * @param label          tensor names recorded as {@code label}
 */
public record TensorFlowPoints(boolean enabled, Filter signatures, Filter feeds, Filter fetches,
                               List<String> features, List<String> probabilities, List<String> prediction,
                               List<String> label) {

    static final TensorFlowPoints DEFAULT = new TensorFlowPoints(true, Filter.ALL, Filter.ALL, Filter.ALL, List.of(),
            List.of(), List.of(), List.of());

    /** Include and exclude globs. */
    public record Filter(List<String> include, List<String> exclude) {
        public static final Filter ALL = new Filter(List.of(), List.of());

        public boolean isAll() {
            return include.isEmpty() && exclude.isEmpty();
        }
    }
}
