package io.infermon.agent.instrumentation;

import io.infermon.agent.instrumentation.runtime.RuntimeGate;
import io.infermon.agent.util.AgentLog;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.dynamic.VisibilityBridgeStrategy;
import net.bytebuddy.dynamic.scaffold.InstrumentedType;
import net.bytebuddy.dynamic.scaffold.MethodGraph;
import net.bytebuddy.dynamic.scaffold.TypeValidation;
import net.bytebuddy.implementation.Implementation;
import net.bytebuddy.matcher.LatentMatcher;
import net.bytebuddy.pool.TypePool;

/**
 * The runtimes' instrumentation as a plain JDK {@link ClassFileTransformer}: a class being defined is looked up by
 * its name in a map of the few instrumented classes, and only a class found there (and admitted by its
 * {@link RuntimeGate}: its jar, its version) is parsed and rewritten, with Byte Buddy's {@link Advice} on a
 * redefinition of exactly its class file. Every other class costs one hash lookup.
 *
 * <p>Byte Buddy's {@code AgentBuilder} did the same through matchers, but installing it loaded and initialised about
 * a thousand of Byte Buddy's classes in {@code premain} and scanned every class already loaded; this loads none of
 * Byte Buddy until an instrumented class is defined ({@link #warmUp} loads them on a background thread meanwhile),
 * and none at all when the {@link RewriteCache} holds the rewrite of exactly the class file being defined (kept from
 * an earlier start, or one of the seeds the agent's jar carries for the TensorFlow Java release it is built with).
 * The rewrite is the one {@code AgentBuilder.disableClassFormatChanges()} makes: advice inlined into existing methods,
 * no field, method or class-initialiser added, so it is valid for a retransformation too.
 */
public final class RuntimeTransformer implements ClassFileTransformer {
    /** A redefinition that changes no class format (as {@code AgentBuilder.disableClassFormatChanges()}). */
    private static final class Rewriter {
        static final ByteBuddy BYTE_BUDDY = new ByteBuddy()
                .with(TypeValidation.DISABLED)
                .with(Implementation.Context.Disabled.Factory.INSTANCE)
                .with(MethodGraph.Compiler.ForDeclaredMethods.INSTANCE)
                .with(InstrumentedType.Factory.Default.FROZEN)
                .with(VisibilityBridgeStrategy.Default.NEVER);

        static byte[] rewrite(String name, ClassLoader loader, byte[] classFile, List<AsmVisitorWrapper> advice) {
            ClassFileLocator locator = new ClassFileLocator.Compound(ClassFileLocator.Simple.of(name, classFile),
                    ClassFileLocator.ForClassLoader.of(loader));
            TypePool pool = new TypePool.Default.WithLazyResolution(new TypePool.CacheProvider.Simple(), locator,
                    TypePool.Default.ReaderMode.FAST);
            TypeDescription type = pool.describe(name).resolve();
            DynamicType.Builder<?> builder = BYTE_BUDDY.redefine(type, locator)
                    .ignoreAlso(LatentMatcher.ForSelfDeclaredMethod.NOT_DECLARED);
            for (AsmVisitorWrapper a : advice) {
                builder = builder.visit(a);
            }
            return builder.make(pool).getBytes();
        }

        static AsmVisitorWrapper adviceOf(TypeInstrumentation instrumentation) {
            AsmVisitorWrapper.ForDeclaredMethods[] wrapper = {new AsmVisitorWrapper.ForDeclaredMethods()};
            instrumentation.applyAdvice((methods, adviceClass) -> wrapper[0] = wrapper[0].invokable(methods,
                    Advice.to(adviceClass)));
            return wrapper[0];
        }
    }

    /** Internal names ({@code org/tensorflow/Session$Runner}) to the instrumentations of that class. */
    private final Map<String, List<TypeInstrumentation>> byInternalName = new HashMap<>();
    /** Internal names of the runtimes' {@link io.infermon.agent.instrumentation.runtime.InferenceRuntime#entryClasses}. */
    private final Set<String> entryClasses = new HashSet<>();
    private final Map<TypeInstrumentation, AsmVisitorWrapper> advice = new ConcurrentHashMap<>();
    private final RewriteCache cache;
    private final Runnable onRuntimeClass;

    /**
     * @param onRuntimeClass run on the defining thread each time an instrumented class is admitted or a runtime's
     *                       entry class is defined (it must be quick): the host is about to infer, so the queue
     *                       writer opens the queue
     */
    public RuntimeTransformer(List<TypeInstrumentation> instrumentations, Runnable onRuntimeClass) {
        this(instrumentations, RewriteCache.forAgent(), onRuntimeClass);
    }

    RuntimeTransformer(List<TypeInstrumentation> instrumentations, RewriteCache cache) {
        this(instrumentations, cache, () -> { });
    }

    RuntimeTransformer(List<TypeInstrumentation> instrumentations, RewriteCache cache, Runnable onRuntimeClass) {
        this.cache = cache;
        this.onRuntimeClass = onRuntimeClass;
        for (TypeInstrumentation ti : instrumentations) {
            byInternalName.computeIfAbsent(ti.typeName().replace('.', '/'), k -> new ArrayList<>()).add(ti);
            for (String entry : ti.runtime().entryClasses()) {
                entryClasses.add(entry.replace('.', '/'));
            }
        }
    }

