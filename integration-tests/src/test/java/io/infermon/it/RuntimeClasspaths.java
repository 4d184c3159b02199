package io.infermon.it;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Class paths for the example apps on other runtimes than the module's own: each runtime's jars, copied by the build
 * to {@code target/runtimes/<runtime>/}, its examples compiled against them in
 * {@code target/runtimes/<runtime>-classes} (first, so they win over the module's copies compiled against TensorFlow
 * 1.1), then the module's classes for the plain-Java parts (data set, training, report).
 */
final class RuntimeClasspaths {
    static final Path RUNTIMES = Path.of(System.getProperty("infermon.it.runtimes"));
    /** The ONNX Runtime the module compiles against; its jar is on the module's own class path. */
    static final String ONNX_RUNTIME = System.getProperty("infermon.onnxruntime.version");

    private RuntimeClasspaths() {
    }

    /** The class path for {@code runtime} (a directory name under target/runtimes, e.g. {@code tensorflow-0.5.0}). */
    static String of(String runtime) throws IOException {
        List<String> parts = new ArrayList<>();
        Path classes = RUNTIMES.resolve(runtime + "-classes");
        if (Files.isDirectory(classes)) {
            parts.add(classes.toString());
        }
        parts.add(System.getProperty("infermon.app.classes"));
        try (Stream<Path> jars = Files.list(RUNTIMES.resolve(runtime))) {
            jars.filter(p -> p.toString().endsWith(".jar")).sorted().forEach(p -> parts.add(p.toString()));
        }
        return String.join(File.pathSeparator, parts);
    }

    /** The module's classes and its own ONNX Runtime jar (from the app class path), nothing else. */
    static String onnxRuntimeOfTheModule() throws IOException {
        String deps = Files.readString(Path.of(System.getProperty("infermon.app.classpath.file"))).trim();
        String jar = Stream.of(deps.split(File.pathSeparator))
                .filter(p -> Path.of(p).getFileName().toString().equals("onnxruntime-" + ONNX_RUNTIME + ".jar"))
                .findFirst().orElseThrow(() -> new IllegalStateException("no onnxruntime " + ONNX_RUNTIME + " in "
                        + deps));
        return System.getProperty("infermon.app.classes") + File.pathSeparator + jar;
    }
}
