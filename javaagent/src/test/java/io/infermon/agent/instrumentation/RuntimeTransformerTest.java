package io.infermon.agent.instrumentation;

import static org.assertj.core.api.Assertions.assertThat;

import io.infermon.agent.instrumentation.tensorflow.SavedModelBundleInstrumentation;
import io.infermon.agent.instrumentation.tensorflow.SessionFunctionInstrumentation;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.SavedModelBundle;

/**
 * The runtimes' transformer on TensorFlow Java's real class files (the test class path's 1.1.0): by name, only the
 * instrumented classes are touched; their rewrite calls the dispatcher; a rewrite is kept and used again only for
 * exactly the same class file.
 */
class RuntimeTransformerTest {
    private static final String BUNDLE = "org/tensorflow/SavedModelBundle";

    private static byte[] classFile(String internalName) throws Exception {
        try (InputStream in = SavedModelBundle.class.getClassLoader().getResourceAsStream(internalName + ".class")) {
            return in.readAllBytes();
        }
    }

    private static byte[] transform(RuntimeTransformer t, String internalName, byte[] classFile) {
        return t.transform(SavedModelBundle.class.getClassLoader(), internalName, null,
                SavedModelBundle.class.getProtectionDomain(), classFile);
    }

    private static boolean mentions(byte[] classFile, String text) {
        return new String(classFile, StandardCharsets.ISO_8859_1).contains(text);
    }

    @Test
    void rewritesTheInstrumentedClassesAndLeavesEveryOtherAlone(@TempDir Path tmp) throws Exception {
        java.util.concurrent.atomic.AtomicInteger runtimeClasses = new java.util.concurrent.atomic.AtomicInteger();
        RuntimeTransformer t = new RuntimeTransformer(List.of(new SavedModelBundleInstrumentation(),
                new SessionFunctionInstrumentation()), new RewriteCache(tmp), runtimeClasses::incrementAndGet);
        byte[] original = classFile(BUNDLE);
        assertThat(mentions(original, "io/infermon/agent/bootstrap/CaptureDispatcher")).isFalse();

        byte[] rewritten = transform(t, BUNDLE, original);
        assertThat(rewritten).isNotNull().isNotEqualTo(original);
        assertThat(mentions(rewritten, "io/infermon/agent/bootstrap/CaptureDispatcher")).isTrue();
        assertThat(mentions(rewritten, "modelLoaded")).isTrue();

        byte[] function = transform(t, "org/tensorflow/SessionFunction", classFile("org/tensorflow/SessionFunction"));
        assertThat(mentions(function, "io/infermon/agent/bootstrap/CaptureDispatcher")).isTrue();

        // a class not instrumented, a class of the bootstrap loader: untouched, unparsed
        assertThat(transform(t, "org/tensorflow/Session", classFile("org/tensorflow/Session"))).isNull();
        assertThat(t.transform(null, BUNDLE, null, null, original)).isNull();
        assertThat(t.instruments("org.tensorflow.SavedModelBundle")).isTrue();
        assertThat(t.instruments("org.tensorflow.Session")).isFalse();
        // the queue writer is told each time a runtime class is defined (it opens the queue then), never otherwise
        assertThat(runtimeClasses).hasValue(2);
        // ... also when the host defines one of the runtime's entry classes, which are not rewritten
        assertThat(transform(t, "org/tensorflow/Graph", classFile("org/tensorflow/Graph"))).isNull();
        assertThat(runtimeClasses).hasValue(3);
    }

    @Test
    void theSeedsTheBuildWritesAreTheRewritesOfTheRuntimeOnTheClassPath(@TempDir Path tmp) throws Exception {
        List<String> seeded = RewriteSeedsWriter.write(tmp);
        assertThat(seeded).contains("org.tensorflow.SavedModelBundle", "org.tensorflow.SessionFunction",
                "org.tensorflow.Session$Runner", "org.tensorflow.ConcreteFunction");
        assertThat(Files.readAllLines(tmp.resolve("index"))).hasSize(seeded.size());

        // read back as cache entries: the rewrite a transformer makes now, for exactly the same class file only
        RewriteCache seeds = new RewriteCache(tmp);
        String variant = SavedModelBundleInstrumentation.class.getName() + ";";
        byte[] original = classFile(BUNDLE);
        byte[] fresh = transform(new RuntimeTransformer(List.of(new SavedModelBundleInstrumentation()),
                (RewriteCache) null), BUNDLE, original);
        assertThat(seeds.get("org.tensorflow.SavedModelBundle", variant, original)).isEqualTo(fresh);
        byte[] changed = original.clone();
        changed[changed.length - 1] ^= 1;
        assertThat(seeds.get("org.tensorflow.SavedModelBundle", variant, changed)).isNull();
    }

    @Test
    void aKeptRewriteIsUsedForExactlyTheSameClassFileOnly(@TempDir Path tmp) throws Exception {
        RewriteCache cache = new RewriteCache(tmp.resolve("rewritten"));
        byte[] original = classFile(BUNDLE);
        byte[] rewritten = transform(new RuntimeTransformer(List.of(new SavedModelBundleInstrumentation()), cache),
                BUNDLE, original);
        assertThat(cache.hasEntries()).isTrue();

        // a later start: the kept rewrite is returned as it is (here a marker put in its place proves it)
        String variant = SavedModelBundleInstrumentation.class.getName() + ";";
        byte[] marker = "kept".getBytes(StandardCharsets.US_ASCII);
        cache.put("org.tensorflow.SavedModelBundle", variant, original, marker);
        RuntimeTransformer later = new RuntimeTransformer(List.of(new SavedModelBundleInstrumentation()), cache);
        assertThat(transform(later, BUNDLE, original)).isEqualTo(marker);

        // another class file (another build of the runtime) is rewritten afresh, never given the kept one
        byte[] other = original.clone();
        other[other.length - 1] ^= 1; // the last byte of the last attribute: still the same class to the parser
        assertThat(cache.get("org.tensorflow.SavedModelBundle", variant, other)).isNull();
        // a damaged entry is a miss
        try (var files = Files.list(tmp.resolve("rewritten"))) {
            for (Path f : files.toList()) {
                byte[] b = Files.readAllBytes(f);
                b[b.length - 9] ^= 1;
                Files.write(f, b);
            }
        }
        assertThat(cache.get("org.tensorflow.SavedModelBundle", variant, original)).isNull();
        assertThat(transform(later, BUNDLE, original)).isEqualTo(rewritten);
    }
}
