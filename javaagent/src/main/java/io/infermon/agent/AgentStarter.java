package io.infermon.agent;

import io.infermon.agent.bootstrap.CaptureDispatcher;
import io.infermon.agent.capture.AgentCaptureHandler;
import io.infermon.agent.capture.CaptureCounters;
import io.infermon.agent.capture.InFlightCalls;
import io.infermon.agent.capture.ModelIdentity;
import io.infermon.agent.capture.ThrowingCaptureHandler;
import io.infermon.agent.config.AgentConfig;
import io.infermon.agent.config.InvalidConfigException;
import io.infermon.agent.instrumentation.Instrumentations;
import io.infermon.agent.instrumentation.TypeInstrumentation;
import io.infermon.agent.queue.CaptureRing;
import io.infermon.agent.queue.QueueWriter;
import io.infermon.agent.util.AgentLog;
import io.infermon.agent.util.EpochClock;
import io.infermon.agent.util.StartupTrace;
import java.lang.instrument.Instrumentation;
import java.util.List;

/**
 * Starts capture, once {@link AgentInstaller} has made the bootstrap dispatcher available: reads the configuration,
 * starts the queue writer thread, installs the capture handler and the instrumentation. Keeps start-up short: the
 * queue itself is opened on the writer thread.
 */
final class AgentStarter {
    private static final long SHUTDOWN_DRAIN_MILLIS = 2_000;

    private AgentStarter() {
    }

    /**
     * Called reflectively by {@link AgentInstaller}; never throws. Returns null, or a message when the start of the
     * host must fail ({@code strict: true} and an invalid configuration).
     */
    static String start(String agentArgs, Instrumentation inst, boolean attachedLater) {
        try {
            return startCapture(agentArgs, inst, attachedLater);
        } catch (Throwable t) {
            CaptureDispatcher.install(null);
            AgentLog.info("disabled: start-up failed (" + t + "); the application runs on without capture");
            return null;
        }
    }

    private static String startCapture(String agentArgs, Instrumentation inst, boolean attachedLater) {
        AgentConfig config;
        try {
            config = AgentConfig.fromEnvironment(agentArgs);
        } catch (InvalidConfigException e) {
            String message = "invalid configuration:\n" + e.getMessage().indent(2).stripTrailing();
            if (e.strict()) {
                AgentLog.info(message + "\nstrict: true, so the JVM does not start");
                return "invalid infermon agent configuration (strict: true):\n" + e.getMessage();
            }
            AgentLog.info("disabled: " + message + "\nthe application runs on without capture");
            return null;
        }
        StartupTrace.mark("configuration read");
        if (!config.enabled()) {
            AgentLog.info("disabled by configuration (enabled: false)");
            return null;
        }
        // infermon sends nothing anywhere: the analytics library is not bundled, and this keeps it off if a host has it.
        if (System.getProperty("chronicle.analytics.disable") == null) {
            System.setProperty("chronicle.analytics.disable", "true");
        }
        EpochClock clock = new EpochClock();
        CaptureCounters counters = new CaptureCounters();
        CaptureRing ring = new CaptureRing(config.bufferBytes());
        StartupTrace.mark("capture ring allocated");
        InFlightCalls inFlight = new InFlightCalls();
        AgentCaptureHandler handler = new AgentCaptureHandler(ring, counters, clock, config, inFlight);
        StartupTrace.mark("capture handler made");
        QueueWriter writer = new QueueWriter(config, ring, counters, clock, inFlight, () -> {
            counters.captureEnabled = false;
            CaptureDispatcher.install(null);
        });
        StartupTrace.mark("queue writer made");
        writer.start();
        StartupTrace.mark("writer thread started");
        if (Boolean.getBoolean(ThrowingCaptureHandler.PROPERTY)) {
            AgentLog.info(ThrowingCaptureHandler.PROPERTY + " is set: the capture handler throws on purpose (a test)");
            CaptureDispatcher.install(new ThrowingCaptureHandler());
        } else {
            CaptureDispatcher.install(handler);
        }
        List<TypeInstrumentation> runtimes = new java.util.ArrayList<>();
        List<String> captured = new java.util.ArrayList<>();
        if (config.tensorflow().enabled()) {
            runtimes.addAll(Instrumentations.tensorFlow());
            captured.add("TensorFlow");
        }
        if (config.onnxRuntime()) {
            runtimes.addAll(Instrumentations.onnxRuntime());
            captured.add("ONNX Runtime");
        }
        Instrumentations.install(inst, runtimes, config.methods(), writer::openSoon);
        StartupTrace.mark("instrumentation installed");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> writer.stop(SHUTDOWN_DRAIN_MILLIS),
                "infermon-shutdown"));
        String what = String.join(" and ", captured) + (captured.isEmpty() ? "" : " inference");
        if (!config.methods().isEmpty()) {
            what += (what.isEmpty() ? "" : " and ") + config.methods().size() + " method point(s)";
        }
        AgentLog.info("capturing " + (what.isEmpty() ? "nothing" : what)
                + " to " + config.queueDir()
                + (config.configFile() == null ? "" : " (configuration " + config.configFile() + ")"));
        if (attachedLater && config.modelName() == null) {
            AgentLog.info("attached to a running JVM: models it loaded earlier are recorded as '"
                    + ModelIdentity.DEFAULT_NAME + "'; set model.name in the agent argument to name them");
        }
        return null;
    }
}
