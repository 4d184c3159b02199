package io.infermon.benchmarks.onnxruntime;

import org.openjdk.jmh.annotations.Fork;

/**
 * The ONNX Runtime host with the agent attached, default settings but for the queue directory (under
 * benchmarks/target, on the same disk as the build). Every call is captured: no sampling.
 */
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-javaagent:javaagent/target/infermon-agent.jar",
        "-Dinfermon.queue.dir=benchmarks/target/onnx-agent-overhead/queue",
        "-Dinfermon.queue.roll_cycle=five_minutely", "-Dinfermon.queue.retention.bytes=2GiB"})
public class OnnxAgentOn extends OnnxAgentOverheadBenchmark {
}
