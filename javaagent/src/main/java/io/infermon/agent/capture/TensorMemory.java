package io.infermon.agent.capture;

import static io.infermon.agent.capture.ErasedHandles.erase;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import org.agrona.UnsafeApi;

/**
 * Finds the native address of a TensorFlow Java tensor's data without building any object, so that copying a tensor
 * into the ring allocates nothing.
 *
 * <p>TensorFlow's public way to reach a tensor's bytes, {@code asRawTensor().data()}, builds a JavaCPP
 * {@code Pointer}, an {@code UnsafeMemoryHandle} and a {@code ByteRawDataBuffer} the first time it is called on a
 * tensor (about 120 bytes); a service makes new tensors for every call, so that is garbage on every call. A typed
 * tensor ({@code TFloat32}, {@code TInt64}, ...) already holds a buffer mapped over the same native memory, made when
 * TensorFlow created it: its {@code buffer} field (what the ndarray's dense array classes return from
 * {@code buffer()}) is a raw data buffer whose {@code memory} handle holds the address and the size in bytes.
 *
 * <p>Those fields are read with {@code Unsafe} at offsets found once per class, not with method handles: the handles
 * live in per-class tables, not in constants, so the JIT cannot inline them, and on a small model the four calls per
 * tensor cost more than the copy itself (docs/benchmarks.md). A field read this way is always read from an object of
 * the class it was found in, so no read can land outside the object. Where a class has no {@code buffer} field, its
 * public {@code buffer()} is called instead.
 *
 * <p>Where any step does not apply, {@link #address} returns 0 and the caller takes TensorFlow's public path: a
 * {@code RawTensor} (no buffer), a type whose buffer is an adapter rather than raw memory ({@code TFloat16},
 * {@code TBfloat16}), memory on the Java heap, a size smaller than the bytes to copy, or TensorFlow's ndarray classes
 * on the module path, where their packages are not open to the agent. The layout read here is the same in ndarray
 * 0.3.3 (TensorFlow Java 0.4) and 1.0 (TensorFlow Java 1.0, 1.1).
 */
final class TensorMemory {
    /** Per tensor class: how to reach its data buffer; {@link BufferOf#NONE} when it has none. */
    private static final ClassValue<BufferOf> BUFFER_OF = new ClassValue<>() {
        @Override
        protected BufferOf computeValue(Class<?> tensorClass) {
            return BufferOf.of(tensorClass);
        }
    };

    /** Per buffer class: how to read its memory handle; {@link RawMemory#NONE} when it is not a raw buffer. */
    private static final ClassValue<RawMemory> MEMORY_OF = new ClassValue<>() {
        @Override
        protected RawMemory computeValue(Class<?> bufferClass) {
            return RawMemory.of(bufferClass);
        }
    };

    private static final long NO_FIELD = -1;

    private TensorMemory() {
    }

    /**
     * The native address of the first of {@code bytes} bytes of {@code tensor}'s data, or 0 when it cannot be found
     * safely (the caller then reads the tensor through TensorFlow's API).
     */
    static long address(Object tensor, long bytes) throws Throwable {
        Object buffer = BUFFER_OF.get(tensor.getClass()).of(tensor);
        if (buffer == null) {
            return 0;
        }
        RawMemory memory = MEMORY_OF.get(buffer.getClass());
        return memory == RawMemory.NONE ? 0 : memory.address(buffer, bytes);
    }

    /** The offset of a tensor class's {@code buffer} field, or else its public {@code buffer()} method. */
    private static final class BufferOf {
        static final BufferOf NONE = new BufferOf(NO_FIELD, null);

        private final long field;
        private final MethodHandle method; // (tensor) -> buffer, erased; null when the field is read

        private BufferOf(long field, MethodHandle method) {
            this.field = field;
            this.method = method;
        }

        static BufferOf of(Class<?> tensorClass) {
            try {
                Field f = field(tensorClass, "buffer");
                if (f != null && !f.getType().isPrimitive()) {
                    return new BufferOf(UnsafeApi.objectFieldOffset(f), null);
                }
                Method m = tensorClass.getMethod("buffer");
                if (m.getParameterCount() != 0 || m.getReturnType().isPrimitive()
                        || !Modifier.isPublic(m.getDeclaringClass().getModifiers())) {
                    return NONE;
                }
                return new BufferOf(NO_FIELD, erase(MethodHandles.publicLookup().unreflect(m)));
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                return NONE;
            }
        }

        Object of(Object tensor) throws Throwable {
            if (field != NO_FIELD) {
                return UnsafeApi.getReference(tensor, field);
            }
            return method == null ? null : (Object) method.invokeExact(tensor);
        }
    }

    /** The offsets of a raw data buffer's {@code memory} handle and of the handle's fields. */
    private static final class RawMemory {
        static final RawMemory NONE = new RawMemory(null, NO_FIELD, NO_FIELD, NO_FIELD, NO_FIELD);

        private final Class<?> handleClass;
        private final long memory;     // buffer -> the memory handle
        private final long object;     // handle -> Object: the array for heap memory, null for native
        private final long byteOffset; // handle -> long: the address for native memory
        private final long byteSize;   // handle -> long

        private RawMemory(Class<?> handleClass, long memory, long object, long byteOffset, long byteSize) {
            this.handleClass = handleClass;
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
                Class<?> handle = field.getType();
                Field object = handle.getDeclaredField("object");
                Field byteOffset = handle.getDeclaredField("byteOffset");
                Field byteSize = handle.getDeclaredField("byteSize");
                if (object.getType() != Object.class || byteOffset.getType() != long.class
                        || byteSize.getType() != long.class || Modifier.isStatic(object.getModifiers())
                        || Modifier.isStatic(byteOffset.getModifiers()) || Modifier.isStatic(byteSize.getModifiers())) {
                    return NONE;
                }
                return new RawMemory(handle, UnsafeApi.objectFieldOffset(field), UnsafeApi.objectFieldOffset(object),
                        UnsafeApi.objectFieldOffset(byteOffset), UnsafeApi.objectFieldOffset(byteSize));
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                return NONE;
            }
        }

        long address(Object buffer, long bytes) {
            Object handle = UnsafeApi.getReference(buffer, memory);
            // the field's type is the handle class (final in ndarray): checked anyway before reading it by offset
            if (handle == null || handle.getClass() != handleClass || UnsafeApi.getReference(handle, object) != null) {
                return 0;
            }
            long size = UnsafeApi.getLong(handle, byteSize);
            return size >= bytes ? UnsafeApi.getLong(handle, byteOffset) : 0;
        }
    }

    /** The instance field {@code name} declared by {@code type} or its closest superclass declaring one, or null. */
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
}