    /** Whether {@code className} (binary name) is one of the instrumented classes, by name only. */
    public boolean instruments(String className) {
        return byInternalName.containsKey(className.replace('.', '/'));
    }

    @Override
    public byte[] transform(ClassLoader loader, String internalName, Class<?> classBeingRedefined,
                            ProtectionDomain domain, byte[] classFile) {
        if (internalName == null || loader == null) { // the runtimes are never in the bootstrap loader
            return null;
        }
        List<TypeInstrumentation> candidates = byInternalName.get(internalName);
        if (candidates == null) {
            if (entryClasses.contains(internalName)) {
                runQuietly(onRuntimeClass);
            }
            return null;
        }
        String name = internalName.replace('/', '.');
        try {
            List<TypeInstrumentation> admitted = new ArrayList<>(1);
            StringBuilder variant = new StringBuilder();
            for (TypeInstrumentation ti : candidates) {
                if (RuntimeGate.admits(ti, name, loader, domain)) {
                    admitted.add(ti);
                    variant.append(ti.getClass().getName()).append(';');
                }
            }
            if (admitted.isEmpty()) {
                return null;
            }
            runQuietly(onRuntimeClass);
            byte[] kept = cache == null ? null : cache.get(name, variant.toString(), classFile);
            if (kept != null) {
                return kept;
            }
            List<AsmVisitorWrapper> wrappers = new ArrayList<>(admitted.size());
            for (TypeInstrumentation ti : admitted) {
                wrappers.add(advice.computeIfAbsent(ti, Rewriter::adviceOf));
            }
            byte[] rewritten = Rewriter.rewrite(name, loader, classFile, wrappers);
            if (cache != null) {
                cache.put(name, variant.toString(), classFile, rewritten);
            }
            return rewritten;
        } catch (Throwable t) {
            AgentLog.once("instrument:" + name, "cannot instrument " + name + " (" + t + "); its calls are not"
                    + " captured");
            return null;
        }
    }

    private static void runQuietly(Runnable r) {
        try {
            r.run();
        } catch (Throwable t) {
            // only a hint to open the queue early: the first record opens it anyway
        }
    }

    /**
     * Registers this transformer and retransforms the instrumented classes already loaded (the agent attached to a
     * running JVM, or a host that loaded a runtime before the agent started). Never throws.
     */
    public void install(Instrumentation inst) {
        if (cache == null || !cache.hasEntries()) {
            Thread warmUp = new Thread(RuntimeTransformer::warmUp, "infermon-warm-up");
            warmUp.setDaemon(true);
            warmUp.start();
        }
        inst.addTransformer(this, true);
        List<Class<?>> loaded = new ArrayList<>();
        for (Class<?> c : inst.getAllLoadedClasses()) {
            if (c.getClassLoader() != null && byInternalName.containsKey(c.getName().replace('.', '/'))
                    && inst.isModifiableClass(c)) {
                loaded.add(c);
            }
        }
        for (Class<?> c : loaded) {
            try {
                inst.retransformClasses(c);
            } catch (Throwable t) {
                AgentLog.once("instrument:" + c.getName(), "cannot instrument " + c.getName() + " (" + t
                        + "); its calls are not captured");
            }
        }
    }

    /**
     * Rewrites a class of the agent's own (never defined) with the same kinds of advice, so the classes of Byte
     * Buddy and ASM that a rewrite needs are loaded and initialised by the calling thread, not by the host thread
     * that defines the first instrumented class. Never throws.
     */
    public static void warmUp() {
        try {
            String name = WarmUpTarget.class.getName();
            byte[] classFile;
            try (var in = RuntimeTransformer.class.getClassLoader()
                    .getResourceAsStream(name.replace('.', '/') + ".class")) {
                classFile = in.readAllBytes();
            }
            AsmVisitorWrapper wrapper = new AsmVisitorWrapper.ForDeclaredMethods().invokable(
                    net.bytebuddy.matcher.ElementMatchers.named("run"), Advice.to(WarmUpTarget.RunAdvice.class));
            Rewriter.rewrite(name, RuntimeTransformer.class.getClassLoader(), classFile, List.of(wrapper));
        } catch (Throwable t) {
            // only a warm-up: the first instrumented class then loads what it needs itself
        }
    }

    /** The class {@link #warmUp} rewrites: a field, a method with an argument, a result and a throw. */
    static final class WarmUpTarget {
        private Object value;

        Object run(boolean fail) {
            if (fail) {
                throw new IllegalStateException();
            }
            return value;
        }

        static final class RunAdvice {
            private RunAdvice() {
            }

            @Advice.OnMethodEnter(suppress = Throwable.class)
            public static long enter() {
                return System.nanoTime();
            }

            @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
            public static void exit(@Advice.Enter long token, @Advice.This Object self, @Advice.Argument(0) boolean fail,
                             @Advice.FieldValue("value") Object value, @Advice.Return Object result,
                             @Advice.Thrown Throwable thrown) {
                System.identityHashCode(token + (fail ? 1 : 0) + System.identityHashCode(self)
                        + System.identityHashCode(value) + System.identityHashCode(result)
                        + System.identityHashCode(thrown));
            }
        }
    }
}
