package io.infermon.agent.config;

import java.nio.file.Path;
import java.util.List;
import net.openhft.chronicle.queue.RollCycles;

/**
 * The agent's settings, read by {@link ConfigReader} from {@code agent.yaml}, the agent argument, environment
 * variables and system properties. docs/agent-yaml.md describes every key.
 *
 * @param enabled               whether to capture at all
 * @param strict                whether an invalid configuration fails the host's start (instead of leaving capture off)
 * @param configFile            the file read, or null
 * @param queueDir              the Chronicle Queue directory the agent appends to
 * @param rollCycle             how often the queue starts a new file
 * @param retentionHours        cycle files last written longer ago than this are deleted; 0 keeps them by age
 * @param retentionBytes        oldest cycle files are deleted while the queue holds more; 0 means no size limit
 * @param modelName             the model name to record, or null to derive it
 * @param modelVersion          the model version to record, or null to derive it
 * @param samplingRate          the share of calls captured, 0 to 1
 * @param maxCallsPerSecond     at most this many calls captured per second; 0 means no limit
 * @param maxRecordBytes        the largest record; larger calls are skipped or truncated
 * @param truncateOversize      true to keep the first rows of a larger call, false to skip it
 * @param bufferBytes           size of the hand-off ring between inference threads and the writer (a power of two)
 * @param healthIntervalSeconds how often the agent writes a health record
 * @param tensorflow            the built-in TensorFlow points
 * @param methods               generic method points
 * @param onnxRuntime           whether ONNX Runtime calls are captured
 */
public record AgentConfig(boolean enabled, boolean strict, Path configFile, Path queueDir, RollCycles rollCycle,
                          double retentionHours, long retentionBytes, String modelName, String modelVersion,
                          double samplingRate, long maxCallsPerSecond, int maxRecordBytes, boolean truncateOversize,
                          int bufferBytes, int healthIntervalSeconds, TensorFlowPoints tensorflow,
                          List<MethodPoint> methods, boolean onnxRuntime) {

    public static final int DEFAULT_BUFFER_BYTES = 32 << 20;

    /** Everything at its default, as with no file and no settings. */
    public static AgentConfig defaults() {
        try {
            return ConfigReader.read(k -> null, java.util.Map.of(), null);
        } catch (InvalidConfigException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads the configuration the way the agent does at start (system properties, environment, agent argument). */
    public static AgentConfig fromEnvironment(String agentArgs) throws InvalidConfigException {
        return ConfigReader.read(System.getProperties()::getProperty, System.getenv(), agentArgs);
    }

    /** This configuration with another queue directory. */
    public AgentConfig withQueueDir(Path dir) {
        return new AgentConfig(enabled, strict, configFile, dir, rollCycle, retentionHours, retentionBytes, modelName,
                modelVersion, samplingRate, maxCallsPerSecond, maxRecordBytes, truncateOversize, bufferBytes,
                healthIntervalSeconds, tensorflow, methods, onnxRuntime);
    }
}
