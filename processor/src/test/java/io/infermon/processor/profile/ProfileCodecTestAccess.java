package io.infermon.processor.profile;

import io.infermon.processor.bucket.ModelKey;
import io.infermon.processor.stats.BucketStatistics;
import io.infermon.processor.stats.DistributionSummary;

/** Shares {@link ProfileCodecTest}'s fixtures with the command-line tests. */
public final class ProfileCodecTestAccess {
    public static final ModelKey MODEL = ProfileCodecTest.MODEL;

    private ProfileCodecTestAccess() {
    }

    public static BucketStatistics digitCalls(int from, int to) {
        return ProfileCodecTest.digitCalls(from, to);
    }

    public static void assertSame(BucketStatistics actual, BucketStatistics expected) {
        ProfileCodecTest.assertSame(actual, expected, DistributionSummary.rankError());
    }
}
