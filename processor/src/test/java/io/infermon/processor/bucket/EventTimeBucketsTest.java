package io.infermon.processor.bucket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.infermon.processor.Records;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventTimeBucketsTest {
    private static final float[][] ONE_ROW = {{1f}};

    /** Adds a record, then moves the watermark to its time, as a queue without watermark records does. */
    private static List<ClosedBucket> add(EventTimeBuckets b, long millis, String model) {
        b.add(Records.call(millis, model, ONE_ROW, null));
        return b.advanceTo(millis);
    }

    @Test
    void alignsBucketsToTheEpoch() {
        EventTimeBuckets b = new EventTimeBuckets(Duration.ofSeconds(60), Duration.ZERO);
        assertThat(b.bucketStart(125_000)).isEqualTo(120_000);
        assertThat(b.bucketStart(120_000)).isEqualTo(120_000);
        assertThat(b.bucketStart(-1)).isEqualTo(-60_000);
        assertThat(new EventTimeBuckets(Duration.ofDays(1), Duration.ZERO).bucketStart(1_795_500_000_000L))
                .isEqualTo(1_795_478_400_000L);
    }

    @Test
    void aBucketClosesWhenTheWatermarkReachesItsEnd() {
        EventTimeBuckets b = new EventTimeBuckets(Duration.ofSeconds(60), Duration.ZERO);
        assertThat(add(b, 10_000, "m")).isEmpty();
        assertThat(add(b, 59_999, "m")).isEmpty();
        List<ClosedBucket> closed = add(b, 60_000, "m");
        assertThat(closed).hasSize(1);
        assertThat(closed.get(0).startMillis()).isZero();
        assertThat(closed.get(0).endMillis()).isEqualTo(60_000);
        assertThat(closed.get(0).statistics().inferenceCalls()).isEqualTo(2);
        assertThat(b.openBuckets()).isEqualTo(1);
    }

    @Test
    void graceKeepsABucketOpenForOutOfOrderRecords() {
        EventTimeBuckets b = new EventTimeBuckets(Duration.ofSeconds(60), Duration.ofSeconds(5));
        add(b, 10_000, "m");
        assertThat(add(b, 62_000, "m")).isEmpty(); // watermark 57 s: [0, 60) still open
        assertThat(add(b, 58_000, "m")).isEmpty(); // out of order, within grace: joins [0, 60)
        List<ClosedBucket> closed = add(b, 65_000, "m"); // watermark 60 s
        assertThat(closed).singleElement().satisfies(c -> assertThat(c.statistics().inferenceCalls()).isEqualTo(2));
        assertThat(b.lateRecords()).isZero();
    }

    @Test
    void recordsForAClosedBucketAreLateAndCountedNotReopened() {
        EventTimeBuckets b = new EventTimeBuckets(Duration.ofSeconds(60), Duration.ZERO);
        add(b, 10_000, "m");
        add(b, 70_000, "m");
        assertThat(add(b, 30_000, "m")).isEmpty();
        assertThat(b.lateRecords()).isEqualTo(1);
        List<ClosedBucket> rest = b.closeAll();
        assertThat(rest).singleElement().satisfies(c -> {
            assertThat(c.startMillis()).isEqualTo(60_000);
            // dropped, but counted in the bucket that was open at stream time
            assertThat(c.statistics().lateRecords()).isEqualTo(1);
            assertThat(c.statistics().inferenceCalls()).isEqualTo(1);
        });
    }

    @Test
    void keepsModelsApartAndClosesInStartOrder() {
        EventTimeBuckets b = new EventTimeBuckets(Duration.ofSeconds(10), Duration.ZERO);
        add(b, 25_000, "b");
        add(b, 21_000, "a");
        add(b, 5_000, "b"); // late? no: stream time 25 s, watermark 25 s, bucket [0,10) ends 10 s -> late
        add(b, 29_000, "a");
        List<ClosedBucket> all = b.closeAll();
        assertThat(all).extracting(c -> c.model().name() + "@" + c.startMillis())
                .containsExactly("a@20000", "b@20000");
        assertThat(all.get(0).statistics().inferenceCalls()).isEqualTo(2);
        assertThat(b.lateRecords()).isEqualTo(1);
    }

    @Test
    void rejectsNonsenseWidths() {
        assertThatThrownBy(() -> new EventTimeBuckets(Duration.ZERO, Duration.ZERO))
                .hasMessageContaining("at least 1 ms");
        assertThatThrownBy(() -> new EventTimeBuckets(Duration.ofSeconds(1), Duration.ofSeconds(-1)))
                .hasMessageContaining("negative");
    }

    @Test
    void withTheCurrentPolicyALateRecordJoinsTheBucketAtStreamTime() {
        EventTimeBuckets b = new EventTimeBuckets(Duration.ofSeconds(60), Duration.ZERO,
                EventTimeBuckets.LatePolicy.CURRENT, io.infermon.processor.stats.StatisticsSettings.DEFAULTS);
        b.add(Records.call(10_000, "m", new float[][] {{1}}, null));
        b.add(Records.call(70_000, "m", new float[][] {{2}}, null));
        assertThat(b.advanceTo(70_000)).hasSize(1);
        b.add(Records.call(20_000, "m", new float[][] {{3}, {4}}, null));
        assertThat(b.advanceTo(20_000)).isEmpty();
        assertThat(b.lateRecords()).isEqualTo(1);
        var closed = b.closeAll();
        assertThat(closed).hasSize(1);
        assertThat(closed.get(0).startMillis()).isEqualTo(60_000);
        assertThat(closed.get(0).statistics().rows()).isEqualTo(3);
        assertThat(closed.get(0).statistics().lateRecords()).isEqualTo(1);
    }

    private static EventTimeBuckets withEmptyBuckets(int n) {
        return new EventTimeBuckets(Duration.ofSeconds(10), Duration.ZERO, EventTimeBuckets.LatePolicy.DROP,
                io.infermon.processor.stats.StatisticsSettings.DEFAULTS, 100, n);
    }

    private static String describe(ClosedBucket c) {
        return c.model().name() + "@" + c.startMillis() / 1000 + "=" + c.statistics().inferenceCalls();
    }

    @Test
    void aModelWhoseCallsStopGetsEmptyBucketsForTheNextNBucketsInStartOrder() {
        EventTimeBuckets b = withEmptyBuckets(3);
        b.add(Records.call(5_000, "fraud", ONE_ROW, null));
        b.add(Records.call(15_000, "fraud", ONE_ROW, null));
        for (long t = 5_000; t < 100_000; t += 10_000) {
            b.add(Records.call(t, "digits", ONE_ROW, null));
        }
        b.add(Records.call(75_000, "fraud", ONE_ROW, null)); // back after a pause longer than 3 buckets
        List<ClosedBucket> closed = b.advanceTo(100_000);
        assertThat(closed).extracting(EventTimeBucketsTest::describe).containsExactly(
                "digits@0=1", "fraud@0=1", "digits@10=1", "fraud@10=1",
                "digits@20=1", "fraud@20=0", "digits@30=1", "fraud@30=0", "digits@40=1", "fraud@40=0",
                "digits@50=1", "digits@60=1", "digits@70=1", "fraud@70=1",
                "digits@80=1", "fraud@80=0", "digits@90=1", "fraud@90=0");
        assertThat(closed.stream().filter(c -> !c.hasCalls())).allSatisfy(c -> {
            assertThat(c.statistics().rows()).isZero();
            assertThat(c.endMillis() - c.startMillis()).isEqualTo(10_000);
        });
        // later: the last empty bucket of fraud, then nothing more of it however far time goes
        assertThat(b.advanceTo(400_000)).extracting(EventTimeBucketsTest::describe)
                .containsExactly("digits@100=0", "fraud@100=0", "digits@110=0", "digits@120=0");
        assertThat(withEmptyBuckets(0)).satisfies(none -> {
            none.add(Records.call(5_000, "fraud", ONE_ROW, null));
            assertThat(none.advanceTo(100_000)).extracting(EventTimeBucketsTest::describe)
                    .containsExactly("fraud@0=1");
        });
    }

    @Test
    void aWatermarkThatJumpsAYearClosesWhatIsDueAndNoMore() {
        EventTimeBuckets b = withEmptyBuckets(2);
        b.add(Records.call(5_000, "m", ONE_ROW, null));
        b.add(Records.call(365L * 86_400_000L, "m", ONE_ROW, null));
        List<ClosedBucket> closed = b.advanceTo(365L * 86_400_000L + 60_000);
        assertThat(closed).extracting(EventTimeBucketsTest::describe).containsExactly(
                "m@0=1", "m@10=0", "m@20=0", "m@31536000=1", "m@31536010=0", "m@31536020=0");
    }

    @Test
    void aDrainClosesEveryOpenBucketWithTheEmptyBucketsUpToTheLastOne() {
        EventTimeBuckets b = withEmptyBuckets(10);
        b.add(Records.call(5_000, "fraud", ONE_ROW, null));
        b.add(Records.call(8_000, "digits", ONE_ROW, null));
        b.add(Records.call(32_000, "digits", ONE_ROW, null));
        assertThat(b.closeAll()).extracting(EventTimeBucketsTest::describe).containsExactly(
                "digits@0=1", "fraud@0=1", "digits@10=0", "fraud@10=0", "digits@20=0", "fraud@20=0",
                "digits@30=1", "fraud@30=0");
        assertThat(b.closeAll()).isEmpty();
    }

    @Test
    void aLowerWatermarkIsIgnoredAndAClosedBucketStaysClosedAfterARestartWithMoreGrace() throws Exception {
        EventTimeBuckets before = new EventTimeBuckets(Duration.ofSeconds(60), Duration.ofSeconds(5));
        before.add(Records.call(10_000, "m", ONE_ROW, null));
        assertThat(before.advanceTo(70_000)).hasSize(1); // 70 - 5 s: [0, 60) closed
        assertThat(before.advanceTo(50_000)).isEmpty();
        assertThat(before.watermark()).isEqualTo(65_000);
        java.io.ByteArrayOutputStream saved = new java.io.ByteArrayOutputStream();
        try (java.io.DataOutputStream out = new java.io.DataOutputStream(saved)) {
            before.writeState(out);
            before.writeClosing(out);
        }
        EventTimeBuckets after = new EventTimeBuckets(Duration.ofSeconds(60), Duration.ofSeconds(30));
        try (java.io.DataInputStream in = new java.io.DataInputStream(
                new java.io.ByteArrayInputStream(saved.toByteArray()))) {
            after.restoreState(in);
            after.restoreClosing(in);
        }
        after.add(Records.call(50_000, "m", ONE_ROW, null)); // within the new grace, but its bucket was written
        assertThat(after.lateRecords()).isEqualTo(1);

        // a checkpoint from before watermarks: closed up to its latest capture time minus its grace
        EventTimeBuckets old = new EventTimeBuckets(Duration.ofSeconds(60), Duration.ofSeconds(30));
        try (java.io.DataInputStream in = new java.io.DataInputStream(
                new java.io.ByteArrayInputStream(saved.toByteArray()))) {
            old.restoreState(in);
            old.restoreClosing(5_000);
        }
        assertThat(old.watermark()).isEqualTo(65_000);
    }

    private static EventTimeBuckets roundTrip(EventTimeBuckets b, EventTimeBuckets into) throws Exception {
        java.io.ByteArrayOutputStream saved = new java.io.ByteArrayOutputStream();
        try (java.io.DataOutputStream out = new java.io.DataOutputStream(saved)) {
            b.writeState(out);
            b.writeClosing(out);
        }
        try (java.io.DataInputStream in = new java.io.DataInputStream(
                new java.io.ByteArrayInputStream(saved.toByteArray()))) {
            into.restoreState(in);
            into.restoreClosing(in);
        }
        return into;
    }

    @Test
    void oneStepClosesAStartAtATimeAndStateTakenBetweenStillHoldsTheRest() throws Exception {
        EventTimeBuckets whole = withEmptyBuckets(1);
        EventTimeBuckets stepped = withEmptyBuckets(1);
        for (EventTimeBuckets b : List.of(whole, stepped)) {
            b.add(Records.call(5_000, "m", ONE_ROW, null));
            b.add(Records.call(15_000, "m", ONE_ROW, null));
            b.add(Records.call(16_000, "n", ONE_ROW, null));
            b.add(Records.call(45_000, "m", ONE_ROW, null));
        }
        List<String> expected = whole.advanceTo(45_000).stream().map(EventTimeBucketsTest::describe).toList();
        assertThat(expected).containsExactly("m@0=1", "m@10=1", "n@10=1", "m@20=0", "n@20=0");

        stepped.watermarkAt(45_000);
        assertThat(stepped.hasDue(false)).isTrue();
        assertThat(stepped.closeNext(false)).extracting(EventTimeBucketsTest::describe).containsExactly("m@0=1");
        assertThat(stepped.watermark()).isEqualTo(10_000); // closed through this start only: more are due
        // a checkpoint here, and a restart from it: the rest of the step is still open, and due
        EventTimeBuckets restarted = roundTrip(stepped, withEmptyBuckets(1));
        assertThat(restarted.openBuckets()).isEqualTo(3);
        List<String> rest = new java.util.ArrayList<>();
        while (restarted.hasDue(false)) {
            restarted.closeNext(false).forEach(c -> rest.add(describe(c)));
        }
        assertThat(rest).containsExactly("m@10=1", "n@10=1", "m@20=0", "n@20=0");
        assertThat(restarted.closeNext(false)).isEmpty();
        assertThat(restarted.watermark()).isEqualTo(whole.watermark()).isEqualTo(45_000);
        assertThat(restarted.openBuckets()).isEqualTo(whole.openBuckets()).isEqualTo(1); // m@40, not due
        // at the last start of the step it is closed through the whole step, as if closed at once: [30, 40) too
        restarted.add(Records.call(35_000, "m", ONE_ROW, null));
        whole.add(Records.call(35_000, "m", ONE_ROW, null));
        assertThat(restarted.lateRecords()).isEqualTo(whole.lateRecords()).isEqualTo(1);
    }
}
