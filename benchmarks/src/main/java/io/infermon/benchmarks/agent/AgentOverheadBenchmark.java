package io.infermon.benchmarks.agent;

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
 * One inference call of the digits SavedModel, timed call by call (SampleTime: median, p99, p99.9 of the call).
 * The two subclasses differ only in their forks' JVM options: {@link AgentOff} runs the host as it is,
 * {@link AgentOn} with {@code -javaagent:javaagent/target/infermon-agent.jar}, so one JMH command measures both,
 * same machine, same run. With {@code -prof gc}, {@code gc.alloc.rate.norm} gives the bytes allocated per call.
 *
 * <p>Run from the repository root (the agent jar and the model are found relative to it); see
 * benchmarks/run-agent-overhead.sh and docs/benchmarks.md.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 10)
public abstract class AgentOverheadBenchmark {
    /** Rows per call. */
    @Param({"1", "64"})
    public int batch;

    /** The SavedModel {@code DigitsApp train} exported. */
    @Param("benchmarks/target/agent-overhead/digits-model")
    public String model;

    /**
     * TensorFlow's thread pools ({@link DigitsModel#load(Path, int, int)}): {@code 0} its default, one thread per core
     * in each pool; {@code -1} every op on the calling thread, so a call is one busy thread with no hand-offs, the
     * steadier host to resolve the agent's own cost with (a pool of 1 still hands each op to its thread and back;
     * docs/benchmarks.md).
     */
    @Param("0")
    public int tfThreads;

    private DigitsModel digits;

    @Setup(Level.Trial)
    public void load() {
        digits = DigitsModel.load(Path.of(model), batch, tfThreads);
    }

    @TearDown(Level.Trial)
    public void close() {
        digits.close();
    }

    @Benchmark
    public float call() {
        return digits.call();
    }
}
