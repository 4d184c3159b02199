package io.infermon.agent.instrumentation.runtime;

import io.infermon.agent.util.Glob;
import java.util.List;

/**
 * The inference libraries the agent captures without code change, each recognised by the Maven artifact of the jar
 * its classes come from, and the versions it knows. A version it does not know is left alone entirely: not one of
 * its classes is transformed, and the agent says so in one log line. The versions known are those whose interception
 * points have been checked against the library's classes (docs/agent-yaml.md lists which are tested end to end).
 */
public enum InferenceRuntime {
    /** TensorFlow Java ({@code org.tensorflow:tensorflow-core-api}), the {@code org.tensorflow} API of 0.4 on. */
    TENSORFLOW_JAVA("TensorFlow Java", List.of("org.tensorflow:tensorflow-core-api"),
            List.of("0.4.*", "0.5.0", "1.0.0", "1.1.0"), "0.4.x, 0.5.0, 1.0.0, 1.1.0",
            List.of("org.tensorflow.TensorFlow", "org.tensorflow.Graph", "org.tensorflow.EagerSession")),
    /** The legacy TensorFlow 1.x Java API ({@code org.tensorflow:libtensorflow}), same package, other classes. */
    TENSORFLOW_LEGACY("TensorFlow Java (legacy libtensorflow)", List.of("org.tensorflow:libtensorflow"),
            List.of("1.15.0"), "1.15.0", List.of("org.tensorflow.TensorFlow", "org.tensorflow.Graph")),
    /** ONNX Runtime's Java API ({@code com.microsoft.onnxruntime:onnxruntime}, or {@code onnxruntime_gpu}). */
    ONNX_RUNTIME("ONNX Runtime", List.of("com.microsoft.onnxruntime:onnxruntime",
            "com.microsoft.onnxruntime:onnxruntime_gpu"), List.of("1.2?.*"), "1.20 to 1.29",
            List.of("ai.onnxruntime.OrtEnvironment"));

    private final String displayName;
    /** Maven coordinates, {@code group:artifact}. */
    private final List<String> artifacts;
    private final List<String> knownVersions;
    private final String knownText;
    private final List<String> entryClasses;

    InferenceRuntime(String displayName, List<String> artifacts, List<String> knownVersions, String knownText,
                     List<String> entryClasses) {
        this.displayName = displayName;
        this.artifacts = artifacts;
        this.knownVersions = knownVersions;
        this.knownText = knownText;
        this.entryClasses = entryClasses;
    }

    /**
     * Classes (binary names) one of which a host defines early, while it loads its model and before its first
     * inference: the runtime's native-library loader or its graph. Seeing one, the agent opens its queue soon after.
     */
    public List<String> entryClasses() {
        return entryClasses;
    }

    public String displayName() {
        return displayName;
    }

    /** The known versions as people write them, for log lines. */
    public String knownText() {
        return knownText;
    }

    public boolean knows(String version) {
        return version != null && Glob.anyMatches(knownVersions, version);
    }

    /** This runtime's version in {@code jar}, or null when the jar is not one of this runtime's artifacts. */
    public String versionIn(RuntimeJar jar) {
        for (String a : artifacts) {
            String v = jar.version(a.substring(a.indexOf(':') + 1));
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    /** Every runtime's Maven coordinates ({@code group:artifact}), the only ones a jar is asked about. */
    static final List<String> COORDINATES = java.util.Arrays.stream(values()).flatMap(r -> r.artifacts.stream())
            .toList();

    /** Which runtime a jar belongs to, or null. */
    public static InferenceRuntime of(RuntimeJar jar) {
        for (InferenceRuntime r : values()) {
            if (r.versionIn(jar) != null) {
                return r;
            }
        }
        return null;
    }
}
