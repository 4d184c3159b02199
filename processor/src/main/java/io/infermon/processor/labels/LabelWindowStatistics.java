package io.infermon.processor.labels;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.memory.Memory;
import org.apache.datasketches.quantilescommon.QuantileSearchCriteria;

/**
 * The sufficient statistics of one label window (a prediction bucket at one maturity): what {@link LabelQuality}
 * computes from the joined rows, kept as sums and counts that add up, so that the windows of many hosts merge into
 * the window of the whole fleet without their rows (docs/fleet.md, "Label windows").
 *
 * <p>Every metric is computed from these exactly as {@link LabelQuality} computes it from the rows (the same
 * formulas, the same order of operations on the counts), except:
 * <ul>
 *   <li>sums of floating-point terms (log loss, Brier, confidences, errors) are added in another order when parts
 *       merge, so the fleet's values may differ from a single pass over all rows in the last bits;</li>
 *   <li>R² keeps the labels' mean and sum of squared deviations (Welford, merged by Chan's formula), not Σy and Σy²,
 *       whose difference cancels catastrophically for labels far from 0;</li>
 *   <li>ROC AUC is exact while a class has at most {@value #EXACT_SCORES} distinct scores (a table of positives and
 *       negatives per score); beyond, its scores are counted in bins of {@value #LOGIT_BINS_PER_UNIT}ths of a logit,
 *       and a pair of a positive and a negative in one bin counts one half: the AUC is then off by at most half the
 *       share of positive–negative pairs that share a bin, which {@link #rocAucErrorBound} computes from the table;</li>
 *   <li>the label delay's quantiles come from a KLL sketch (k = {@value #DELAY_SKETCH_K}): exact up to 200 rows,
 *       beyond within a normalized rank error of 1.33% (99% confidence); its mean and maximum are exact.</li>
 * </ul>
 * The form of the AUC tables depends on the union's rows only (a table is binned exactly when the union has more
 * distinct scores than the limit), so a merge of parts equals the statistics of all their rows whatever the order.
 */
public final class LabelWindowStatistics implements ClassificationQuality, RegressionQuality {
    /** The version of {@link #encode}'s form; a reader refuses any other. */
    public static final int FORMAT_VERSION = 1;
    public static final int EXACT_SCORES = 1024;
    public static final int LOGIT_BINS_PER_UNIT = 32;
    /** Logits beyond ±this share the outermost bins (probabilities within 4e-18 of 0 or 1). */
    static final double LOGIT_LIMIT = 40;
    public static final int DELAY_SKETCH_K = 200;
    private static final int CALIBRATION_BINS = LabelQuality.CALIBRATION_BINS;
    /** No classification row yet: merges as nothing. */
    private static final int NO_ROWS = -2;
    /** Some row had no probabilities, or rows had different widths: no probability metrics. */
    private static final int NO_PROBABILITIES = -1;

    private long predictedRows;
    private long labelledRows;
    private double delaySum;
    private double delayMax = Double.NEGATIVE_INFINITY;
    private KllDoublesSketch delays = KllDoublesSketch.newHeapInstance(DELAY_SKETCH_K);

    private long classified;
    /** (label × 65536 + predicted class) → rows; class ids are below 65536. */
    private final TreeMap<Long, Long> confusion = new TreeMap<>();
    private int width = NO_ROWS;
    private double logLossSum;
    private double brierSum;
    private double pred1Sum;
    private long[] calibrationCount = new long[CALIBRATION_BINS];
    private long[] calibrationRight = new long[CALIBRATION_BINS];
    private double[] calibrationConfidence = new double[CALIBRATION_BINS];
    /** Per class whose AUC is computed (all of them; only class 1 for two columns), its scores' table. */
    private ScoreTable[] scores;

    private long regressed;
    private double absoluteErrorSum;
    private double squaredErrorSum;
    private double relativeErrorSum;
    private long relativeRows;
    private double labelMean;
    private double labelM2;

