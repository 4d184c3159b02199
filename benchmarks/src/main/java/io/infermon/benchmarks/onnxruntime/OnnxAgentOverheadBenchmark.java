package io.infermon.benchmarks.onnxruntime;

import ai.onnxruntime.OrtException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One ONNX Runtime call of the digits model, timed call by call (SampleTime). As for TensorFlow
 * ({@code io.infermon.benchmarks.agent.AgentOverheadBenchmark}), the two subclasses differ only in their forks' JVM
 * options, so one JMH command measures the host with and without the agent; {@code -prof gc} gives the bytes
 * allocated per call. Run from the repository root: benchmarks/run-onnx-agent-overhead.sh.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 10)
public abstract class OnnxAgentOverheadBenchmark {
    /** Rows per call. */
    @Param({"1", "64"})
    public int batch;

    /** The ONNX model {@code OnnxDigitsApp export} wrote. */
    @Param("benchmarks/target/onnx-agent-overhead/digits.onnx")
    public String model;

    private OnnxDigitsModel digits;

    @Setup(Level.Trial)
    public void load() {
        digits = OnnxDigitsModel.load(Path.of(model), batch);
    }

    @TearDown(Level.Trial)
    public void close() throws OrtException {
        digits.close();
    }

    @Benchmark
    public float call() throws OrtException {
        return digits.call();
    }
}
