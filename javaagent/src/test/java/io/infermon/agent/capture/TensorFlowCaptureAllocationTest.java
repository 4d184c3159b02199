package io.infermon.agent.capture;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.ThreadMXBean;
import io.infermon.agent.config.AgentConfig;
import io.infermon.agent.config.ConfigReader;
import io.infermon.agent.queue.CaptureRing;
import io.infermon.agent.util.EpochClock;
import io.infermon.capture.CaptureRecord;
import io.infermon.capture.CapturedTensor;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import org.agrona.concurrent.MessageHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.SessionFunction;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * A signature call captured by the handler (what the advice on {@code SessionFunction.call} calls), with real
 * TensorFlow tensors: the record holds the tensors' bytes, and capturing allocates (next to) nothing on the inference
 * thread once its per-thread scratch exists, so a host's garbage does not grow with its call rate.
 */
class TensorFlowCaptureAllocationTest {
    /**
     * The agent's budget is 64 bytes per call (docs/benchmarks.md); the capture path itself allocates nothing once
     * warm, so a few bytes of slack (one-off growth amortised over the calls) catch any per-call object.
     */
    private static final long MAX_BYTES_PER_CALL = 8;
    /** Ignores drained records: the writer's work, not the inference thread's. */
    private static final MessageHandler DISCARD = (type, buffer, index, length) -> { };

    private final CaptureCounters counters = new CaptureCounters();
    private CaptureRing ring;
    private AgentCaptureHandler handler;
    private Graph graph;
    private Session session;
    private SessionFunction function;
    private Signature signature;
    private TFloat32 input;

    @BeforeEach
    void setUp() throws Exception {
        AgentConfig config = ConfigReader.read(k -> null, Map.of(), null);
        ring = new CaptureRing(1 << 20);
        handler = new AgentCaptureHandler(ring, counters, new EpochClock(), config, new InFlightCalls());
        graph = new Graph();
        Ops tf = Ops.create(graph);
        Placeholder<TFloat32> x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 3)));
        signature = Signature.builder().key("serving_default").input("x", x)
                .output("y", tf.math.mul(x, tf.constant(2f))).build();
        session = new Session(graph);
        function = SessionFunction.create(signature, session);
        input = TFloat32.tensorOf(Shape.of(2, 3));
        for (int i = 0; i < 6; i++) {
            input.setFloat(i + 0.5f, i / 3, i % 3);
        }
    }

    @AfterEach
    void tearDown() {
        input.close();
        session.close();
        graph.close();
    }

    /** One call as the advice sees it: enter, TensorFlow's call (a new result tensor each time), exit. */
    private void capturedCall(Map<String, org.tensorflow.Tensor> arguments) {
        long token = handler.enter(io.infermon.agent.bootstrap.CaptureDispatcher.TENSORFLOW);
        try (Result result = function.call(arguments)) {
            handler.exitFunctionCall(token, TensorFlowCaptureHandler.POINT_SIGNATURE, signature, session, arguments,
                    result, null);
        }
    }

    private List<CaptureRecord> drain() {
        return RingRecords.drain(ring);
    }

    private static float[] floats(CapturedTensor t) {
        ByteBuffer b = t.data().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        float[] f = new float[b.remaining() / 4];
        b.asFloatBuffer().get(f);
        return f;
    }

    @Test
    void theRecordHoldsTheArgumentAndResultBytes() {
        capturedCall(Map.of("x", input));

        List<CaptureRecord> records = drain();
        assertThat(records).hasSize(1);
        CaptureRecord r = records.get(0);
        assertThat(r.signature()).isEqualTo("serving_default");
        assertThat(r.tensors()).extracting(CapturedTensor::name).containsExactly("x", "y");
        assertThat(floats(r.tensors().get(0))).containsExactly(0.5f, 1.5f, 2.5f, 3.5f, 4.5f, 5.5f);
        assertThat(floats(r.tensors().get(1))).containsExactly(1f, 3f, 5f, 7f, 9f, 11f);
        assertThat(r.tensors().get(1).shape()).containsExactly(2, 3);
        assertThat(counters.callsCaptured.sum()).isEqualTo(1);
        assertThat(counters.droppedCaptureError.sum()).isZero();
    }

    @Test
    void capturingACallAllocatesNothingPerCallOnTheInferenceThread() {
        Map<String, org.tensorflow.Tensor> arguments = Map.of("x", input);
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long self = Thread.currentThread().getId();
        int calls = 2_000;
        // the first calls grow the thread's scratch and look up TensorFlow's methods once
        for (int i = 0; i < calls; i++) {
            capturedCall(arguments);
            ring.drain(DISCARD, 10);
        }
        long bare = 0;
        long captured = 0;
        for (int i = 0; i < calls; i++) {
            // TensorFlow's own allocation for the same call, measured alike, is subtracted
            long before = threads.getThreadAllocatedBytes(self);
            try (Result result = function.call(arguments)) {
                bare += threads.getThreadAllocatedBytes(self) - before;
            }
            before = threads.getThreadAllocatedBytes(self);
            long token = handler.enter(io.infermon.agent.bootstrap.CaptureDispatcher.TENSORFLOW);
            try (Result result = function.call(arguments)) {
                handler.exitFunctionCall(token, TensorFlowCaptureHandler.POINT_SIGNATURE, signature, session,
                        arguments, result, null);
                captured += threads.getThreadAllocatedBytes(self) - before;
            }
            ring.drain(DISCARD, 10);
        }

        assertThat(counters.callsCaptured.sum()).isEqualTo(2L * calls);
        assertThat(counters.droppedRingFull.sum() + counters.droppedCaptureError.sum()).isZero();
        assertThat((captured - bare) / calls).as("bytes the capture adds per call").isLessThanOrEqualTo(
                MAX_BYTES_PER_CALL);
    }
}