    /** @param predictedRows the bucket's rows with a prediction: the label coverage's denominator */
    public LabelWindowStatistics(long predictedRows) {
        this.predictedRows = predictedRows;
    }

    // ---- adding rows ----

    /**
     * A classification row.
     *
     * @param probabilities its class probabilities (at least two), or null when the model gave a class id only
     * @param delaySeconds  from the prediction's capture to its label
     */
    public void addClassified(int label, int predicted, double[] probabilities, double delaySeconds) {
        labelled(delaySeconds);
        classified++;
        confusion.merge(cell(label, predicted), 1L, Long::sum);
        if (width == NO_ROWS) {
            width = probabilities == null ? NO_PROBABILITIES : probabilities.length;
            if (width >= 2) {
                scores = new ScoreTable[width];
            }
        } else if (width >= 2 && (probabilities == null || probabilities.length != width)) {
            dropProbabilities();
        }
        if (width < 2) {
            return;
        }
        double[] p = probabilities;
        logLossSum += Math.log(Math.max(label < p.length ? p[label] : 0, LabelQuality.LOG_LOSS_EPSILON));
        if (width == 2) {
            double d = p[1] - (label == 1 ? 1 : 0);
            brierSum += d * d;
        } else {
            // term by term into the sum, as LabelQuality adds them: one host's Brier is the same to the last bit
            for (int c = 0; c < width; c++) {
                double d = p[c] - (label == c ? 1 : 0);
                brierSum += d * d;
            }
            if (label >= width) {
                brierSum += 1;
            }
        }
        double top = LabelQuality.pred1(p);
        pred1Sum += top;
        int b = Math.min(CALIBRATION_BINS - 1, (int) Math.floor(top * CALIBRATION_BINS));
        calibrationCount[b]++;
        calibrationConfidence[b] += top;
        if (label == predicted) {
            calibrationRight[b]++;
        }
        for (int c = width == 2 ? 1 : 0; c < width; c++) {
            if (scores[c] == null) {
                scores[c] = new ScoreTable();
            }
            scores[c].add(p[c], label == c, 1);
        }
    }

    /** A regression row: its true value and the model's. */
    public void addRegressed(double label, double predicted, double delaySeconds) {
        labelled(delaySeconds);
        regressed++;
        double e = label - predicted;
        absoluteErrorSum += Math.abs(e);
        squaredErrorSum += e * e;
        if (label != 0) {
            relativeErrorSum += Math.abs(e / label);
            relativeRows++;
        }
        double delta = label - labelMean;
        labelMean += delta / regressed;
        labelM2 += delta * (label - labelMean);
    }

    private void labelled(double delaySeconds) {
        labelledRows++;
        delaySum += delaySeconds;
        delayMax = Math.max(delayMax, delaySeconds);
        delays.update(delaySeconds);
    }

    private static long cell(int label, int predicted) {
        if (label < 0 || label >= 1 << 16 || predicted < 0 || predicted >= 1 << 16) {
            throw new IllegalArgumentException("class ids are 0 to 65535, not " + label + " and " + predicted);
        }
        return ((long) label << 16) | predicted;
    }

    private void dropProbabilities() {
        width = NO_PROBABILITIES;
        scores = null;
        logLossSum = 0;
        brierSum = 0;
        pred1Sum = 0;
        calibrationCount = new long[CALIBRATION_BINS];
        calibrationRight = new long[CALIBRATION_BINS];
        calibrationConfidence = new double[CALIBRATION_BINS];
    }

    // ---- merging ----

