package io.infermon.benchmarks.processor;

import io.infermon.capture.CaptureCodec;
import io.infermon.capture.CorruptRecordException;
import io.infermon.processor.stats.BucketStatistics;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Rows per second through the processor's per-bucket work: decode each sealed wire record (64 rows of 64 float
 * features and 10 softmax probabilities) and add it to the bucket's statistics, then close the bucket (read every
 * statistic out). One invocation is one whole bucket of {@link #BUCKET_ROWS} rows; the score is in rows/s.
 *
 * <ul>
 *   <li>{@link #infermon}: {@code BucketStatistics}, memory bounded whatever the bucket holds;</li>
 *   <li>{@link #exactJava}: the rows kept, each column sorted at close ({@link ExactBucket}).</li>
 * </ul>
 * The numpy peer (benchmarks/numpy/bucket_stats.py) times the same rows; benchmarks/run-throughput.sh runs all
 * three and prints the ratios.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 10)
@Measurement(iterations = 5, time = 10)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class ProcessorThroughputBenchmark {
    /** Rows in one bucket: 15,625 calls of 64 rows. */
    public static final int BUCKET_ROWS = 1_000_000;
    static final int BUCKET_RECORDS = BUCKET_ROWS / DigitsTraffic.BATCH_ROWS;

    /**
     * {@code pixels}: the digits as they are (infermon counts every column exactly); {@code jittered}: continuous
     * columns (infermon's sketches at work). See {@link DigitsTraffic.Features}.
     */
    @Param({"pixels", "jittered"})
    public String features;

    private ByteBuffer[] records;

    @Setup
    public void encodeRecords() {
        records = DigitsTraffic.load(DigitsTraffic.Features.valueOf(features.toUpperCase(Locale.ROOT)))
                .sealedRecords();
    }

    @Benchmark
    @OperationsPerInvocation(BUCKET_ROWS)
    public BucketReport infermon() throws CorruptRecordException {
        return infermon(records, BUCKET_RECORDS);
    }

    @Benchmark
    @OperationsPerInvocation(BUCKET_ROWS)
    public BucketReport exactJava() throws CorruptRecordException {
        return exactJava(records, BUCKET_RECORDS);
    }

    static BucketReport infermon(ByteBuffer[] records, int calls) throws CorruptRecordException {
        BucketStatistics bucket = new BucketStatistics();
        for (int i = 0; i < calls; i++) {
            bucket.add(CaptureCodec.decode(records[i % records.length]));
        }
        return BucketReport.of(bucket);
    }

    static BucketReport exactJava(ByteBuffer[] records, int calls) throws CorruptRecordException {
        ExactBucket bucket = new ExactBucket();
        for (int i = 0; i < calls; i++) {
            bucket.add(CaptureCodec.decode(records[i % records.length]));
        }
        return bucket.close();
    }
}
