package io.infermon.agent.instrumentation;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Writes the {@link RewriteCache} seeds the agent's jar carries: the runtimes' instrumented classes found on this
 * class path (the build's TensorFlow Java, 1.1.0), rewritten by the same {@link RuntimeTransformer} the agent runs,
 * as cache entries, plus an {@code index} naming them. Run by the build (an antrun {@code java} task in
 * {@code prepare-package}, javaagent/pom.xml) between the tests and the jar, with the test class path, which holds
 * the runtime; it lives with the tests so that nothing of it ships.
 *
 * <p>Usage: {@code RewriteSeedsWriter <classes directory>}: the seeds go to {@link RewriteCache#SEEDS} under it.
 */
public final class RewriteSeedsWriter {
    private RewriteSeedsWriter() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]).resolve(RewriteCache.SEEDS);
        List<String> written = write(dir);
        if (written.isEmpty()) {
            throw new IllegalStateException("no instrumented runtime class on the class path: no seed written");
        }
        System.out.println("[infermon] " + written.size() + " rewrite seeds in " + dir + ": " + written);
    }

    /** Writes the seeds into {@code dir} (emptied first); returns the names of the classes seeded. */
    static List<String> write(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            try (var old = Files.list(dir)) {
                for (Path p : old.toList()) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(dir);
        List<TypeInstrumentation> all = new ArrayList<>(Instrumentations.tensorFlow());
        all.addAll(Instrumentations.onnxRuntime());
        RuntimeTransformer transformer = new RuntimeTransformer(all, new RewriteCache(dir));
        ClassLoader loader = RewriteSeedsWriter.class.getClassLoader();
        TreeSet<String> seeded = new TreeSet<>();
        for (TypeInstrumentation ti : all) {
            String internalName = ti.typeName().replace('.', '/');
            URL resource = loader.getResource(internalName + ".class");
            if (resource == null || seeded.contains(ti.typeName())) {
                continue;
            }
            byte[] classFile;
            try (InputStream in = resource.openStream()) {
                classFile = in.readAllBytes();
            }
            // the domain is left out, as for a class whose loader hides it: the runtime's jar is found by the resource
            if (transformer.transform(loader, internalName, null, null, classFile) != null) {
                seeded.add(ti.typeName());
            }
        }
        List<String> entries;
        try (var files = Files.list(dir)) {
            entries = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(RewriteCache.ENTRY_SUFFIX))
                    .sorted().toList();
        }
        Files.write(dir.resolve("index"), entries, StandardCharsets.UTF_8);
        return new ArrayList<>(seeded);
    }
}
