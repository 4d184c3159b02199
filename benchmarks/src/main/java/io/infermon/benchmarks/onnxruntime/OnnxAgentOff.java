package io.infermon.benchmarks.onnxruntime;

import org.openjdk.jmh.annotations.Fork;

/** The ONNX Runtime host without the agent. */
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class OnnxAgentOff extends OnnxAgentOverheadBenchmark {
}