    /**
     * Adds another part of the same window (another host's, or other rows): the result is the statistics of both
     * parts' rows. The predicted rows add up too (each host counts its own bucket's).
     */
    public LabelWindowStatistics merge(LabelWindowStatistics o) {
        predictedRows += o.predictedRows;
        labelledRows += o.labelledRows;
        delaySum += o.delaySum;
        delayMax = Math.max(delayMax, o.delayMax);
        delays.merge(o.delays);
        if (o.classified > 0) {
            o.confusion.forEach((k, v) -> confusion.merge(k, v, Long::sum));
            if (classified == 0) {
                width = o.width;
                if (o.width >= 2) {
                    scores = new ScoreTable[width];
                }
            } else if (width != o.width) {
                dropProbabilities();
            }
            classified += o.classified;
            if (width >= 2) {
                logLossSum += o.logLossSum;
                brierSum += o.brierSum;
                pred1Sum += o.pred1Sum;
                for (int b = 0; b < CALIBRATION_BINS; b++) {
                    calibrationCount[b] += o.calibrationCount[b];
                    calibrationRight[b] += o.calibrationRight[b];
                    calibrationConfidence[b] += o.calibrationConfidence[b];
                }
                for (int c = 0; c < width; c++) {
                    if (o.scores[c] != null) {
                        if (scores[c] == null) {
                            scores[c] = new ScoreTable();
                        }
                        scores[c].merge(o.scores[c]);
                    }
                }
            }
        }
        if (o.regressed > 0) {
            long n = regressed + o.regressed;
            double delta = o.labelMean - labelMean;
            labelM2 += o.labelM2 + delta * delta * ((double) regressed * o.regressed / n);
            labelMean += delta * o.regressed / n;
            regressed = n;
            absoluteErrorSum += o.absoluteErrorSum;
            squaredErrorSum += o.squaredErrorSum;
            relativeErrorSum += o.relativeErrorSum;
            relativeRows += o.relativeRows;
        }
        return this;
    }

    // ---- metrics ----

    public long predictedRows() {
        return predictedRows;
    }

    public long labelledRows() {
        return labelledRows;
    }

    public double delayMean() {
        return labelledRows == 0 ? Double.NaN : delaySum / labelledRows;
    }

    public double delayMax() {
        return labelledRows == 0 ? Double.NaN : delayMax;
    }

    /** The inverted-CDF quantile of the delays, from the sketch (exact up to {@value #DELAY_SKETCH_K} rows). */
    public double delayQuantile(double q) {
        return labelledRows == 0 ? Double.NaN : delays.getQuantile(q, QuantileSearchCriteria.INCLUSIVE);
    }

    @Override
    public long classifiedRows() {
        return classified;
    }

    public long regressedRows() {
        return regressed;
    }

    public boolean hasProbabilities() {
        return width >= 2;
    }

    /** The number of probability columns, or 0 without probabilities. */
    public int width() {
        return Math.max(0, width);
    }

