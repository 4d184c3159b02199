package io.infermon.processor;

import io.infermon.capture.CaptureRecord;
import io.infermon.capture.RecordKind;
import io.infermon.capture.TensorRole;
import java.nio.file.Path;
import java.util.List;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * An agent's queue that a test writes calls into while a processor (in a child JVM) tails it: digits rows with
 * probabilities, encoded by the shared codec as the agent writes them.
 */
public final class LiveQueue implements AutoCloseable {
    private final ChronicleQueue queue;
    private final ExcerptAppender appender;
    private final double[][] digits = Datasets.digits();
    private final int[] labels = Datasets.digitLabels();
    private int nextRow;

    public LiveQueue(Path dir) {
        this.queue = SingleChronicleQueueBuilder.binary(dir).build();
        this.appender = queue.createAppender();
    }

    /** One call of {@code rows} digits rows of model {@code model} version {@code version}, captured at a time. */
    public void call(long epochMillis, String model, String version, int rows) {
        float[][] features = new float[rows][];
        float[][] probs = new float[rows][];
        for (int r = 0; r < rows; r++) {
            int i = nextRow++ % digits.length;
            features[r] = new float[digits[i].length];
            for (int j = 0; j < digits[i].length; j++) {
                features[r][j] = (float) digits[i][j];
            }
            probs[r] = OutputFixture.probabilities(labels[i], false);
        }
        CaptureRecord record = new CaptureRecord(1, RecordKind.INFERENCE, 0, epochMillis * 1_000_000L, 3_000_000L,
                model, version, "serving_default", "tensorflow.signature", "", List.of(
                Records.floats("x:0", TensorRole.INPUT, features),
                Records.floats("probs", TensorRole.OUTPUT, probs)));
        byte[] bytes = Records.encode(record);
        try (DocumentContext dc = appender.writingDocument()) {
            dc.wire().bytes().write(bytes);
        }
    }

    @Override
    public void close() {
        appender.close();
        queue.close();
    }
}
