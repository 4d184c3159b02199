package io.infermon.agent.capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.infermon.agent.bootstrap.CaptureDispatcher;
import io.infermon.agent.config.AgentConfig;
import io.infermon.agent.config.ConfigReader;
import io.infermon.agent.queue.CaptureRing;
import io.infermon.agent.util.EpochClock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The watermark contract on the ONNX Runtime and legacy TensorFlow paths: a call's start is published in its thread's
 * slot from entry until its exit has finished with the record (or decided there is none), on every path: a nested
 * call, a call that threw, a sampled-out call, a call whose values cannot be read (here: objects that are not ONNX
 * Runtime's or TensorFlow's, so the capture fails and the call is dropped and counted).
 */
class RuntimeCallsInFlightTest {
    private final InFlightCalls inFlight = new InFlightCalls();
    private final CaptureCounters counters = new CaptureCounters();

    private AgentCaptureHandler handler(double samplingRate) throws Exception {
        AgentConfig config = ConfigReader.read(k -> k.equals("infermon.sampling.rate") ? "" + samplingRate : null,
                Map.of(), null);
        return new AgentCaptureHandler(new CaptureRing(1 << 16), counters, new EpochClock(), config, inFlight);
    }

    /** True when some call in flight holds the watermark back. */
    private boolean holding() {
        long now = System.nanoTime();
        return inFlight.watermark(now, now) != now;
    }

    private void exit(AgentCaptureHandler h, int runtime, long token, Object result, Throwable thrown) {
        if (runtime == CaptureDispatcher.ONNX_RUNTIME) {
            h.exitOnnxRun(token, new Object(), Map.of("x", new Object()), result, thrown);
        } else {
            h.exitLegacySessionRun(token, new Object(), List.of(new Object()), List.of(new Object()),
                    List.of(new Object()), result, thrown);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {CaptureDispatcher.ONNX_RUNTIME, CaptureDispatcher.TENSORFLOW_LEGACY})
    void aCallThatCannotBeReadIsDroppedAndReleasesItsSlot(int runtime) throws Exception {
        AgentCaptureHandler h = handler(1);
        long token = h.enter(runtime);
        assertThat(holding()).isTrue();
        exit(h, runtime, token, new Object(), null);
        assertThat(holding()).isFalse();
        assertThat(counters.droppedCaptureError.sum()).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(ints = {CaptureDispatcher.ONNX_RUNTIME, CaptureDispatcher.TENSORFLOW_LEGACY})
    void nestedCallsHoldTheSlotUntilTheOutermostEnds(int runtime) throws Exception {
        AgentCaptureHandler h = handler(1);
        long outer = h.enter(runtime);
        long inner = h.enter(runtime);
        exit(h, runtime, inner, new Object(), null);
        assertThat(holding()).as("the outer call still runs").isTrue();
        assertThat(counters.droppedCaptureError.sum()).as("the inner call is not captured").isZero();
        exit(h, runtime, outer, new Object(), null);
        assertThat(holding()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(ints = {CaptureDispatcher.ONNX_RUNTIME, CaptureDispatcher.TENSORFLOW_LEGACY})
    void aCallThatThrewReleasesItsSlot(int runtime) throws Exception {
        AgentCaptureHandler h = handler(1);
        long token = h.enter(runtime);
        exit(h, runtime, token, null, new IllegalStateException("the model failed"));
        assertThat(holding()).isFalse();
        assertThat(counters.droppedCaptureError.sum()).isZero();
    }

    @ParameterizedTest
    @ValueSource(ints = {CaptureDispatcher.ONNX_RUNTIME, CaptureDispatcher.TENSORFLOW_LEGACY})
    void aSampledOutCallReleasesItsSlot(int runtime) throws Exception {
        AgentCaptureHandler h = handler(0);
        long token = h.enter(runtime);
        exit(h, runtime, token, new Object(), null);
        assertThat(holding()).isFalse();
        assertThat(counters.callsSampledOut.sum()).isEqualTo(1);
        assertThat(counters.droppedCaptureError.sum()).isZero();
    }
}
