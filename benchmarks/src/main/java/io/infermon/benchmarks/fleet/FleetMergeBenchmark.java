package io.infermon.benchmarks.fleet;

import io.infermon.benchmarks.processor.DigitsTraffic;
import io.infermon.capture.CaptureCodec;
import io.infermon.capture.CorruptRecordException;
import io.infermon.processor.bucket.ModelKey;
import io.infermon.processor.profile.BucketProfile;
import io.infermon.processor.profile.ProfileCodec;
import io.infermon.processor.stats.BucketStatistics;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What one {@code infermon fleet} instance does per host profile it receives (FleetMerge): decode the merge held so
 * far and the incoming profile, merge, encode the result for the store ({@link #merge}); or, as FleetMerge does while
 * it keeps the open bucket decoded between records, only decode the incoming profile, merge it into the held one and
 * encode that ({@link #mergeKeptDecoded}; the held merge starts again from one host's profile every 1,000 merges, a
 * fleet bucket of 1,000 hosts, so that it does not grow for ever). The profiles are buckets of the digits model
 * (64 features, 10 classes) of {@code rows} rows each, with pixel features (integers: exact value tables) or
 * jittered ones (continuous: KLL sketches). Setup prints each profile's size in bytes, what crosses Kafka per host,
 * model key and bucket.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar FleetMergeBenchmark -f 1 -wi 3 -i 5</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class FleetMergeBenchmark {
    @Param({"pixels", "jittered"})
    public String features;

    /** Rows in each host's bucket: 10,000 is a minute at about 170 calls of 64 rows a second. */
    @Param({"10000"})
    public int rows;

    /** Host profiles merged into one fleet bucket before {@link #mergeKeptDecoded} starts another. */
    private static final int HOSTS = 1_000;

    private byte[] held;
    private byte[] incoming;
    private BucketProfile heldDecoded;
    private int merged;

    @Setup
    public void setUp() throws CorruptRecordException {
        DigitsTraffic.Features kind = DigitsTraffic.Features.valueOf(features.toUpperCase(Locale.ROOT));
        ByteBuffer[] records = DigitsTraffic.load(kind).sealedRecords();
        held = ProfileCodec.encode(profile(records, 0));
        incoming = ProfileCodec.encode(profile(records, records.length / 2));
        System.out.printf(Locale.ROOT, "%n%s, %d rows a host bucket: profile %,d bytes; merged pair %,d bytes%n",
                features, rows, incoming.length, merge().length);
    }

    private BucketProfile profile(ByteBuffer[] records, int from) throws CorruptRecordException {
        BucketStatistics s = new BucketStatistics();
        for (long i = 0; i < (rows + DigitsTraffic.BATCH_ROWS - 1) / DigitsTraffic.BATCH_ROWS; i++) {
            s.add(CaptureCodec.decode(records[(int) ((from + i) % records.length)]));
        }
        return new BucketProfile(new ModelKey("digits", "1", "serving_default"), 1_795_478_400_000L,
                1_795_478_460_000L, s);
    }

    /** One host profile into the fleet bucket kept decoded: decode the incoming one, merge in place, encode. */
    @Benchmark
    public byte[] mergeKeptDecoded() {
        try {
            if (heldDecoded == null || merged++ % HOSTS == 0) {
                heldDecoded = ProfileCodec.decode(held);
            }
            heldDecoded.statistics().merge(ProfileCodec.decode(incoming).statistics());
            return ProfileCodec.encode(heldDecoded);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One host profile into the fleet bucket: decode both, merge, encode. */
    @Benchmark
    public byte[] merge() {
        try {
            return ProfileCodec.encode(ProfileCodec.decode(held).merge(ProfileCodec.decode(incoming)));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
