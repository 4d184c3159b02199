package io.infermon.capture;

import java.util.List;

/**
 * One decoded capture record: an intercepted inference call.
 *
 * @param version             the wire version it was written with
 * @param kind                what the record holds
 * @param flags               flag bits: {@link CaptureCodec#FLAG_ROWS_TRUNCATED} or 0
 * @param captureTimeEpochNanos when the call started, nanoseconds since the epoch (the event time)
 * @param durationNanos       how long the call took
 * @param modelName           the model's name
 * @param modelVersion        the model's version, or empty
 * @param signature           the signature or function key, or empty
 * @param interceptionPoint   which interception point captured the call
 * @param requestId           the request id in effect, or empty
 * @param tensors             inputs and outputs, in the order the agent wrote them
 */
public record CaptureRecord(int version, RecordKind kind, int flags, long captureTimeEpochNanos, long durationNanos,
                            String modelName, String modelVersion, String signature, String interceptionPoint,
                            String requestId, List<CapturedTensor> tensors) {
}
