package io.infermon.agent.capture;

import static io.infermon.agent.capture.ErasedHandles.erase;

import io.infermon.capture.DType;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * ONNX Runtime's Java API as method handles, looked up in the class loader that loaded it (as {@link TensorFlowApi}
 * does for TensorFlow: the agent never links against the host's libraries).
 *
 * <p>Where ONNX Runtime's public methods copy, the agent reads the field or private method behind them, which the
 * class path's unnamed module lets it reach: a tensor's shape is its {@code TensorInfo}'s own array
 * ({@code getShape()} clones it), its bytes a direct {@code ByteBuffer} over native memory from the private
 * {@code OnnxTensor.getBuffer()} ({@code getByteBuffer()} copies them into a new heap buffer). Where those cannot be
 * reached (ONNX Runtime in a named module) the public, copying methods are used instead. A {@code Result}'s outputs
 * are read from its private map with {@code forEach}, which allocates nothing (its iterator would).
 */
final class OnnxRuntimeApi {
    private static final Map<ClassLoader, OnnxRuntimeApi> BY_LOADER = new WeakHashMap<>();
    private static final ClassValue<OnnxRuntimeApi> BY_CLASS = new ClassValue<>() {
        @Override
        protected OnnxRuntimeApi computeValue(Class<?> type) {
            ClassLoader loader = type.getClassLoader();
            synchronized (BY_LOADER) {
                return BY_LOADER.computeIfAbsent(loader, OnnxRuntimeApi::new);
            }
        }
    };

    final Class<?> tensorClass;          // OnnxTensor
    final Class<?> sequenceClass;        // OnnxSequence
    final Class<?> mapClass;             // OnnxMap
    final MethodHandle tensorInfo;       // (OnnxTensor) -> TensorInfo
    final MethodHandle infoShape;        // (TensorInfo) -> long[], the field, or getShape() (a copy)
    final MethodHandle infoType;         // (TensorInfo) -> OnnxTensorType
    final MethodHandle tensorBytes;      // (OnnxTensor) -> ByteBuffer over native memory, or a copy
    final MethodHandle sequenceValues;   // (OnnxSequence) -> List<OnnxValue>, new values the caller closes
    final MethodHandle mapValue;         // (OnnxMap) -> Map<Object, Object>
    final MethodHandle valueClose;       // (OnnxValue) -> void
    final MethodHandle resultMap;        // (Result) -> its Map<String, OnnxValue>, private; null where unreachable
    final MethodHandle inputNames;       // (OrtSession) -> Set<String>
    final MethodHandle outputNames;      // (OrtSession) -> Set<String>
    /** The wire dtype of each {@code OnnxTensorType} constant, by ordinal. */
    private final int[] dtypeByOrdinal;

    static OnnxRuntimeApi of(Object onnxRuntimeObject) {
        return BY_CLASS.get(onnxRuntimeObject.getClass());
    }

