package io.infermon.benchmarks.agent;

import org.openjdk.jmh.annotations.Fork;

/** The host without the agent. */
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class AgentOff extends AgentOverheadBenchmark {
}
