package io.infermon.agent.queue;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;

/**
 * Registers Chronicle's one JVM shutdown hook ({@code PriorityHook}) before the queue is opened, without starting
 * Chronicle.
 *
 * <p>Chronicle registers that hook the first time one of its classes needs it, while the queue is being opened; during
 * the JVM's shutdown {@code Runtime.addShutdownHook} throws, so a queue first opened after the host began to exit
 * fails ({@code IllegalStateException: Shutdown in progress} in {@code BackgroundResourceReleaser}'s initialiser) and
 * the records in the ring are lost. The queue is opened on a thread of the writer's soon after the host loads its
 * inference runtime, or at its first call ({@link QueueWriter}); a short-lived host may well begin to exit before that
 * open is done. Chronicle's own {@code PriorityHook.add} would do this registration, but it initialises Chronicle's
 * {@code Jvm} class on the way (about 450 classes, 250 ms): this does what its first call does, creating the hook and
 * registering its thread, and nothing else. If Chronicle's internals differ from what this expects, it does nothing
 * (the race stays, as before).
 */
final class ChronicleShutdownHook {
    static final String PRIORITY_HOOK = "net.openhft.chronicle.core.shutdown.PriorityHook";

    private ChronicleShutdownHook() {
    }

    /** Returns whether Chronicle's hook is registered now (by this call or earlier). Never throws. */
    static boolean register() {
        try {
            Class<?> hookClass = Class.forName(PRIORITY_HOOK, true, ChronicleShutdownHook.class.getClassLoader());
            Field registered = hookClass.getDeclaredField("registeredHook");
            registered.setAccessible(true);
            synchronized (hookClass) { // PriorityHook's static methods are synchronized on its class
                if (registered.get(null) != null) {
                    return true;
                }
                Constructor<?> create = hookClass.getDeclaredConstructor();
                create.setAccessible(true);
                Object hook = create.newInstance();
                Method thread = hookClass.getDeclaredMethod("shutdownThread");
                thread.setAccessible(true);
                registered.set(null, hook); // shutdownThread() reads it
                try {
                    Runtime.getRuntime().addShutdownHook((Thread) thread.invoke(hook));
                } catch (Throwable t) {
                    registered.set(null, null);
                    throw t;
                }
                return true;
            }
        } catch (Throwable t) {
            return false;
        }
    }
}
