package io.infermon.agent.capture;

import static io.infermon.agent.capture.ErasedHandles.erase;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Map;
import java.util.WeakHashMap;
import org.agrona.UnsafeApi;

/**
 * The few TensorFlow Java methods the agent calls, as method handles looked up in the class loader that loaded the
 * host's TensorFlow. The agent's own class loader cannot see TensorFlow (and must not: each web app of a servlet
 * container may bring its own copy), so it never links against TensorFlow types; it finds them by name next to the
 * objects the advice hands over.
 *
 * <p>All handles are adapted to {@code Object} parameters and results, so calls are {@code invokeExact} with no
 * boxing of references.
 *
 * <p>Covers TensorFlow Java 0.4 to 1.1: {@code DataType} moved from {@code org.tensorflow.proto.framework} to
 * {@code org.tensorflow.proto} in 1.0 (found from {@code Tensor.dataType()}'s return type), and before 0.5 a session
 * run returned a {@code Session.Run} instead of a {@code Result}.
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
    final MethodHandle resultSize;       // (Result) -> int; null before 0.5
    final MethodHandle resultGet;        // (Result, int) -> Tensor; null before 0.5
    /**
     * (Result) -> Map of its private {@code map} field (name to tensor, in fetch order), which {@code Map.forEach}
     * walks without allocating, unlike {@code Result.iterator()}; null before 0.5, or when TensorFlow's package is
     * not open to the agent (on the module path), and then the result is iterated.
     */
    final MethodHandle resultMap;
    final Class<?> runClass;             // Session.Run, what runHelper returned before 0.5; null from 0.5 on
    final MethodHandle runOutputs;       // (Session.Run) -> List<Tensor>; null from 0.5 on
    final MethodHandle signatureKey;     // (Signature) -> String
    final MethodHandle signatureInputNames; // (Signature) -> Set<String>
    final MethodHandle bundleSession;    // (SavedModelBundle) -> Session
    /** {@code Shape}, and the offset of its {@code long[] dimensionSizes} field ({@link #NO_FIELD} if it has none). */
    private final Class<?> shapeClass;
    private final long shapeDimensions;
    private static final long NO_FIELD = -1;

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
            // org.tensorflow.proto.DataType from 1.0, org.tensorflow.proto.framework.DataType before
            Class<?> dataType = tensor.getMethod("dataType").getReturnType();
            Class<?> shape = Class.forName("org.tensorflow.ndarray.Shape", false, loader);
            Class<?> byteBuffer = Class.forName("org.tensorflow.ndarray.buffer.ByteDataBuffer", false, loader);
            Class<?> output = Class.forName("org.tensorflow.Output", false, loader);
            Class<?> result = optionalClass("org.tensorflow.Result", loader);
            runClass = result == null ? Class.forName("org.tensorflow.Session$Run", false, loader) : null;
            Class<?> signature = Class.forName("org.tensorflow.Signature", false, loader);
            Class<?> session = Class.forName("org.tensorflow.Session", false, loader);
            Class<?> bundle = Class.forName("org.tensorflow.SavedModelBundle", false, loader);

            tensorDataType = erase(LOOKUP.findVirtual(tensor, "dataType", MethodType.methodType(dataType)));
            dataTypeNumber = erase(LOOKUP.findVirtual(dataType, "getNumber", MethodType.methodType(int.class)));
            tensorShape = erase(LOOKUP.findVirtual(tensor, "shape", MethodType.methodType(shape)));
            tensorNumBytes = erase(LOOKUP.findVirtual(tensor, "numBytes", MethodType.methodType(long.class)));
            asRawTensor = erase(LOOKUP.findVirtual(tensor, "asRawTensor", MethodType.methodType(rawTensor)));
            rawTensorData = erase(LOOKUP.findVirtual(rawTensor, "data", MethodType.methodType(byteBuffer)));
            bufferRead = erase(LOOKUP.findVirtual(byteBuffer, "read",
                    MethodType.methodType(byteBuffer, byte[].class, int.class, int.class)));
            bufferSlice = erase(LOOKUP.findVirtual(byteBuffer, "slice",
                    MethodType.methodType(byteBuffer, long.class, long.class)));
            shapeRank = erase(LOOKUP.findVirtual(shape, "numDimensions", MethodType.methodType(int.class)));
            shapeSize = erase(LOOKUP.findVirtual(shape, "size", MethodType.methodType(long.class, int.class)));
            outputName = erase(LOOKUP.findVirtual(output, "name", MethodType.methodType(String.class)));
            resultSize = result == null ? null
                    : erase(LOOKUP.findVirtual(result, "size", MethodType.methodType(int.class)));
            resultGet = result == null ? null
                    : erase(LOOKUP.findVirtual(result, "get", MethodType.methodType(tensor, int.class)));
            resultMap = result == null ? null : privateGetter(result, "map", Map.class);
            runOutputs = runClass == null ? null
                    : erase(LOOKUP.findGetter(runClass, "outputs", java.util.List.class));
            signatureKey = erase(LOOKUP.findVirtual(signature, "key", MethodType.methodType(String.class)));
            signatureInputNames = erase(LOOKUP.findVirtual(signature, "inputNames",
                    MethodType.methodType(java.util.Set.class)));
            bundleSession = erase(LOOKUP.findVirtual(bundle, "session", MethodType.methodType(session)));
            shapeClass = shape;
            shapeDimensions = dimensionsField(shape);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("this TensorFlow Java (loaded by " + loader
                    + ") lacks a method infermon uses: " + e.getMessage(), e);
        }
    }

    /**
     * The dimensions of a {@code Shape}, read from its field rather than through {@code numDimensions()} and
     * {@code size(i)}: the handles are not constants to the JIT, and a call per dimension, per tensor, per call added
     * up on small models (docs/benchmarks.md). The array is the shape's own: read it, never change it. Null when the
     * field cannot be read (then the caller uses the handles) or the shape's rank is unknown.
     */
    long[] dimensions(Object shape) {
        if (shapeDimensions == NO_FIELD || shape.getClass() != shapeClass) {
            return null;
        }
        return (long[]) UnsafeApi.getReference(shape, shapeDimensions);
    }

    private static long dimensionsField(Class<?> shape) {
        try {
            Field f = shape.getDeclaredField("dimensionSizes");
            return f.getType() == long[].class && !Modifier.isStatic(f.getModifiers())
                    ? UnsafeApi.objectFieldOffset(f) : NO_FIELD;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return NO_FIELD;
        }
    }

    private static MethodHandle privateGetter(Class<?> owner, String field, Class<?> type) {
        try {
            return erase(MethodHandles.privateLookupIn(owner, MethodHandles.lookup()).findGetter(owner, field, type));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    private static Class<?> optionalClass(String name, ClassLoader loader) {
        try {
            return Class.forName(name, false, loader);
        } catch (ClassNotFoundException e) {
            return null;
        }
    }

}
