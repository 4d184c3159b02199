package io.infermon.agent.capture;

import static io.infermon.agent.capture.ErasedHandles.erase;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;

/**
 * Finds the native address of a TensorFlow Java tensor's data without building any object, so that copying a tensor
 * into the ring allocates nothing.
 *
 * <p>TensorFlow's public way to reach a tensor's bytes, {@code asRawTensor().data()}, builds a JavaCPP
 * {@code Pointer}, an {@code UnsafeMemoryHandle} and a {@code ByteRawDataBuffer} the first time it is called on a
 * tensor (about 120 bytes); a service makes new tensors for every call, so that is garbage on every call. A typed
 * tensor ({@code TFloat32}, {@code TInt64}, ...) already holds a buffer mapped over the same native memory, made when
 * TensorFlow created it: its public {@code buffer()} (on the ndarray's dense array classes) returns a raw data
 * buffer whose {@code memory} handle holds the address and the size in bytes. This class reads those two values with
 * method handles found once per class.
 *
 * <p>Where any step does not apply, {@link #address} returns 0 and the caller takes TensorFlow's public path: a
 * {@code RawTensor} (no {@code buffer()}), a type whose buffer is an adapter rather than raw memory
 * ({@code TFloat16}, {@code TBfloat16}), memory on the Java heap, a size smaller than the bytes to copy, or
 * TensorFlow's ndarray classes on the module path, where their packages are not open to the agent. The layout read
 * here is the same in ndarray 0.3.3 (TensorFlow Java 0.4) and 1.0 (TensorFlow Java 1.0, 1.1).
 */
final class TensorMemory {
    /** Per tensor class: its {@code buffer()}, erased to {@code (Object) Object}; NONE when it has none. */
    private static final ClassValue<MethodHandle> BUFFER_OF = new ClassValue<>() {
        @Override
        protected MethodHandle computeValue(Class<?> tensorClass) {
            try {
                Method m = tensorClass.getMethod("buffer");
                if (m.getParameterCount() != 0 || m.getReturnType().isPrimitive()
                        || !Modifier.isPublic(m.getDeclaringClass().getModifiers())) {
                    return NONE;
                }
                return erase(MethodHandles.publicLookup().unreflect(m));
            } catch (ReflectiveOperationException | RuntimeException e) {
                return NONE;
            }
        }
    };

    /** Per buffer class: how to read its memory handle; {@link RawMemory#NONE} when it is not a raw buffer. */
    private static final ClassValue<RawMemory> MEMORY_OF = new ClassValue<>() {
        @Override
        protected RawMemory computeValue(Class<?> bufferClass) {
            return RawMemory.of(bufferClass);
        }
    };

    /** A placeholder handle meaning "this class has no such method". */
    private static final MethodHandle NONE = MethodHandles.constant(Object.class, null);

    private TensorMemory() {
    }

    /**
     * The native address of the first of {@code bytes} bytes of {@code tensor}'s data, or 0 when it cannot be found
     * safely (the caller then reads the tensor through TensorFlow's API).
     */
    static long address(Object tensor, long bytes) throws Throwable {
        MethodHandle bufferOf = BUFFER_OF.get(tensor.getClass());
        if (bufferOf == NONE) {
            return 0;
        }
        Object buffer = (Object) bufferOf.invokeExact(tensor);
        if (buffer == null) {
            return 0;
        }
        RawMemory memory = MEMORY_OF.get(buffer.getClass());
        return memory == RawMemory.NONE ? 0 : memory.address(buffer, bytes);
    }

    /** The getters of a raw data buffer's {@code memory} handle and of the handle's fields. */
    private static final class RawMemory {
        static final RawMemory NONE = new RawMemory(null, null, null, null);

        private final MethodHandle memory;     // (buffer) -> UnsafeMemoryHandle
        private final MethodHandle object;     // (handle) -> Object: the array for heap memory, null for native
        private final MethodHandle byteOffset; // (handle) -> long: the address for native memory
        private final MethodHandle byteSize;   // (handle) -> long

        private RawMemory(MethodHandle memory, MethodHandle object, MethodHandle byteOffset, MethodHandle byteSize) {
            this.memory = memory;
            this.object = object;
            this.byteOffset = byteOffset;
            this.byteSize = byteSize;
        }

        static RawMemory of(Class<?> bufferClass) {
            try {
                Field field = field(bufferClass, "memory");
                if (field == null || field.getType().isPrimitive()) {
                    return NONE;
                }
                MethodHandles.Lookup self = MethodHandles.lookup();
                MethodHandle memory = MethodHandles.privateLookupIn(field.getDeclaringClass(), self)
                        .unreflectGetter(field);
                Class<?> handle = field.getType();
                MethodHandles.Lookup inHandle = MethodHandles.privateLookupIn(handle, self);
                return new RawMemory(erase(memory),
                        erase(inHandle.findGetter(handle, "object", Object.class)),
                        erase(inHandle.findGetter(handle, "byteOffset", long.class)),
                        erase(inHandle.findGetter(handle, "byteSize", long.class)));
            } catch (ReflectiveOperationException | RuntimeException e) {
                // e.g. ndarray on the module path, its packages not open to the agent
                return NONE;
            }
        }

        private static Field field(Class<?> type, String name) {
            for (Class<?> c = type; c != null; c = c.getSuperclass()) {
                for (Field f : c.getDeclaredFields()) {
                    if (f.getName().equals(name) && !Modifier.isStatic(f.getModifiers())) {
                        return f;
                    }
                }
            }
            return null;
        }

        long address(Object buffer, long bytes) throws Throwable {
            Object handle = (Object) memory.invokeExact(buffer);
            if (handle == null || (Object) object.invokeExact(handle) != null) {
                return 0;
            }
            long size = (long) byteSize.invokeExact(handle);
            return size >= bytes ? (long) byteOffset.invokeExact(handle) : 0;
        }
    }
}