    private OnnxRuntimeApi(ClassLoader loader) {
        try {
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            tensorClass = Class.forName("ai.onnxruntime.OnnxTensor", false, loader);
            sequenceClass = Class.forName("ai.onnxruntime.OnnxSequence", false, loader);
            mapClass = Class.forName("ai.onnxruntime.OnnxMap", false, loader);
            Class<?> value = Class.forName("ai.onnxruntime.OnnxValue", false, loader);
            Class<?> info = Class.forName("ai.onnxruntime.TensorInfo", false, loader);
            Class<?> type = Class.forName("ai.onnxruntime.TensorInfo$OnnxTensorType", false, loader);
            Class<?> session = Class.forName("ai.onnxruntime.OrtSession", false, loader);
            tensorInfo = erase(lookup.findVirtual(tensorClass, "getInfo", MethodType.methodType(info)));
            infoShape = erase(privateOr(() -> MethodHandles.privateLookupIn(info, MethodHandles.lookup())
                            .findGetter(info, "shape", long[].class),
                    () -> lookup.findVirtual(info, "getShape", MethodType.methodType(long[].class))));
            infoType = erase(lookup.findGetter(info, "onnxType", type));
            tensorBytes = erase(privateOr(() -> MethodHandles.privateLookupIn(tensorClass, MethodHandles.lookup())
                            .findVirtual(tensorClass, "getBuffer", MethodType.methodType(ByteBuffer.class)),
                    () -> lookup.findVirtual(tensorClass, "getByteBuffer", MethodType.methodType(ByteBuffer.class))));
            sequenceValues = erase(lookup.findVirtual(sequenceClass, "getValue",
                    MethodType.methodType(java.util.List.class)));
            mapValue = erase(lookup.findVirtual(mapClass, "getValue", MethodType.methodType(Map.class)));
            valueClose = erase(lookup.findVirtual(value, "close", MethodType.methodType(void.class)));
            resultMap = privateField(Class.forName("ai.onnxruntime.OrtSession$Result", false, loader), "map",
                    Map.class);
            inputNames = erase(lookup.findVirtual(session, "getInputNames",
                    MethodType.methodType(java.util.Set.class)));
            outputNames = erase(lookup.findVirtual(session, "getOutputNames",
                    MethodType.methodType(java.util.Set.class)));
            Object[] constants = type.getEnumConstants();
            dtypeByOrdinal = new int[constants.length];
            for (int i = 0; i < constants.length; i++) {
                dtypeByOrdinal[i] = wireCode(((Enum<?>) constants[i]).name());
            }
        } catch (Throwable e) {
            throw new IllegalStateException("this ONNX Runtime (loaded by " + loader
                    + ") lacks a method infermon uses: " + e.getMessage(), e);
        }
    }

    /** The wire code of a tensor info's element type. */
    int dtype(Object info) throws Throwable {
        Enum<?> type = (Enum<?>) (Object) infoType.invokeExact(info);
        return dtypeByOrdinal[type.ordinal()];
    }

    /**
     * TensorFlow's {@code DataType} number for ONNX Runtime's element type, by the constant's name
     * ({@code ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT}): the Java enum numbers its constants its own way, not as ONNX
     * does. The wire format keeps TensorFlow's numbering for every runtime (docs/wire-format.md has the table). 0
     * for types without a TensorFlow counterpart (the FNUZ float8 variants, 4-bit types), which the processor skips.
     */
    static int wireCode(String onnxTypeName) {
        String type = onnxTypeName.substring(onnxTypeName.lastIndexOf('_') + 1);
        return switch (type) {
            case "FLOAT" -> DType.FLOAT.code();
            case "UINT8" -> DType.UINT8.code();
            case "INT8" -> DType.INT8.code();
            case "UINT16" -> DType.UINT16.code();
            case "INT16" -> DType.INT16.code();
            case "INT32" -> DType.INT32.code();
            case "INT64" -> DType.INT64.code();
            case "STRING" -> DType.STRING.code();
            case "BOOL" -> DType.BOOL.code();
            case "FLOAT16" -> DType.HALF.code();
            case "DOUBLE" -> DType.DOUBLE.code();
            case "UINT32" -> DType.UINT32.code();
            case "UINT64" -> DType.UINT64.code();
            case "COMPLEX64" -> 8;    // DT_COMPLEX64
            case "COMPLEX128" -> 18;  // DT_COMPLEX128
            case "BFLOAT16" -> DType.BFLOAT16.code();
            case "FLOAT8E4M3FN" -> 25; // DT_FLOAT8_E4M3FN
            case "FLOAT8E5M2" -> 24;   // DT_FLOAT8_E5M2
            default -> 0;
        };
    }

    /** A private field's getter, or null where the library's module does not open it to the agent. */
    private static MethodHandle privateField(Class<?> owner, String name, Class<?> type) {
        try {
            return erase(MethodHandles.privateLookupIn(owner, MethodHandles.lookup())
                    .findGetter(owner, name, type));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    private interface Lookup {
        MethodHandle find() throws ReflectiveOperationException;
    }

    private static MethodHandle privateOr(Lookup preferred, Lookup fallback) throws ReflectiveOperationException {
        try {
            return preferred.find();
        } catch (ReflectiveOperationException | RuntimeException e) {
            return fallback.find();
        }
    }

}
