package io.infermon.processor.bucket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.infermon.processor.Records;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventTimeBucketsTest {
    private static final float[][] ONE_ROW = {{1f}};

    private static List<ClosedBucket> add(EventTimeBuckets b, long millis, String model) {
        return b.add(Records.call(millis, model, ONE_ROW, null));
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
        assertThat(b.add(Records.call(70_000, "m", new float[][] {{2}}, null))).hasSize(1);
        assertThat(b.add(Records.call(20_000, "m", new float[][] {{3}, {4}}, null))).isEmpty();
        assertThat(b.lateRecords()).isEqualTo(1);
        var closed = b.closeAll();
        assertThat(closed).hasSize(1);
        assertThat(closed.get(0).startMillis()).isEqualTo(60_000);
        assertThat(closed.get(0).statistics().rows()).isEqualTo(3);
        assertThat(closed.get(0).statistics().lateRecords()).isEqualTo(1);
    }
}
