package io.infermon.agent.instrumentation.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InferenceRuntimeTest {
    @TempDir
    Path dir;

    @Test
    void knowsTheTestedVersionsAndNothingElse() {
        assertThat(InferenceRuntime.TENSORFLOW_JAVA.knows("0.4.2")).isTrue();
        assertThat(InferenceRuntime.TENSORFLOW_JAVA.knows("0.4.0")).isTrue();
        assertThat(InferenceRuntime.TENSORFLOW_JAVA.knows("0.5.0")).isTrue();
        assertThat(InferenceRuntime.TENSORFLOW_JAVA.knows("1.1.0")).isTrue();
        assertThat(InferenceRuntime.TENSORFLOW_JAVA.knows("0.3.3")).isFalse();
        assertThat(InferenceRuntime.TENSORFLOW_JAVA.knows("1.2.0")).isFalse();
        assertThat(InferenceRuntime.TENSORFLOW_LEGACY.knows("1.15.0")).isTrue();
        assertThat(InferenceRuntime.TENSORFLOW_LEGACY.knows("1.14.0")).isFalse();
        assertThat(InferenceRuntime.ONNX_RUNTIME.knows("1.20.0")).isTrue();
        assertThat(InferenceRuntime.ONNX_RUNTIME.knows("1.29.0")).isTrue();
        assertThat(InferenceRuntime.ONNX_RUNTIME.knows("1.19.2")).isFalse();
        assertThat(InferenceRuntime.ONNX_RUNTIME.knows("1.30.0")).isFalse();
        assertThat(InferenceRuntime.ONNX_RUNTIME.knows(null)).isFalse();
    }

    @Test
    void aJarIsKnownByItsPomPropertiesOrItsManifest() throws Exception {
        Path tensorFlow = jar("tf.jar", null, null, "META-INF/maven/org.tensorflow/tensorflow-core-api/pom.properties",
                "groupId=org.tensorflow\nartifactId=tensorflow-core-api\nversion=0.5.0\n");
        Path legacy = jar("legacy.jar", "libtensorflow", "1.15.0",
                "META-INF/maven/org.tensorflow/libtensorflow/pom.properties",
                "artifactId=libtensorflow\nversion=1.15.0\n");
        Path onnx = jar("ort.jar", "onnxruntime", "1.20.0", "ai/onnxruntime/OrtSession.class", "");
        Path other = jar("other.jar", "something-else", "2.0", "org/tensorflow/Session.class", "");

        RuntimeJar tf = RuntimeJar.of(null, "org.tensorflow.Session", domain(tensorFlow));
        assertThat(InferenceRuntime.of(tf)).isEqualTo(InferenceRuntime.TENSORFLOW_JAVA);
        assertThat(InferenceRuntime.TENSORFLOW_JAVA.versionIn(tf)).isEqualTo("0.5.0");
        RuntimeJar old = RuntimeJar.of(null, "org.tensorflow.Session", domain(legacy));
        assertThat(InferenceRuntime.of(old)).isEqualTo(InferenceRuntime.TENSORFLOW_LEGACY);
        assertThat(InferenceRuntime.TENSORFLOW_JAVA.versionIn(old)).isNull();
        RuntimeJar ort = RuntimeJar.of(null, "ai.onnxruntime.OrtSession", domain(onnx));
        assertThat(InferenceRuntime.of(ort)).isEqualTo(InferenceRuntime.ONNX_RUNTIME);
        assertThat(InferenceRuntime.ONNX_RUNTIME.versionIn(ort)).isEqualTo("1.20.0");
        assertThat(InferenceRuntime.of(RuntimeJar.of(null, "org.tensorflow.Session", domain(other)))).isNull();
    }

    @Test
    void withoutACodeSourceTheClassFileFoundByItsLoaderNamesTheJar() throws Exception {
        Path onnx = jar("ort-by-loader.jar", "onnxruntime", "1.29.0", "ai/onnxruntime/OrtSession.class", "");
        try (URLClassLoader loader = new URLClassLoader(new URL[] {onnx.toUri().toURL()}, null)) {
            RuntimeJar ort = RuntimeJar.of(loader, "ai.onnxruntime.OrtSession", null);
            assertThat(InferenceRuntime.ONNX_RUNTIME.versionIn(ort)).isEqualTo("1.29.0");
        }
        assertThat(RuntimeJar.of(null, "ai.onnxruntime.Missing", null)).isSameAs(RuntimeJar.NONE);
    }

    private static java.security.ProtectionDomain domain(Path jar) throws Exception {
        return new java.security.ProtectionDomain(new java.security.CodeSource(jar.toUri().toURL(),
                (java.security.cert.Certificate[]) null), null);
    }

    private Path jar(String name, String title, String version, String entry, String content) throws Exception {
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (title != null) {
            m.getMainAttributes().put(Attributes.Name.IMPLEMENTATION_TITLE, title);
            m.getMainAttributes().put(Attributes.Name.IMPLEMENTATION_VERSION, version);
        }
        Path file = dir.resolve(name);
        try (OutputStream out = Files.newOutputStream(file); JarOutputStream jar = new JarOutputStream(out, m)) {
            jar.putNextEntry(new JarEntry(entry));
            jar.write(content.getBytes(StandardCharsets.UTF_8));
            jar.closeEntry();
        }
        return file;
    }
}
