package io.infermon.agent;

import io.infermon.agent.bootstrap.CaptureDispatcher;
import io.infermon.agent.capture.CaptureCounters;
import io.infermon.agent.capture.ModelIdentity;
import io.infermon.agent.capture.TensorFlowCaptureHandler;
import io.infermon.agent.config.AgentConfig;
import io.infermon.agent.instrumentation.Instrumentations;
import io.infermon.agent.queue.CaptureRing;
import io.infermon.agent.queue.QueueWriter;
import io.infermon.agent.util.AgentLog;
import io.infermon.agent.util.EpochClock;
import java.lang.instrument.Instrumentation;

/**
 * Starts capture, once {@link AgentInstaller} has made the bootstrap dispatcher available: reads the configuration,
 * starts the queue writer thread, installs the capture handler and the instrumentation. Keeps start-up short: the
 * queue itself is opened on the writer thread.
 */
final class AgentStarter {
    private static final long SHUTDOWN_DRAIN_MILLIS = 2_000;

    private AgentStarter() {
    }

    /** Called reflectively by {@link AgentInstaller}; never throws. */
    static void start(String agentArgs, Instrumentation inst, boolean attachedLater) {
        try {
            startCapture(agentArgs, inst, attachedLater);
        } catch (Throwable t) {
            CaptureDispatcher.install(null);
            AgentLog.info("disabled: start-up failed (" + t + "); the application runs on without capture");
        }
    }

    private static void startCapture(String agentArgs, Instrumentation inst, boolean attachedLater) {
        AgentConfig config;
        try {
            config = AgentConfig.fromEnvironment(agentArgs);
        } catch (IllegalArgumentException e) {
            AgentLog.info("disabled: " + e.getMessage());
            return;
        }
        if (!config.enabled()) {
            AgentLog.info("disabled by configuration (infermon.enabled=false)");
            return;
        }
        // infermon sends nothing anywhere: the analytics library is not bundled, and this keeps it off if a host has it.
        if (System.getProperty("chronicle.analytics.disable") == null) {
            System.setProperty("chronicle.analytics.disable", "true");
        }
        EpochClock clock = new EpochClock();
        CaptureCounters counters = new CaptureCounters();
        CaptureRing ring = new CaptureRing(config.bufferBytes());
        TensorFlowCaptureHandler handler = new TensorFlowCaptureHandler(ring, counters, clock, config.modelName(),
                config.modelVersion());
        QueueWriter writer = new QueueWriter(config.queueDir(), ring, counters, clock,
                () -> CaptureDispatcher.install(null));
        writer.start();
        CaptureDispatcher.install(handler);
        Instrumentations.install(inst, Instrumentations.tensorFlow());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> writer.stop(SHUTDOWN_DRAIN_MILLIS),
                "infermon-shutdown"));
        AgentLog.info("capturing TensorFlow inference to " + config.queueDir());
        if (attachedLater && config.modelName() == null) {
            AgentLog.info("attached to a running JVM: models it loaded earlier are recorded as '"
                    + ModelIdentity.DEFAULT_NAME + "'; set model.name in the agent argument to name them");
        }
    }
}
