package io.infermon.benchmarks.agent;

import io.infermon.benchmarks.processor.DigitsTraffic;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.SessionFunction;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;

/**
 * The host side of the agent benchmarks: the digits classifier that {@code DigitsApp train} exports, loaded as a
 * SavedModel and called through its {@code serving_default} signature function, as a service would. The input tensors
 * (a few distinct batches of real digit rows, cycled) are made once, so a call is the TensorFlow call and reading one
 * score, the same with and without the agent.
 */
public final class DigitsModel implements AutoCloseable {
    public static final String INPUT = "pixels";
    public static final String OUTPUT = "scores";
    private static final int DISTINCT_BATCHES = 16;

    private final SavedModelBundle bundle;
    private final SessionFunction function;
    private final TFloat32[] inputs;
    private final Map<String, Tensor>[] feeds;
    private int next;

    @SuppressWarnings("unchecked")
    private DigitsModel(Path dir, int batch, int threads) {
        if (!Files.isRegularFile(dir.resolve("saved_model.pb"))) {
            throw new IllegalArgumentException("no SavedModel in " + dir.toAbsolutePath() + " (benchmarks/"
                    + "run-agent-overhead.sh trains one with DigitsApp train)");
        }
        SavedModelBundle.Loader loader = SavedModelBundle.loader(dir.toString()).withTags("serve");
        if (threads != 0) {
            loader = loader.withConfigProto(ConfigProto.newBuilder()
                    .setInterOpParallelismThreads(threads).setIntraOpParallelismThreads(Math.max(1, threads)).build());
        }
        bundle = loader.load();
        function = bundle.function("serving_default");
        DigitsTraffic digits = DigitsTraffic.load();
        inputs = new TFloat32[DISTINCT_BATCHES];
        feeds = new Map[DISTINCT_BATCHES];
        for (int b = 0; b < DISTINCT_BATCHES; b++) {
            TFloat32 t = TFloat32.tensorOf(Shape.of(batch, DigitsTraffic.FEATURES));
            for (int r = 0; r < batch; r++) {
                float[] row = digits.features((b * batch + r) % digits.rows());
                for (int j = 0; j < row.length; j++) {
                    t.setFloat(row[j], r, j);
                }
            }
            inputs[b] = t;
            feeds[b] = Map.of(INPUT, t);
        }
    }

    /**
     * Loads the SavedModel in {@code dir} and prepares inputs of {@code batch} rows; TensorFlow's thread pools as
     * default.
     */
    public static DigitsModel load(Path dir, int batch) {
        return new DigitsModel(dir, batch, 0);
    }

    /**
     * Loads the SavedModel in {@code dir} with TensorFlow's inter-op and intra-op pools of {@code threads} threads
     * each ({@code 0}: TensorFlow's default, as many as cores; below 0: every op on the calling thread, which
     * TensorFlow asks of the inter-op setting, with an intra-op pool of 1), and prepares inputs of {@code batch} rows.
     */
    public static DigitsModel load(Path dir, int batch, int threads) {
        return new DigitsModel(dir, batch, threads);
    }

    /** One inference call on the next input batch; returns the first row's score for class 0. */
    public float call() {
        Map<String, Tensor> feed = feeds[next];
        next = (next + 1) % DISTINCT_BATCHES;
        try (Result result = function.call(feed)) {
            return ((TFloat32) result.get(OUTPUT).orElseThrow()).getFloat(0, 0);
        }
    }

    @Override
    public void close() {
        for (TFloat32 t : inputs) {
            t.close();
        }
        bundle.close();
    }
}
