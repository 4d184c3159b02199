package io.infermon.processor.labels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.infermon.anodot.AnodotMetric;
import io.infermon.capture.CaptureRecord;
import io.infermon.capture.CapturedTensor;
import io.infermon.capture.DType;
import io.infermon.capture.RecordKind;
import io.infermon.capture.TensorMeaning;
import io.infermon.capture.TensorRole;
import io.infermon.processor.Datasets;
import io.infermon.processor.Records;
import io.infermon.processor.bucket.ClosedBucket;
import io.infermon.processor.bucket.EventTimeBuckets;
import io.infermon.processor.state.StateStore;
import io.infermon.processor.stats.StatisticsSettings;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabelJoinTest {
    @TempDir
    Path dir;
    private final List<StateStore> stores = new ArrayList<>();

    @AfterEach
    void closeStores() throws IOException {
        stores.forEach(StateStore::close);
    }

    private Run newRun() throws IOException {
        Run run = new Run(dir.resolve("state-" + stores.size()));
        stores.add(run.store);
        return run;
    }

    private static final long T0 = 1_795_478_400_000L; // 2026-11-24T00:00:00Z
    private static final Duration WIDTH = Duration.ofSeconds(60);
    private static final long HOUR = 3_600_000L;
    private static final long DAY = 24 * HOUR;
    private static final LabelSettings SETTINGS = new LabelSettings(
            List.of(Duration.ofHours(1), Duration.ofDays(1), Duration.ofDays(7)), Duration.ofDays(8), 1_000_000,
            10_000, Duration.ZERO);

    static CaptureRecord call(long millis, String id, float[] probabilities) {
        return new CaptureRecord(1, RecordKind.INFERENCE, 0, millis * 1_000_000L, 1000L, "digits", "1",
                "serving_default", "tensorflow.signature", id,
                List.of(Records.floats("probs", TensorRole.OUTPUT, new float[][] {probabilities})));
    }

    static CaptureRecord labelRecord(long millis, String id, long... labels) {
        ByteBuffer b = ByteBuffer.allocate(labels.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long l : labels) {
            b.putLong(l);
        }
        CapturedTensor t = new CapturedTensor("arg1", TensorRole.INPUT, TensorMeaning.LABEL, DType.INT64.code(),
                new long[] {labels.length}, b.flip().asReadOnlyBuffer());
        return new CaptureRecord(1, RecordKind.LABEL, 0, millis * 1_000_000L, 1000L, "digits", "1", "",
                "feedback", id, List.of(t));
    }

    /** Adds a record, then moves the watermark to its time, as a queue without watermark records does. */
    private static List<ClosedBucket> addAndAdvance(EventTimeBuckets buckets, CaptureRecord r) {
        buckets.add(r);
        return buckets.advanceTo(Math.floorDiv(r.captureTimeEpochNanos(), 1_000_000L));
    }

    /** The digits, one call each, 100 ms apart: 1,797 predictions over 3 one-minute buckets. */
    private final class Run {
        final EventTimeBuckets buckets = new EventTimeBuckets(WIDTH, Duration.ZERO,
                EventTimeBuckets.LatePolicy.DROP, StatisticsSettings.DEFAULTS);
        final Path storeDir;
        StateStore store;
        LabelJoin join;
        final List<LabelJoin.Emission> emitted = new ArrayList<>();

        Run(Path storeDir) throws IOException {
            this.storeDir = storeDir;
            // changes go on to the database every few kilobytes, as they do every megabyte at volume: a crash then
            // leaves changes after the last checkpoint in the database, which the restore must undo
            this.store = StateStore.onDisk(storeDir, false).spillAfter(4096);
            this.join = new LabelJoin(SETTINGS, WIDTH, 0.5, store);
        }

        /**
         * The predictions of rows {@code 0..p.length-1}; with a crash, a checkpoint at row {@code checkpointAt}
         * and a crash at row {@code crashAt}, after which the rows from the checkpoint on are read again.
         */
        void predict(float[][] p, int checkpointAt, int crashAt) throws IOException {
            boolean crashed = false;
            for (int i = 0; i < p.length; i++) {
                if (i == checkpointAt) {
                    checkpoint();
                }
                if (i == crashAt && !crashed) {
                    crashed = true;
                    crash();
                    i = checkpointAt - 1;
                    continue;
                }
                CaptureRecord r = call(T0 + i * 100L, "r" + i, p[i]);
                List<ClosedBucket> closed = addAndAdvance(buckets, r);
                join.addPredictions(r, buckets.lastModel(), buckets.lastStart());
                closed.forEach(join::bucketClosed);
                if (crashAt >= 0 && !crashed && i >= checkpointAt && i % 7 == 0) {
                    // before the crash only: predictions the run after it never sees (a replay need not be
                    // identical: queues merge in arrival order), so nothing of them may survive the crash
                    join.addPredictions(call(T0 + i * 100L, "ghost" + i, p[i]), buckets.lastModel(),
                            buckets.lastStart());
                }
            }
            buckets.closeAll().forEach(join::bucketClosed);
        }

        void predict(float[][] p) throws IOException {
            predict(p, -1, -1);
        }

        void advance() throws IOException {
            emitted.addAll(join.advance(buckets.watermark()));
        }

        /**
         * A checkpoint, then a restart: the state goes into the store's atomic commit, the store is closed and
         * opened again from disk (as by a new process) and a new join restored from what it committed.
         */
        void checkpointAndRestore() throws IOException {
            checkpoint();
            crash();
        }

        /** The join's and the buckets' state committed with the store's changes, as the processor does. */
        void checkpoint() throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            buckets.writeState(out);
            buckets.writeClosing(out);
            join.writeState(out);
            store.commit(bytes.toByteArray(), true);
        }

        /** A crash (the store closed without a commit), then a new store and join restored from the last commit. */
        void crash() throws IOException {
            store.close();
            store = StateStore.onDisk(storeDir, true).spillAfter(4096);
            stores.add(store);
            LabelJoin restored = new LabelJoin(SETTINGS, WIDTH, 0.5, store);
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(store.checkpoint()));
            buckets.restoreState(in);
            buckets.restoreClosing(in);
            restored.restoreState(in);
            assertThat(in.available()).isZero();
            join = restored;
        }
    }

    private static long delay(int i) {
        return switch (i % 3) {
            case 0 -> 20 * 60_000L; // 20 minutes
            case 1 -> 5 * HOUR;
            default -> 3 * DAY;
        };
    }

    private static double value(List<AnodotMetric> metrics, String what, String... properties) {
        List<AnodotMetric> found = metrics.stream().filter(m -> m.property("what").equals(what)
                && matches(m, properties)).toList();
        assertThat(found).as("%s %s", what, List.of(properties)).hasSize(1);
        return found.get(0).value();
    }

    private static boolean matches(AnodotMetric m, String... properties) {
        for (int i = 0; i < properties.length; i += 2) {
            if (!properties[i + 1].equals(m.property(properties[i]))) {
                return false;
            }
        }
        return properties.length > 0 || m.property("class") == null && m.property("stat") == null;
    }

    private void runAndCheck(boolean restartBetween) throws IOException {
        runAndCheck(restartBetween, false);
    }

    /**
     * @param crashes also a crash some way after a checkpoint, twice: while predictions are read, and while labels
     *                come; what came after the checkpoint is then read again, as the processor does after a kill
     */
    private void runAndCheck(boolean restartBetween, boolean crashes) throws IOException {
        float[][] p = LabelledData.digitProbabilities();
        int[] y = Datasets.digitLabels();
        Run run = newRun();
        if (crashes) {
            run.predict(p, 700, 1500);
        } else {
            run.predict(p);
        }
        // labels for 9 rows in 10, shuffled; a quarter of them through agent label records, the rest as labels
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < p.length; i++) {
            if (i % 10 != 0) {
                order.add(i);
            }
        }
        Collections.shuffle(order, new Random(6));
        int half = order.size() / 2;
        boolean crashed = false;
        for (int k = 0; k < order.size(); k++) {
            if (crashes && k == half) {
                run.checkpoint();
            }
            if (crashes && k == half + 200 && !crashed) {
                // before the crash only: a label the run after it never gets, for a row that has none
                run.join.apply(new Label("r0", 5, T0 + 1000), run.buckets.watermark());
            }
            if (crashes && k == half + 400 && !crashed) {
                crashed = true;
                run.crash();
                k = half - 1;
                continue;
            }
            int i = order.get(k);
            long time = T0 + i * 100L + delay(i);
            if (i % 4 == 0) {
                run.join.addLabelRecord(labelRecord(time, "r" + i, y[i]), run.buckets.watermark());
            } else {
                run.join.apply(new Label("r" + i, y[i], time), run.buckets.watermark());
            }
            if (k == half && restartBetween) {
                run.checkpointAndRestore();
            }
        }
        run.join.apply(new Label("nobody", 3, T0), run.buckets.watermark());
        if (crashes) {
            run.join.apply(new Label("ghost707", 1, T0 + 1000), run.buckets.watermark()); // gone with the crash
        }
        run.join.apply(new Label("r1", 3.5, T0 + DAY), run.buckets.watermark()); // not a class id
        run.advance();
        // the latest label is about 3 days after the last bucket: 1h and 1d windows are out, 7d is not
        assertThat(run.emitted).hasSize(3 * 2);
        if (restartBetween) {
            run.checkpointAndRestore();
        }
        // a label for a row that had none, 10 minutes after its prediction: late for 1h and 1d, in time for 7d
        run.join.apply(new Label("r10", y[10], T0 + 1000L + 10 * 60_000L), run.buckets.watermark());
        run.join.apply(new Label("r20", y[20], T0 + 8 * DAY), run.buckets.watermark()); // moves the clock on
        run.advance();
        assertThat(run.emitted).hasSize(3 * 3);

        Map<String, Long> counts = run.join.counts();
        assertThat(counts.get(LabelJoin.JOINED)).isEqualTo(order.size() + 2);
        assertThat(counts.get(LabelJoin.UNKNOWN_ID)).isEqualTo(crashes ? 2 : 1);
        assertThat(counts.get(LabelJoin.INVALID)).isEqualTo(1);
        assertThat(counts.get(LabelJoin.LATE)).isEqualTo(1);
        assertThat(counts.get(LabelJoin.PREDICTIONS_STORED)).isEqualTo(p.length);

        for (LabelJoin.Emission e : run.emitted) {
            long start = e.bucketStartMillis();
            long cutoff = start + WIDTH.toMillis() + switch (e.window()) {
                case "1h" -> HOUR;
                case "1d" -> DAY;
                default -> 7 * DAY;
            };
            List<Integer> rows = new ArrayList<>();
            List<Integer> labelled = new ArrayList<>();
            List<Double> delays = new ArrayList<>();
            for (int i = 0; i < p.length; i++) {
                long t = T0 + i * 100L;
                if (t < start || t >= start + WIDTH.toMillis()) {
                    continue;
                }
                rows.add(i);
                long labelTime = i == 10 ? t + 10 * 60_000L : i == 20 ? T0 + 8 * DAY : t + delay(i);
                boolean hasLabel = i % 10 != 0 || (i == 10 && e.window().equals("7d"))
                        || (i == 20 && e.window().equals("7d") && labelTime < cutoff);
                if (hasLabel && labelTime < cutoff) {
                    labelled.add(i);
                    delays.add((labelTime - t) / 1000.0);
                }
            }
            List<AnodotMetric> m = e.metrics();
            assertThat(m).allSatisfy(x -> {
                assertThat(x.property("label_window")).isEqualTo(e.window());
                assertThat(x.timestamp()).isEqualTo(start / 1000);
                assertThat(x.property("model")).isEqualTo("digits");
            });
            assertThat(value(m, "labeled_rows")).isEqualTo(labelled.size());
            assertThat(value(m, "label_coverage")).isEqualTo((double) labelled.size() / rows.size());
            Collections.sort(delays);
            assertThat(value(m, "label_delay_seconds", "stat", "max")).isEqualTo(delays.get(delays.size() - 1));
            assertThat(value(m, "label_delay_seconds", "stat", "p50"))
                    .isEqualTo(delays.get((int) Math.ceil(0.5 * delays.size()) - 1));
            int[] yy = labelled.stream().mapToInt(i -> y[i]).toArray();
            double[][] pp = LabelledData.toDouble(labelled.stream().map(i -> p[i]).toArray(float[][]::new));
            LabelQuality.Classification q = new LabelQuality.Classification(yy, LabelledData.predictions(pp), pp);
            assertThat(value(m, "accuracy")).isEqualTo(q.accuracy());
            assertThat(value(m, "log_loss")).isCloseTo(q.logLoss(), within(1e-9));
            assertThat(value(m, "brier_score")).isCloseTo(q.brier(), within(1e-9));
            assertThat(value(m, "roc_auc")).isEqualTo(q.rocAuc());
            assertThat(value(m, "f1_macro")).isEqualTo(q.macroF1());
            assertThat(value(m, "expected_accuracy")).isCloseTo(q.expectedAccuracy(), within(1e-12));
            for (int c : q.classes()) {
                assertThat(value(m, "support", "class", "class_" + c)).isEqualTo(q.support(c));
                assertThat(value(m, "recall", "class", "class_" + c)).isEqualTo(q.recall(c));
                assertThat(value(m, "confusion_count", "class", "class_" + c, "predicted_class", "class_" + c))
                        .isEqualTo(q.confusion(c, c));
            }
        }
    }

    @Test
    void eachMaturityHoldsTheLabelsKnownByThen() throws IOException {
        runAndCheck(false);
    }

    @Test
    void aJoinRestoredAfterACrashUndoesWhatCameAfterItsCheckpointAndEmitsTheSame() throws IOException {
        runAndCheck(false, true);
    }

    @Test
    void aRestoredJoinEmitsExactlyWhatAnUninterruptedOneDoes() throws IOException {
        runAndCheck(true);
    }

    /**
     * What a fleet host announces as its label watermark: after each advance of the label clock, every window whose
     * cutoff (bucket end plus maturity) is at or before {@link LabelJoin#windowsThrough} has been emitted, and the
     * next window to come has its cutoff just after it (it is as far as it can be), and it never goes back.
     */
    @Test
    void windowsThroughIsHowFarEveryWindowIsEmitted() throws IOException {
        Run run = newRun();
        run.predict(LabelledData.digitProbabilities());
        long closed = run.buckets.watermark();
        long firstMaturity = SETTINGS.maturities().get(0).toMillis();
        // cutoff -> the step that emitted it (the nine windows' cutoffs differ: buckets a minute apart, maturities
        // of an hour, a day and a week)
        Map<Long, Integer> emittedAt = new TreeMap<>();
        List<Long> through = new ArrayList<>();
        for (long clock = T0, k = 0; clock <= T0 + 8 * DAY; clock += 20 * 60_000L, k++) {
            for (LabelJoin.Emission e : run.join.advance(clock)) {
                long cutoff = e.bucketStartMillis() + WIDTH.toMillis() + e.maturityMillis();
                assertThat(emittedAt.put(cutoff, (int) k)).isNull();
            }
            through.add(run.join.windowsThrough(closed));
        }
        assertThat(emittedAt).hasSize(3 * 3); // three buckets, three maturities
        for (int k = 0; k < through.size(); k++) {
            long t = through.get(k);
            if (k > 0) {
                assertThat(t).isGreaterThanOrEqualTo(through.get(k - 1));
            }
            int step = k;
            emittedAt.forEach((cutoff, at) -> {
                if (cutoff <= t) {
                    assertThat(at).as("window with cutoff %s at step %s, through %s", cutoff, step, t)
                            .isLessThanOrEqualTo(step);
                }
            });
            boolean nextIsJustAfter = emittedAt.entrySet().stream()
                    .anyMatch(e -> e.getKey() == t + 1 && e.getValue() > step);
            assertThat(nextIsJustAfter || t == closed + firstMaturity).as("step %s, through %s", k, t).isTrue();
        }
        assertThat(through.get(through.size() - 1)).isEqualTo(closed + firstMaturity);
        assertThat(run.join.windowsThrough(Long.MIN_VALUE)).isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void aLabelBeforeItsPredictionWaitsAndOneWhosePredictionCannotComeIsCountedUnknown() throws IOException {
        Run run = newRun();
        CaptureRecord first = call(T0, "a", new float[] {0.2f, 0.8f});
        addAndAdvance(run.buckets, first);
        run.join.addPredictions(first, run.buckets.lastModel(), run.buckets.lastStart());
        run.join.apply(new Label("b", 1, T0 + 5_000), run.buckets.watermark()); // b is not read yet
        run.join.apply(new Label("zzz", 1, T0 + 7_000), run.buckets.watermark());
        assertThat(run.join.waitingLabels()).isEqualTo(2);
        CaptureRecord second = call(T0 + 2_000, "b", new float[] {0.9f, 0.1f});
        addAndAdvance(run.buckets, second);
        run.join.addPredictions(second, run.buckets.lastModel(), run.buckets.lastStart());
        assertThat(run.join.total(LabelJoin.JOINED)).isEqualTo(1);
        CaptureRecord later = call(T0 + 8_000, "c", new float[] {0.9f, 0.1f});
        addAndAdvance(run.buckets, later);
        run.advance(); // the watermark (8 s) passed zzz's time (7 s): its prediction would have been read by now
        assertThat(run.join.waitingLabels()).isZero();
        assertThat(run.join.total(LabelJoin.UNKNOWN_ID)).isEqualTo(1);
    }

    @Test
    void theStoreIsBoundedAndForgetsPredictionsPastTheHorizon() throws IOException {
        LabelSettings small = new LabelSettings(List.of(Duration.ofHours(1)), Duration.ofHours(2), 100, 10,
                Duration.ZERO);
        StateStore store = StateStore.inMemory();
        stores.add(store);
        LabelJoin join = new LabelJoin(small, WIDTH, 0.5, store);
        EventTimeBuckets buckets = new EventTimeBuckets(WIDTH, Duration.ZERO);
        for (int i = 0; i < 150; i++) {
            CaptureRecord r = call(T0 + i * 1000L, "r" + i, new float[] {0.3f, 0.7f});
            List<ClosedBucket> closed = addAndAdvance(buckets, r);
            join.addPredictions(r, buckets.lastModel(), buckets.lastStart());
            closed.forEach(join::bucketClosed);
        }
        buckets.closeAll().forEach(join::bucketClosed);
        assertThat(join.storedPredictions()).isEqualTo(100);
        assertThat(join.total(LabelJoin.PREDICTIONS_EVICTED)).isEqualTo(50);
        join.apply(new Label("r3", 1, T0 + 60_000), buckets.watermark()); // evicted: unknown
        assertThat(join.total(LabelJoin.UNKNOWN_ID)).isEqualTo(1);
        join.apply(new Label("r120", 1, T0 + 2 * HOUR + 100_000), buckets.watermark()); // the clock: 2 h later
        assertThat(join.advance(buckets.watermark())).hasSize(3); // the three buckets' 1 h windows, then
        // predictions captured more than 2 h before the clock are let go: r50..r99 (clock - 2 h = T0 + 100 s)
        assertThat(join.total(LabelJoin.PREDICTIONS_EXPIRED)).isEqualTo(50);
        assertThat(join.storedPredictions()).isEqualTo(50);
    }

    @Test
    void rowsOfABatchCallAreJoinedAsIdHashRow() throws IOException {
        Run run = newRun();
        CaptureRecord batch = new CaptureRecord(1, RecordKind.INFERENCE, 0, T0 * 1_000_000L, 1000L, "digits", "1",
                "serving_default", "tensorflow.signature", "req-9", List.of(Records.floats("probs", TensorRole.OUTPUT,
                new float[][] {{0.1f, 0.9f}, {0.8f, 0.2f}, {0.4f, 0.6f}})));
        addAndAdvance(run.buckets, batch);
        run.join.addPredictions(batch, run.buckets.lastModel(), run.buckets.lastStart());
        run.join.addLabelRecord(labelRecord(T0 + 10, "req-9", 1, 0, 0), run.buckets.watermark());
        assertThat(run.join.total(LabelJoin.JOINED)).isEqualTo(3);
        run.buckets.closeAll().forEach(run.join::bucketClosed);
        run.join.apply(new Label("req-9#0", 1, T0 + 2 * HOUR), run.buckets.watermark()); // a correction, same label
        run.advance();
        assertThat(run.join.total(LabelJoin.REPLACED)).isEqualTo(1);
        List<AnodotMetric> m = run.emitted.stream().filter(e -> e.window().equals("1h")).findFirst().orElseThrow()
                .metrics();
        // rows: (0.9 → 1, label 1), (0.2 → 0, label 0), (0.6 → 1, label 0); the correction came after 1 h
        assertThat(value(m, "accuracy")).isEqualTo(2.0 / 3);
        assertThat(value(m, "roc_auc")).isEqualTo(1.0);
        assertThat(value(m, "label_coverage")).isEqualTo(1.0);
        Map<String, Double> confusion = m.stream().filter(x -> x.property("what").equals("confusion_count"))
                .collect(Collectors.toMap(x -> x.property("class") + ">" + x.property("predicted_class"),
                        AnodotMetric::value, (a, b) -> a, TreeMap::new));
        assertThat(confusion).containsExactlyEntriesOf(new TreeMap<>(Map.of("class_0>class_0", 1.0,
                "class_0>class_1", 1.0, "class_1>class_0", 0.0, "class_1>class_1", 1.0)));
    }

    @Test
    void regressionPredictionsGetErrorMeasures() throws IOException {
        // predict the mean radius from the mean perimeter (perimeter ≈ 2π r) on the breast-cancer rows, as float32
        double[][] x = Datasets.breastCancer();
        Run run = newRun();
        double[] y = new double[x.length];
        double[] yHat = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            float predicted = (float) (x[i][2] / (2 * Math.PI));
            yHat[i] = predicted;
            y[i] = x[i][0];
            ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(predicted).flip();
            CaptureRecord r = new CaptureRecord(1, RecordKind.INFERENCE, 0, (T0 + i * 10L) * 1_000_000L, 1000L,
                    "radius", "", "", "tensorflow.session", "r" + i, List.of(new CapturedTensor("y", TensorRole.OUTPUT,
                    TensorMeaning.UNSPECIFIED, DType.FLOAT.code(), new long[] {1}, b.asReadOnlyBuffer())));
            addAndAdvance(run.buckets, r);
            run.join.addPredictions(r, run.buckets.lastModel(), run.buckets.lastStart());
            run.join.apply(new Label("r" + i, y[i], T0 + i * 10L + 1000), run.buckets.watermark());
        }
        run.buckets.closeAll().forEach(run.join::bucketClosed);
        run.join.apply(new Label("r0", y[0], T0 + 2 * HOUR), run.buckets.watermark()); // moves the clock on
        run.advance();
        List<AnodotMetric> m = run.emitted.get(0).metrics();
        LabelQuality.Regression q = new LabelQuality.Regression(y, yHat);
        assertThat(value(m, "mae")).isEqualTo(q.mae());
        assertThat(value(m, "rmse")).isEqualTo(q.rmse());
        assertThat(value(m, "mape")).isEqualTo(q.mape());
        assertThat(value(m, "r2")).isEqualTo(q.r2());
        assertThat(value(m, "label_coverage")).isEqualTo(1.0);
        assertThat(m).noneMatch(x2 -> x2.property("what").equals("accuracy"));
        assertThat(run.emitted.get(0).window()).isEqualTo("1h");
    }

    /**
     * A checkpoint written before the state store held every prediction in the join's state (the layout below,
     * as that build wrote it). Restored into a join with an empty store, the predictions move into the store and
     * the windows come out as they would have.
     */
    @Test
    void aCheckpointOfTheBuildBeforeTheStateStoreStillLoads() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeLong(17); // step
        out.writeLong(4); // applied label batch
        out.writeLong(T0 + 2_000); // latest joined label
        out.writeInt(1);
        out.writeUTF("digits");
        out.writeUTF("1");
        out.writeUTF("serving_default");
        Object[][] rows = {{"r0", 1, new double[] {0.2, 0.8}, 1.0, T0 + 1_000}, {"r1", 0, new double[] {0.9, 0.1},
                1.0, T0 + 2_000}, {"r2", 1, new double[] {0.4, 0.6}, Double.NaN, 0L}};
        out.writeInt(rows.length);
        for (int i = 0; i < rows.length; i++) {
            out.writeUTF((String) rows[i][0]);
            out.writeInt(0);
            out.writeLong(T0);
            out.writeLong(T0 + 100L * i);
            out.writeInt((Integer) rows[i][1]);
            out.writeDouble(Double.NaN);
            double[] p = (double[]) rows[i][2];
            out.writeInt(p.length);
            for (double v : p) {
                out.writeDouble(v);
            }
            out.writeDouble((Double) rows[i][3]);
            out.writeLong((Long) rows[i][4]);
            out.writeDouble(Double.NaN);
            out.writeLong(0);
        }
        out.writeInt(1); // buckets with windows to come
        out.writeInt(0);
        out.writeLong(T0);
        out.writeInt(1); // their windows
        out.writeInt(0);
        out.writeLong(T0);
        out.writeLong(3); // predicted rows
        out.writeInt(0); // none emitted yet
        out.writeInt(0); // waiting labels
        out.writeInt(2);
        out.writeUTF(LabelJoin.JOINED);
        out.writeLong(2);
        out.writeUTF(LabelJoin.PREDICTIONS_STORED);
        out.writeLong(3);
        out.flush();

        StateStore store = StateStore.onDisk(dir.resolve("state"), false);
        stores.add(store);
        LabelJoin join = new LabelJoin(SETTINGS, WIDTH, 0.5, store);
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()));
        join.restoreState(in);
        assertThat(in.available()).isZero();
        assertThat(join.step()).isEqualTo(17);
        assertThat(join.appliedSequence()).isEqualTo(4);
        assertThat(join.storedPredictions()).isEqualTo(3);

        join.apply(new Label("r2", 1, T0 + 3_000), T0 + WIDTH.toMillis());
        join.apply(new Label("r0", 1, T0 + 2 * HOUR), T0 + WIDTH.toMillis()); // a correction; moves the clock 2 h on
        List<LabelJoin.Emission> due = join.advance(T0 + WIDTH.toMillis());
        assertThat(due).hasSize(1);
        assertThat(due.get(0).window()).isEqualTo("1h");
        // by the 1 h cutoff: r0 labelled 1 (its first label) and predicted 1, r1 labelled 1 predicted 0, r2 1 and 1
        assertThat(value(due.get(0).metrics(), LabelWindowMetrics.LABELED_ROWS)).isEqualTo(3);
        assertThat(value(due.get(0).metrics(), LabelWindowMetrics.ACCURACY)).isCloseTo(2 / 3.0, within(1e-12));
        assertThat(join.total(LabelJoin.JOINED)).isEqualTo(4);
        assertThat(join.total(LabelJoin.REPLACED)).isEqualTo(1);
        assertThat(join.total(LabelJoin.PREDICTIONS_STORED)).isEqualTo(3);
    }
}
