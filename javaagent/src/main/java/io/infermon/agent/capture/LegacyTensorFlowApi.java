package io.infermon.agent.capture;

import static io.infermon.agent.capture.ErasedHandles.erase;

import io.infermon.capture.DType;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The legacy TensorFlow 1.15 Java API ({@code org.tensorflow:libtensorflow}) as method handles, looked up in the
 * class loader that loaded it, as {@link TensorFlowApi} does for the current API: {@code Tensor} is a class there,
 * its type a {@code DataType} enum, its shape a {@code long[]} (the tensor's own copy, no allocation), and its bytes
 * are read through its private {@code buffer()}, a direct {@code ByteBuffer} over TensorFlow's native memory (what
 * {@code Tensor.writeTo(ByteBuffer)} copies from).
 */
final class LegacyTensorFlowApi {
    private static final Map<ClassLoader, LegacyTensorFlowApi> BY_LOADER = new WeakHashMap<>();
    private static final ClassValue<LegacyTensorFlowApi> BY_CLASS = new ClassValue<>() {
        @Override
        protected LegacyTensorFlowApi computeValue(Class<?> type) {
            ClassLoader loader = type.getClassLoader();
            synchronized (BY_LOADER) {
                return BY_LOADER.computeIfAbsent(loader, LegacyTensorFlowApi::new);
            }
        }
    };

    final MethodHandle tensorDataType;   // (Tensor) -> DataType
    final MethodHandle tensorShape;      // (Tensor) -> long[]
    final MethodHandle tensorNumBytes;   // (Tensor) -> int
    final MethodHandle tensorBuffer;     // (Tensor) -> ByteBuffer, private; null where it cannot be reached
    final MethodHandle tensorWriteTo;    // (Tensor, ByteBuffer) -> void, the public copy
    final MethodHandle outputOp;         // (Output) -> Operation
    final MethodHandle outputIndex;      // (Output) -> int
    final MethodHandle operationName;    // (Operation) -> String
    final MethodHandle runOutputs;       // (Session.Run) -> List<Tensor>
    final MethodHandle bundleSession;    // (SavedModelBundle) -> Session
    /** The wire dtype of each {@code DataType} constant, by ordinal. */
    private final int[] dtypeByOrdinal;

    static LegacyTensorFlowApi of(Object tensorFlowObject) {
        return BY_CLASS.get(tensorFlowObject.getClass());
    }

    private LegacyTensorFlowApi(ClassLoader loader) {
        try {
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            Class<?> tensor = Class.forName("org.tensorflow.Tensor", false, loader);
            Class<?> dataType = Class.forName("org.tensorflow.DataType", false, loader);
            Class<?> output = Class.forName("org.tensorflow.Output", false, loader);
            Class<?> operation = Class.forName("org.tensorflow.Operation", false, loader);
            Class<?> run = Class.forName("org.tensorflow.Session$Run", false, loader);
            Class<?> session = Class.forName("org.tensorflow.Session", false, loader);
            Class<?> bundle = Class.forName("org.tensorflow.SavedModelBundle", false, loader);
            tensorDataType = erase(lookup.findVirtual(tensor, "dataType", MethodType.methodType(dataType)));
            tensorShape = erase(lookup.findVirtual(tensor, "shape", MethodType.methodType(long[].class)));
            tensorNumBytes = erase(lookup.findVirtual(tensor, "numBytes", MethodType.methodType(int.class)));
            tensorBuffer = privateBuffer(tensor);
            tensorWriteTo = erase(lookup.findVirtual(tensor, "writeTo",
                    MethodType.methodType(void.class, java.nio.ByteBuffer.class)));
            outputOp = erase(lookup.findVirtual(output, "op", MethodType.methodType(operation)));
            outputIndex = erase(lookup.findVirtual(output, "index", MethodType.methodType(int.class)));
            operationName = erase(lookup.findVirtual(operation, "name", MethodType.methodType(String.class)));
            runOutputs = erase(lookup.findGetter(run, "outputs", List.class));
            bundleSession = erase(lookup.findVirtual(bundle, "session", MethodType.methodType(session)));
            Object[] constants = dataType.getEnumConstants();
            dtypeByOrdinal = new int[constants.length];
            for (int i = 0; i < constants.length; i++) {
                dtypeByOrdinal[i] = wireCode(((Enum<?>) constants[i]).name());
            }
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("this legacy TensorFlow Java (loaded by " + loader
                    + ") lacks a method infermon uses: " + e.getMessage(), e);
        }
    }

    /**
     * The private {@code Tensor.buffer()}: reachable where TensorFlow is on the class path (its unnamed module opens
     * every package); null where it is not (a named module), and whole tensors are then copied with the public
     * {@code writeTo}.
     */
    private static MethodHandle privateBuffer(Class<?> tensor) {
        try {
            return erase(MethodHandles.privateLookupIn(tensor, MethodHandles.lookup())
                    .findVirtual(tensor, "buffer", MethodType.methodType(java.nio.ByteBuffer.class)));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** The wire code of a tensor's {@code DataType}. */
    int dtype(Object tensor) throws Throwable {
        Enum<?> type = (Enum<?>) (Object) tensorDataType.invokeExact(tensor);
        return dtypeByOrdinal[type.ordinal()];
    }

    /** A fetch or feed's graph name, {@code op:index} as the current API writes it. */
    String outputName(Object output) throws Throwable {
        Object op = outputOp.invokeExact(output);
        return (String) (Object) operationName.invokeExact(op) + ":" + (int) outputIndex.invokeExact(output);
    }

    /** The legacy enum's constants are TensorFlow's type names; the wire codes are TensorFlow's numbers. */
    static int wireCode(String dataTypeName) {
        return switch (dataTypeName) {
            case "FLOAT" -> DType.FLOAT.code();
            case "DOUBLE" -> DType.DOUBLE.code();
            case "INT32" -> DType.INT32.code();
            case "UINT8" -> DType.UINT8.code();
            case "STRING" -> DType.STRING.code();
            case "INT64" -> DType.INT64.code();
            case "BOOL" -> DType.BOOL.code();
            default -> 0; // a type this version did not have: recorded as DT_INVALID, skipped by the processor
        };
    }

}
