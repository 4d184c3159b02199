package io.infermon.benchmarks.processor;

import io.infermon.capture.CaptureCodec;
import io.infermon.capture.CaptureSource;
import io.infermon.capture.DType;
import io.infermon.capture.TensorMeaning;
import io.infermon.capture.TensorRole;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;
import java.util.zip.GZIPInputStream;

/**
 * The traffic every processor benchmark reads: the 1,797 UCI digits rows (64 pixel counts 0..16) as a model's
 * float features, and as its output the softmax of a fixed linear map of them over 10 classes. Calls carry
 * {@link #BATCH_ROWS} rows each; row {@code k} of the stream is digits row {@code k mod 1797}, so a bucket of any
 * size is the data set cycled, and {@link #rows()} records (one per starting row) are every call there is.
 *
 * <p>Two kinds of features ({@link Features}): the pixels as they are (17 distinct values a column: infermon counts
 * them exactly, no sketch involved), and the pixels plus a fixed offset in [0, 1) each (continuous columns with 1,797
 * distinct values: infermon's quantile and frequency sketches do the work).
 *
 * <p>The same rows reach the numpy peer through {@link #writeNpy}.
 */
public final class DigitsTraffic {
    public static final int FEATURES = 64;
    public static final int CLASSES = 10;
    public static final int BATCH_ROWS = 64;
    /** Fixed so that every run, and the numpy peer, sees the same probabilities. */
    private static final long MAP_SEED = 20261124L;
    private static final long JITTER_SEED = 17L;

    /** What the feature columns look like. */
    public enum Features {
        /** The pixel counts 0..16 as they are: low-cardinality, integral columns. */
        PIXELS,
        /** Each pixel plus its own fixed offset drawn uniformly from [0, 1): continuous columns, same shape. */
        JITTERED;

        /** The name used in benchmark parameters and file names. */
        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final float[][] features;
    private final float[][] probabilities;

    private DigitsTraffic(float[][] features, float[][] probabilities) {
        this.features = features;
        this.probabilities = probabilities;
    }

    /** The pixels as they are. */
    public static DigitsTraffic load() {
        return load(Features.PIXELS);
    }

    /** Reads the digits bundled with the benchmarks, shapes the features and computes the model's probabilities. */
    public static DigitsTraffic load(Features kind) {
        float[][] x = readDigits();
        if (kind == Features.JITTERED) {
            SplittableRandom random = new SplittableRandom(JITTER_SEED);
            for (float[] row : x) {
                for (int j = 0; j < FEATURES; j++) {
                    row[j] += (float) random.nextDouble();
                }
            }
        }
        return new DigitsTraffic(x, softmaxOfLinearMap(x));
    }

    private static float[][] readDigits() {
        List<float[]> rows = new ArrayList<>();
        try (InputStream raw = DigitsTraffic.class.getResourceAsStream("/datasets/digits.csv.gz")) {
            if (raw == null) {
                throw new IllegalStateException("datasets/digits.csv.gz is missing from the class path");
            }
            BufferedReader in = new BufferedReader(new InputStreamReader(new GZIPInputStream(raw),
                    StandardCharsets.US_ASCII));
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.isBlank()) {
                    continue;
                }
                String[] cells = line.split(",");
                if (cells.length != FEATURES + 1) {
                    throw new IllegalStateException("digits row " + (rows.size() + 1) + " has " + cells.length
                            + " cells, expected " + (FEATURES + 1));
                }
                float[] row = new float[FEATURES];
                for (int j = 0; j < FEATURES; j++) {
                    row[j] = Float.parseFloat(cells[j]); // the last cell, the label, is not a feature
                }
                rows.add(row);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return rows.toArray(new float[0][]);
    }

    /**
     * A stand-in for a trained model: any fixed map gives the prediction statistics real work (a spread of top
     * probabilities, entropies and predicted classes); what matters is that it is the same in every run.
     */
    private static float[][] softmaxOfLinearMap(float[][] x) {
        SplittableRandom random = new SplittableRandom(MAP_SEED);
        double[][] weights = new double[CLASSES][FEATURES];
        for (double[] w : weights) {
            for (int j = 0; j < FEATURES; j++) {
                w[j] = random.nextDouble(-0.05, 0.05);
            }
        }
        float[][] p = new float[x.length][CLASSES];
        double[] logits = new double[CLASSES];
        for (int i = 0; i < x.length; i++) {
            double top = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < CLASSES; c++) {
                double z = 0;
                for (int j = 0; j < FEATURES; j++) {
                    z += weights[c][j] * x[i][j];
                }
                logits[c] = z;
                top = Math.max(top, z);
            }
            double sum = 0;
            for (int c = 0; c < CLASSES; c++) {
                logits[c] = Math.exp(logits[c] - top);
                sum += logits[c];
            }
            for (int c = 0; c < CLASSES; c++) {
                p[i][c] = (float) (logits[c] / sum);
            }
        }
        return p;
    }

