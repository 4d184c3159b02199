package io.infermon.processor.labels;

/**
 * A true label for one prediction, however it came (agent, HTTP, import).
 *
 * @param id         the prediction's id (docs/metrics.md "Labels": a request id, or {@code <request id>#<row>})
 * @param value      a class id (a whole number) or a regression value
 * @param timeMillis when the label became known, epoch milliseconds: the event time of labels
 */
public record Label(String id, double value, long timeMillis) {
    /** Longest id kept; longer ones are refused (an id is a key, not a payload). */
    public static final int MAX_ID_CHARS = 1024;
}
