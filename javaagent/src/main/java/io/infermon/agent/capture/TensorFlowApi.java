package io.infermon.agent.capture;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The few TensorFlow Java methods the agent calls, as method handles looked up in the class loader that loaded the
 * host's TensorFlow. The agent's own class loader cannot see TensorFlow (and must not: each web app of a servlet
 * container may bring its own copy), so it never links against TensorFlow types; it finds them by name next to the
 * objects the advice hands over.
 *
 * <p>All handles are adapted to {@code Object} parameters and results, so calls are {@code invokeExact} with no
 * boxing of references.
 */
final class TensorFlowApi {
    private static final MethodHandles.Lookup LOOKUP = MethodHandles.publicLookup();
    private static final Map<ClassLoader, TensorFlowApi> BY_LOADER = new WeakHashMap<>();

    /** One per TensorFlow class loader, found from the class of any TensorFlow object it loaded. */
    private static final ClassValue<TensorFlowApi> BY_CLASS = new ClassValue<>() {
        @Override
        protected TensorFlowApi computeValue(Class<?> type) {
            ClassLoader loader = type.getClassLoader();
            synchronized (BY_LOADER) {
                TensorFlowApi api = BY_LOADER.get(loader);
                if (api == null) {
                    api = new TensorFlowApi(loader);
                    BY_LOADER.put(loader, api);
                }
                return api;
            }
        }
    };

    final MethodHandle tensorDataType;   // (Tensor) -> DataType
    final MethodHandle dataTypeNumber;   // (DataType) -> int
    final MethodHandle tensorShape;      // (Tensor) -> Shape
    final MethodHandle tensorNumBytes;   // (Tensor) -> long
    final MethodHandle asRawTensor;      // (Tensor) -> RawTensor
    final MethodHandle rawTensorData;    // (RawTensor) -> ByteDataBuffer
    final MethodHandle bufferRead;       // (ByteDataBuffer, byte[], int, int) -> ByteDataBuffer
    final MethodHandle bufferSlice;      // (ByteDataBuffer, long, long) -> ByteDataBuffer
    final MethodHandle shapeRank;        // (Shape) -> int
    final MethodHandle shapeSize;        // (Shape, int) -> long
    final MethodHandle outputName;       // (Output) -> String
    final MethodHandle resultSize;       // (Result) -> int
    final MethodHandle resultGet;        // (Result, int) -> Tensor
    final MethodHandle signatureKey;     // (Signature) -> String
    final MethodHandle bundleSession;    // (SavedModelBundle) -> Session

    /** Whether a class implements {@code org.tensorflow.Tensor} (whichever class loader loaded it). */
    private static final ClassValue<Boolean> IS_TENSOR = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            for (Class<?> c = type; c != null; c = c.getSuperclass()) {
                if (implementsTensor(c)) {
                    return true;
                }
            }
            return false;
        }

        private boolean implementsTensor(Class<?> c) {
            for (Class<?> i : c.getInterfaces()) {
                if (i.getName().equals("org.tensorflow.Tensor") || implementsTensor(i)) {
                    return true;
                }
            }
            return false;
        }
    };

    static boolean isTensor(Object value) {
        return IS_TENSOR.get(value.getClass());
    }

    static TensorFlowApi of(Object tensorFlowObject) {
        return BY_CLASS.get(tensorFlowObject.getClass());
    }

    private TensorFlowApi(ClassLoader loader) {
        try {
            Class<?> tensor = Class.forName("org.tensorflow.Tensor", false, loader);
            Class<?> rawTensor = Class.forName("org.tensorflow.RawTensor", false, loader);
            Class<?> dataType = Class.forName("org.tensorflow.proto.DataType", false, loader);
            Class<?> shape = Class.forName("org.tensorflow.ndarray.Shape", false, loader);
            Class<?> byteBuffer = Class.forName("org.tensorflow.ndarray.buffer.ByteDataBuffer", false, loader);
            Class<?> output = Class.forName("org.tensorflow.Output", false, loader);
            Class<?> result = Class.forName("org.tensorflow.Result", false, loader);
            Class<?> signature = Class.forName("org.tensorflow.Signature", false, loader);
            Class<?> session = Class.forName("org.tensorflow.Session", false, loader);
            Class<?> bundle = Class.forName("org.tensorflow.SavedModelBundle", false, loader);

            tensorDataType = generic(LOOKUP.findVirtual(tensor, "dataType", MethodType.methodType(dataType)));
            dataTypeNumber = generic(LOOKUP.findVirtual(dataType, "getNumber", MethodType.methodType(int.class)));
            tensorShape = generic(LOOKUP.findVirtual(tensor, "shape", MethodType.methodType(shape)));
            tensorNumBytes = generic(LOOKUP.findVirtual(tensor, "numBytes", MethodType.methodType(long.class)));
            asRawTensor = generic(LOOKUP.findVirtual(tensor, "asRawTensor", MethodType.methodType(rawTensor)));
            rawTensorData = generic(LOOKUP.findVirtual(rawTensor, "data", MethodType.methodType(byteBuffer)));
            bufferRead = generic(LOOKUP.findVirtual(byteBuffer, "read",
                    MethodType.methodType(byteBuffer, byte[].class, int.class, int.class)));
            bufferSlice = generic(LOOKUP.findVirtual(byteBuffer, "slice",
                    MethodType.methodType(byteBuffer, long.class, long.class)));
            shapeRank = generic(LOOKUP.findVirtual(shape, "numDimensions", MethodType.methodType(int.class)));
            shapeSize = generic(LOOKUP.findVirtual(shape, "size", MethodType.methodType(long.class, int.class)));
            outputName = generic(LOOKUP.findVirtual(output, "name", MethodType.methodType(String.class)));
            resultSize = generic(LOOKUP.findVirtual(result, "size", MethodType.methodType(int.class)));
            resultGet = generic(LOOKUP.findVirtual(result, "get", MethodType.methodType(tensor, int.class)));
            signatureKey = generic(LOOKUP.findVirtual(signature, "key", MethodType.methodType(String.class)));
            bundleSession = generic(LOOKUP.findVirtual(bundle, "session", MethodType.methodType(session)));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("this TensorFlow Java (loaded by " + loader
                    + ") lacks a method infermon uses: " + e.getMessage(), e);
        }
    }

    /** Adapts every reference parameter and the reference result to {@code Object}, keeping primitives. */
    private static MethodHandle generic(MethodHandle h) {
        MethodType t = h.type();
        for (int i = 0; i < t.parameterCount(); i++) {
            if (!t.parameterType(i).isPrimitive()) {
                t = t.changeParameterType(i, Object.class);
            }
        }
        if (!t.returnType().isPrimitive()) {
            t = t.changeReturnType(Object.class);
        }
        return h.asType(t);
    }
}