    /** Distinct data rows; the stream's row {@code k} is row {@code k mod rows()}. */
    public int rows() {
        return features.length;
    }

    /** The features of data row {@code k}. */
    public float[] features(int k) {
        return features[k].clone();
    }

    /** The model's probabilities for data row {@code k}. */
    public float[] probabilities(int k) {
        return probabilities[k].clone();
    }

    /** Every call the stream holds: record {@code i} carries stream rows {@code i*64 .. i*64+63}. */
    public ByteBuffer[] sealedRecords() {
        ByteBuffer[] records = new ByteBuffer[rows()];
        for (int i = 0; i < records.length; i++) {
            records[i] = ByteBuffer.wrap(encode(i)).asReadOnlyBuffer();
        }
        return records;
    }

    /** Record {@code i}, encoded and sealed by the shared codec as the agent writes it. */
    byte[] encode(int i) {
        Call call = new Call(i);
        int length = (int) CaptureCodec.encodedLength(call);
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        CaptureCodec.encode(call, b, 0);
        CaptureCodec.seal(b, 0, new CRC32C());
        return b.array();
    }

    /** One call of 64 rows, read straight from the data set. */
    private final class Call implements CaptureSource {
        private final int index;

        Call(int index) {
            this.index = index;
        }

        private float[] row(int t, int r) {
            int k = (int) (((long) index * BATCH_ROWS + r) % rows());
            return t == 0 ? features[k] : probabilities[k];
        }

        @Override public long captureTimeEpochNanos() { return 1_795_478_400_000_000_000L + index * 1_000_000L; }
        @Override public long durationNanos() { return 50_000L; }
        @Override public String modelName() { return "digits"; }
        @Override public String modelVersion() { return "1"; }
        @Override public String signature() { return "serving_default"; }
        @Override public String interceptionPoint() { return "tensorflow.session"; }
        @Override public String requestId() { return ""; }
        @Override public int tensorCount() { return 2; }
        @Override public String tensorName(int t) { return t == 0 ? "x:0" : "probs:0"; }
        @Override public TensorRole tensorRole(int t) { return t == 0 ? TensorRole.INPUT : TensorRole.OUTPUT; }
        @Override public TensorMeaning tensorMeaning(int t) { return TensorMeaning.UNSPECIFIED; }
        @Override public int tensorDType(int t) { return DType.FLOAT.code(); }
        @Override public int tensorRank(int t) { return 2; }
        @Override public long tensorDim(int t, int d) { return d == 0 ? BATCH_ROWS : t == 0 ? FEATURES : CLASSES; }
        @Override public int tensorByteLength(int t) { return BATCH_ROWS * (t == 0 ? FEATURES : CLASSES) * 4; }

        @Override
        public void copyTensorBytes(int t, ByteBuffer target, int offset) {
            ByteBuffer out = target.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            int p = offset;
            for (int r = 0; r < BATCH_ROWS; r++) {
                for (float v : row(t, r)) {
                    out.putFloat(p, v);
                    p += 4;
                }
            }
        }
    }

    /**
     * Writes the distinct rows as {@code features.npy} (rows x 64) and {@code probabilities.npy} (rows x 10), float32
     * little-endian, for the numpy peer (which cycles them exactly as the records do).
     */
    public void writeNpy(Path dir) throws IOException {
        Files.createDirectories(dir);
        writeNpy(dir.resolve("features.npy"), features);
        writeNpy(dir.resolve("probabilities.npy"), probabilities);
    }

    /** NumPy's .npy format, version 1.0: magic, header length, a Python-dict header padded to 64 bytes, data. */
    private static void writeNpy(Path file, float[][] rows) throws IOException {
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + rows.length + ", " + rows[0].length
                + "), }";
        int unpadded = 6 + 2 + 2 + dict.length() + 1;
        StringBuilder header = new StringBuilder(dict);
        header.append(" ".repeat((64 - unpadded % 64) % 64)).append('\n');
        ByteBuffer data = ByteBuffer.allocate(rows.length * rows[0].length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float[] row : rows) {
            for (float v : row) {
                data.putFloat(v);
            }
        }
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
            out.write(header.length() & 0xFF);
            out.write(header.length() >>> 8);
            out.write(header.toString().getBytes(StandardCharsets.US_ASCII));
            out.write(data.array());
        }
    }

    /**
     * {@code java -cp benchmarks.jar io.infermon.benchmarks.processor.DigitsTraffic DIR}: writes the .npy files of
     * each kind of features to {@code DIR/pixels} and {@code DIR/jittered}.
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: DigitsTraffic OUTPUT_DIR");
            System.exit(2);
        }
        for (Features kind : Features.values()) {
            DigitsTraffic traffic = load(kind);
            Path dir = Path.of(args[0], kind.id());
            traffic.writeNpy(dir);
            System.out.println("wrote " + traffic.rows() + " rows to " + dir);
        }
    }
}