    /** The classes among the labels and the predictions, ascending. */
    @Override
    public int[] classes() {
        java.util.TreeSet<Integer> s = new java.util.TreeSet<>();
        for (long k : confusion.keySet()) {
            s.add((int) (k >>> 16));
            s.add((int) (k & 0xffff));
        }
        return s.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public long confusion(int actual, int as) {
        return confusion.getOrDefault(cell(actual, as), 0L);
    }

    @Override
    public long support(int c) {
        long n = 0;
        for (Map.Entry<Long, Long> e : confusion.subMap((long) c << 16, true, ((long) c << 16) | 0xffff, true)
                .entrySet()) {
            n += e.getValue();
        }
        return n;
    }

    @Override
    public long predictedCount(int c) {
        long n = 0;
        for (Map.Entry<Long, Long> e : confusion.entrySet()) {
            if ((e.getKey() & 0xffff) == c) {
                n += e.getValue();
            }
        }
        return n;
    }

    public double accuracy() {
        long right = 0;
        for (Map.Entry<Long, Long> e : confusion.entrySet()) {
            if ((e.getKey() >>> 16) == (e.getKey() & 0xffff)) {
                right += e.getValue();
            }
        }
        return (double) right / classified;
    }

    public double logLoss() {
        return width < 2 ? Double.NaN : -logLossSum / classified;
    }

    public double brier() {
        return width < 2 ? Double.NaN : brierSum / classified;
    }

    public double expectedAccuracy() {
        return width < 2 ? Double.NaN : pred1Sum / classified;
    }

    public double expectedCalibrationError() {
        if (width < 2) {
            return Double.NaN;
        }
        double ece = 0;
        for (int b = 0; b < CALIBRATION_BINS; b++) {
            if (calibrationCount[b] > 0) {
                ece += (double) calibrationCount[b] / classified
                        * Math.abs((double) calibrationRight[b] / calibrationCount[b]
                        - calibrationConfidence[b] / calibrationCount[b]);
            }
        }
        return ece;
    }

    /** One-vs-rest ROC AUC of class {@code c} (see the class comment for when it is binned). */
    public double rocAuc(int c) {
        if (width < 2 || c < 0 || c >= width || scores[c] == null) {
            return Double.NaN;
        }
        return scores[c].auc();
    }

    /** Two columns: {@link #rocAuc} of class 1; more: the mean of the defined one-vs-rest AUCs. */
    public double rocAuc() {
        if (width < 2) {
            return Double.NaN;
        }
        if (width == 2) {
            return rocAuc(1);
        }
        double sum = 0;
        int defined = 0;
        for (int c = 0; c < width; c++) {
            double a = rocAuc(c);
            if (!Double.isNaN(a)) {
                sum += a;
                defined++;
            }
        }
        return defined == 0 ? Double.NaN : sum / defined;
    }

    /** Whether class {@code c}'s AUC comes from binned scores (it is exact otherwise). */
    public boolean rocAucBinned(int c) {
        return width >= 2 && c >= 0 && c < width && scores[c] != null && scores[c].binned;
    }

    /**
     * The most class {@code c}'s AUC can be off: half the share of (positive, negative) pairs in one bin; 0 while
     * exact; NaN when the AUC is.
     */
    public double rocAucErrorBound(int c) {
        if (Double.isNaN(rocAuc(c))) {
            return Double.NaN;
        }
        return scores[c].binned ? scores[c].tiedShare() / 2 : 0;
    }

    public double mae() {
        return absoluteErrorSum / regressed;
    }

    public double rmse() {
        return Math.sqrt(squaredErrorSum / regressed);
    }

    public double mape() {
        return relativeRows == 0 ? Double.NaN : relativeErrorSum / relativeRows;
    }

    public double r2() {
        return labelM2 == 0 ? Double.NaN : 1 - squaredErrorSum / labelM2;
    }

    // ---- the AUC's tables ----

    /** Positives and negatives per score (exact) or per logit bin (binned) of one class. */
    static final class ScoreTable {
        boolean binned;
        /** Exact: score → {positives, negatives}. */
        TreeMap<Double, long[]> exact = new TreeMap<>();
        /** Binned: bin → {positives, negatives}. */
        TreeMap<Integer, long[]> bins;

        void add(double score, boolean positive, long n) {
            long[] counts = binned ? bins.computeIfAbsent(bin(score), k -> new long[2])
                    : exact.computeIfAbsent(score, k -> new long[2]);
            counts[positive ? 0 : 1] += n;
            if (!binned && exact.size() > EXACT_SCORES) {
                toBins();
            }
        }

        void merge(ScoreTable o) {
            if (o.binned && !binned) {
                toBins();
            }
            if (o.binned) {
                o.bins.forEach((b, c) -> {
                    long[] mine = bins.computeIfAbsent(b, k -> new long[2]);
                    mine[0] += c[0];
                    mine[1] += c[1];
                });
                return;
            }
            for (Map.Entry<Double, long[]> e : o.exact.entrySet()) {
                add(e.getKey(), true, e.getValue()[0]);
                add(e.getKey(), false, e.getValue()[1]);
            }
        }

        private void toBins() {
            binned = true;
            bins = new TreeMap<>();
            exact.forEach((score, c) -> {
                long[] b = bins.computeIfAbsent(bin(score), k -> new long[2]);
                b[0] += c[0];
                b[1] += c[1];
            });
            exact = null;
        }

        /** The bin of a score: its logit in steps of 1/{@value #LOGIT_BINS_PER_UNIT}, within ±{@value #LOGIT_LIMIT}. */
        static int bin(double p) {
            double logit = p <= 0 ? -LOGIT_LIMIT : p >= 1 ? LOGIT_LIMIT : Math.log(p) - Math.log1p(-p);
            logit = Math.max(-LOGIT_LIMIT, Math.min(LOGIT_LIMIT, logit));
            return (int) Math.floor(logit * LOGIT_BINS_PER_UNIT);
        }

        private Iterable<long[]> ascending() {
            return binned ? bins.values() : exact.values();
        }

        /** Mann–Whitney in halves, as {@link LabelQuality#auc}: each entry a group of tied scores. */
        double auc() {
            long positives = 0;
            long negatives = 0;
            long halves = 0;
            for (long[] c : ascending()) {
                halves += c[0] * (2 * negatives + c[1]);
                positives += c[0];
                negatives += c[1];
            }
            if (positives == 0 || negatives == 0) {
                return Double.NaN;
            }
            return halves / (2.0 * positives * negatives);
        }

        /** The share of (positive, negative) pairs that share an entry. */
        double tiedShare() {
            long positives = 0;
            long negatives = 0;
            double tied = 0;
            for (long[] c : ascending()) {
                tied += (double) c[0] * c[1];
                positives += c[0];
                negatives += c[1];
            }
            return tied / ((double) positives * negatives);
        }
    }

    // ---- binary form ----

    /** The statistics in their binary form (docs/fleet.md, "Label window statistics"). */
    public byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT_VERSION);
            out.writeLong(predictedRows);
            out.writeLong(labelledRows);
            out.writeDouble(delaySum);
            out.writeDouble(delayMax);
            byte[] sketch = delays.toByteArray();
            out.writeInt(sketch.length);
            out.write(sketch);
            out.writeLong(classified);
            if (classified > 0) {
                out.writeInt(confusion.size());
                for (Map.Entry<Long, Long> e : confusion.entrySet()) {
                    out.writeShort((int) (e.getKey() >>> 16));
                    out.writeShort((int) (e.getKey() & 0xffff));
                    out.writeLong(e.getValue());
                }
                out.writeInt(width);
                if (width >= 2) {
                    out.writeDouble(logLossSum);
                    out.writeDouble(brierSum);
                    out.writeDouble(pred1Sum);
                    for (int b = 0; b < CALIBRATION_BINS; b++) {
                        out.writeLong(calibrationCount[b]);
                        out.writeLong(calibrationRight[b]);
                        out.writeDouble(calibrationConfidence[b]);
                    }
                    for (int c = 0; c < width; c++) {
                        ScoreTable t = scores[c];
                        if (t == null) {
                            out.writeByte(0);
                        } else if (!t.binned) {
                            out.writeByte(1);
                            out.writeInt(t.exact.size());
                            for (Map.Entry<Double, long[]> e : t.exact.entrySet()) {
                                out.writeDouble(e.getKey());
                                out.writeLong(e.getValue()[0]);
                                out.writeLong(e.getValue()[1]);
                            }
                        } else {
                            out.writeByte(2);
                            out.writeInt(t.bins.size());
                            for (Map.Entry<Integer, long[]> e : t.bins.entrySet()) {
                                out.writeInt(e.getKey());
                                out.writeLong(e.getValue()[0]);
                                out.writeLong(e.getValue()[1]);
                            }
                        }
                    }
                }
            }
            out.writeLong(regressed);
            if (regressed > 0) {
                out.writeDouble(absoluteErrorSum);
                out.writeDouble(squaredErrorSum);
                out.writeDouble(relativeErrorSum);
                out.writeLong(relativeRows);
                out.writeDouble(labelMean);
                out.writeDouble(labelM2);
            }
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory failed", e);
        }
        return bytes.toByteArray();
    }

    /** Reads {@link #encode}'s form; refuses another version, implausible counts and trailing bytes. */
    public static LabelWindowStatistics decode(byte[] bytes) throws IOException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            int version = in.readUnsignedByte();
            if (version != FORMAT_VERSION) {
                throw new IOException("label window statistics version " + version + " is not supported (this build"
                        + " reads " + FORMAT_VERSION + ")");
            }
            LabelWindowStatistics s = new LabelWindowStatistics(count(in.readLong()));
            s.labelledRows = count(in.readLong());
            s.delaySum = in.readDouble();
            s.delayMax = in.readDouble();
            try {
                s.delays = KllDoublesSketch.heapify(Memory.wrap(bytesOf(in)));
            } catch (RuntimeException e) {
                throw new IOException("a damaged label delay sketch (" + e.getMessage() + ")", e);
            }
            s.classified = count(in.readLong());
            if (s.classified > 0) {
                for (int n = size(in.readInt(), in); n > 0; n--) {
                    s.confusion.put(((long) in.readUnsignedShort() << 16) | in.readUnsignedShort(), count(in.readLong()));
                }
                s.width = in.readInt();
                if (s.width < NO_PROBABILITIES || s.width == 0 || s.width == 1 || s.width > 1 << 16) {
                    throw new IOException("implausible probability width " + s.width);
                }
                if (s.width >= 2) {
                    s.logLossSum = in.readDouble();
                    s.brierSum = in.readDouble();
                    s.pred1Sum = in.readDouble();
                    for (int b = 0; b < CALIBRATION_BINS; b++) {
                        s.calibrationCount[b] = count(in.readLong());
                        s.calibrationRight[b] = count(in.readLong());
                        s.calibrationConfidence[b] = in.readDouble();
                    }
                    s.scores = new ScoreTable[s.width];
                    for (int c = 0; c < s.width; c++) {
                        int form = in.readUnsignedByte();
                        if (form == 0) {
                            continue;
                        }
                        ScoreTable t = new ScoreTable();
                        if (form == 1) {
                            for (int n = size(in.readInt(), in); n > 0; n--) {
                                t.exact.put(in.readDouble(), new long[] {count(in.readLong()), count(in.readLong())});
                            }
                        } else if (form == 2) {
                            t.binned = true;
                            t.exact = null;
                            t.bins = new TreeMap<>();
                            for (int n = size(in.readInt(), in); n > 0; n--) {
                                t.bins.put(in.readInt(), new long[] {count(in.readLong()), count(in.readLong())});
                            }
                        } else {
                            throw new IOException("unknown score table form " + form);
                        }
                        s.scores[c] = t;
                    }
                }
            }
            s.regressed = count(in.readLong());
            if (s.regressed > 0) {
                s.absoluteErrorSum = in.readDouble();
                s.squaredErrorSum = in.readDouble();
                s.relativeErrorSum = in.readDouble();
                s.relativeRows = count(in.readLong());
                s.labelMean = in.readDouble();
                s.labelM2 = in.readDouble();
            }
            if (in.available() != 0) {
                throw new IOException(in.available() + " unexpected bytes after label window statistics");
            }
            if (s.classified + s.regressed != s.labelledRows) {
                throw new IOException(s.labelledRows + " labelled rows but " + s.classified + " classified and "
                        + s.regressed + " regressed");
            }
            return s;
        } catch (EOFException e) {
            throw new IOException("label window statistics end early", e);
        }
    }

    private static long count(long n) throws IOException {
        if (n < 0) {
            throw new IOException("a negative count " + n + " in label window statistics");
        }
        return n;
    }

    private static int size(int n, DataInputStream in) throws IOException {
        if (n < 0 || n > in.available()) {
            throw new IOException("implausible entry count " + n + " in label window statistics");
        }
        return n;
    }

    private static byte[] bytesOf(DataInputStream in) throws IOException {
        int n = size(in.readInt(), in);
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }
}
