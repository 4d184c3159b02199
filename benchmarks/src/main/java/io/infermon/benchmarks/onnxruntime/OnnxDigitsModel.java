package io.infermon.benchmarks.onnxruntime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.infermon.benchmarks.processor.DigitsTraffic;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The host side of the ONNX Runtime agent benchmark: the digits classifier that {@code OnnxDigitsApp export} writes
 * (tensor outputs {@code probabilities} and {@code label}), run with {@code OrtSession.run} as a service would. The
 * inputs (a few distinct batches of real digit rows in direct buffers, cycled) are made once, so a call is the ONNX
 * Runtime call and reading one probability, the same with and without the agent.
 */
public final class OnnxDigitsModel implements AutoCloseable {
    private static final int DISTINCT_BATCHES = 16;

    private final OrtSession session;
    private final OnnxTensor[] inputs;
    private final Map<String, OnnxTensor>[] feeds;
    private int next;

    @SuppressWarnings("unchecked")
    private OnnxDigitsModel(Path file, int batch) throws OrtException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no ONNX model " + file.toAbsolutePath() + " (benchmarks/"
                    + "run-onnx-agent-overhead.sh writes one with OnnxDigitsApp export)");
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        session = env.createSession(file.toString());
        String input = session.getInputNames().iterator().next();
        DigitsTraffic digits = DigitsTraffic.load();
        inputs = new OnnxTensor[DISTINCT_BATCHES];
        feeds = new Map[DISTINCT_BATCHES];
        for (int b = 0; b < DISTINCT_BATCHES; b++) {
            FloatBuffer rows = ByteBuffer.allocateDirect(batch * DigitsTraffic.FEATURES * 4)
                    .order(ByteOrder.nativeOrder()).asFloatBuffer();
            for (int r = 0; r < batch; r++) {
                rows.put(digits.features((b * batch + r) % digits.rows()));
            }
            rows.rewind();
            inputs[b] = OnnxTensor.createTensor(env, rows, new long[] {batch, DigitsTraffic.FEATURES});
            feeds[b] = Map.of(input, inputs[b]);
        }
    }

    public static OnnxDigitsModel load(Path file, int batch) {
        try {
            return new OnnxDigitsModel(file, batch);
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One inference call on the next input batch; returns the first row's probability of class 0. */
    public float call() throws OrtException {
        Map<String, OnnxTensor> feed = feeds[next];
        next = (next + 1) % DISTINCT_BATCHES;
        try (OrtSession.Result result = session.run(feed)) {
            return ((OnnxTensor) result.get(0)).getFloatBuffer().get(0);
        }
    }

    @Override
    public void close() throws OrtException {
        for (OnnxTensor t : inputs) {
            t.close();
        }
        session.close();
    }
}
