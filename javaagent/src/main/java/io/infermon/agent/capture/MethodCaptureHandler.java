package io.infermon.agent.capture;

import io.infermon.agent.config.MethodPoint;
import io.infermon.agent.config.Role;
import io.infermon.agent.util.AgentLog;
import io.infermon.capture.RecordKind;
import io.infermon.capture.TensorRole;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.util.List;

/**
 * Generic {@code method} points: a host method whose arguments and return value are mapped to roles in
 * {@code agent.yaml}. Three uses, by which roles a point has:
 * <ul>
 *   <li>{@code features}, {@code probabilities}, {@code prediction}: each call is an inference record;</li>
 *   <li>{@code id}: while the method runs, calls captured on its thread carry the id (a web handler's request id);</li>
 *   <li>{@code label}: each call is a label record, joined to inference records downstream by id.</li>
 * </ul>
 * Only the outermost value-capturing point on a thread is recorded, so an overload calling another is one call.
 */
final class MethodCaptureHandler {
    private final CaptureContext context;
    private final CaptureCounters counters;
    private final MethodPoint[] points;
    private final String[] modelNames;
    private final String[] modelVersions;
    private final IdGetter[] idGetters;

    MethodCaptureHandler(CaptureContext context, List<MethodPoint> points) {
        this.context = context;
        this.counters = context.counters;
        this.points = points.toArray(new MethodPoint[0]);
        this.modelNames = new String[this.points.length];
        this.modelVersions = new String[this.points.length];
        this.idGetters = new IdGetter[this.points.length];
        for (int i = 0; i < this.points.length; i++) {
            MethodPoint p = this.points[i];
            String globalName = context.config.modelName();
            String globalVersion = context.config.modelVersion();
            modelNames[i] = p.modelName() != null ? p.modelName()
                    : globalName != null ? globalName : ModelIdentity.DEFAULT_NAME;
            modelVersions[i] = p.modelVersion() != null ? p.modelVersion() : globalVersion != null ? globalVersion : "";
            idGetters[i] = p.idGetter() == null ? null : new IdGetter(p.idGetter());
        }
    }

    long enter(int index, Object a0, Object a1, Object a2, Object a3, Object a4, Object a5) {
        try {
            MethodPoint p = points[index];
            int idArg = p.idArgument();
            String id = null;
            if (idArg >= 0) {
                id = idOf(index, arg(idArg, a0, a1, a2, a3, a4, a5));
            }
            ThreadState state = context.thread();
            if (idArg >= 0) {
                state.pushId(id);
            }
            long now;
            if (p.producesInference()) {
                state.method.depth++;
                now = state.call.start();
            } else {
                now = System.nanoTime();
            }
            return now == 0 ? 1 : now;
        } catch (Throwable t) {
            context.dropped(t);
            return 0;
        }
    }

    void exit(long token, int index, Object a0, Object a1, Object a2, Object a3, Object a4, Object a5,
              Object returned, Throwable thrown) {
        if (token == 0) {
            return;
        }
        long end = System.nanoTime();
        ThreadState state;
        MethodPoint p;
        try {
            state = context.thread();
            p = points[index];
        } catch (Throwable t) {
            return;
        }
        MethodCall call = state.method;
        try {
            boolean label = p.isLabelPoint();
            if (p.capturesValues()) {
                boolean outermost = true;
                if (!label) {
                    if (call.depth > 0) {
                        call.depth--;
                    }
                    outermost = call.depth == 0;
                }
                if (outermost && thrown == null) {
                    capture(index, p, label, state, call, token, end, a0, a1, a2, a3, a4, a5, returned);
                }
            }
        } catch (Throwable t) {
            context.dropped(t);
        } finally {
            call.clear();
            if (p.idArgument() >= 0) {
                state.popId();
            }
            if (p.producesInference()) {
                state.call.end(); // after the record is in the ring: the writer's watermark may now pass its start
            }
        }
    }

    private void capture(int index, MethodPoint p, boolean label, ThreadState state, MethodCall call, long start,
                         long end, Object a0, Object a1, Object a2, Object a3, Object a4, Object a5, Object returned)
            throws Throwable {
        if (!label) {
            counters.callsSeen.increment();
            if (!context.sampler.admit(end)) {
                counters.callsSampledOut.increment();
                return;
            }
        }
        call.begin(p.name(), modelNames[index], modelVersions[index], "", state.requestId(), start, end,
                context.clock.toEpochNanos(start));
        call.kind = label ? RecordKind.LABEL : RecordKind.INFERENCE;
        Role[] roles = p.argumentRoles();
        for (int i = 0; i < roles.length; i++) {
            Role r = roles[i];
            if (r != null && r != Role.ID && !call.add(ARG_NAMES[i], TensorRole.INPUT, r,
                    arg(i, a0, a1, a2, a3, a4, a5))) {
                unsupported(p, ARG_NAMES[i], arg(i, a0, a1, a2, a3, a4, a5));
                return;
            }
        }
        if (p.returnRole() != null && !call.add("return", TensorRole.OUTPUT, p.returnRole(), returned)) {
            unsupported(p, "return", returned);
            return;
        }
        context.write(call);
    }

    private static final String[] ARG_NAMES = {"arg0", "arg1", "arg2", "arg3", "arg4", "arg5"};

    private void unsupported(MethodPoint p, String what, Object value) {
        counters.droppedUnsupported.increment();
        AgentLog.once("unsupported:" + p.name() + ":" + what, "point " + p.name() + ": cannot record " + what
                + " of type " + value.getClass().getTypeName() + " (supported: float[], double[], float[][], "
                + "double[][], int[], long[], List<Number>, numbers, TensorFlow tensors; rows of one length); such "
                + "calls are dropped and counted");
    }

    private static Object arg(int i, Object a0, Object a1, Object a2, Object a3, Object a4, Object a5) {
        return switch (i) {
            case 0 -> a0;
            case 1 -> a1;
            case 2 -> a2;
            case 3 -> a3;
            case 4 -> a4;
            default -> a5;
        };
    }

    private String idOf(int index, Object value) throws Throwable {
        if (value == null) {
            return null;
        }
        IdGetter g = idGetters[index];
        Object id = g == null ? value : g.get(value);
        return id == null ? null : id instanceof String s ? s : String.valueOf(id);
    }

    /** A no-argument getter found by name on the id argument's class, as a method handle cached per class. */
    private static final class IdGetter {
        private final String name;
        private final ClassValue<MethodHandle> handles = new ClassValue<>() {
            @Override
            protected MethodHandle computeValue(Class<?> type) {
                try {
                    Method m = findGetter(type);
                    m.setAccessible(true);
                    return MethodHandles.lookup().unreflect(m).asType(MethodType.methodType(Object.class,
                            Object.class));
                } catch (ReflectiveOperationException | RuntimeException e) {
                    throw new IllegalStateException("the id argument's class " + type.getName()
                            + " has no usable method " + name + "()", e);
                }
            }
        };

        IdGetter(String name) {
            this.name = name;
        }

        private Method findGetter(Class<?> type) throws NoSuchMethodException {
            try {
                return type.getMethod(name);
            } catch (NoSuchMethodException e) {
                for (Class<?> c = type; c != null; c = c.getSuperclass()) {
                    try {
                        return c.getDeclaredMethod(name);
                    } catch (NoSuchMethodException ignored) {
                        // look further up
                    }
                }
                throw e;
            }
        }

        Object get(Object target) throws Throwable {
            return (Object) handles.get(target.getClass()).invokeExact(target);
        }
    }
}
