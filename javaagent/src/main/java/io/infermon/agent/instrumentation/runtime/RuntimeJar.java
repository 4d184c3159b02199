package io.infermon.agent.instrumentation.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URI;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Path;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * The Maven artifacts and versions a jar says it holds: the {@code META-INF/maven/<group>/<artifact>/pom.properties}
 * of each runtime's coordinates (TensorFlow's jars have one), and the manifest's {@code Implementation-Title} and
 * {@code Implementation-Version} (ONNX Runtime's jar has only those). Read once per jar, when the first class of a
 * runtime is about to be transformed, on the thread that loads it.
 */
public final class RuntimeJar {
    static final RuntimeJar NONE = new RuntimeJar("", Map.of());
    private static final Map<String, RuntimeJar> BY_LOCATION = new ConcurrentHashMap<>();

    private final String location;
    private final Map<String, String> versions;

    RuntimeJar(String location, Map<String, String> versions) {
        this.location = location;
        this.versions = versions;
    }

    /** Where the jar is (a URL), or "" when the class did not come from a jar. */
    public String location() {
        return location;
    }

    /** The version of {@code artifactId} in this jar, or null. */
    public String version(String artifactId) {
        return versions.get(artifactId);
    }

    /**
     * The jar that {@code className} is loaded from: its protection domain's code source when that is a jar file,
     * else the jar in the URL its loader gives for the class file (nested jars of a fat jar, for instance). Never
     * throws; {@link #NONE} when there is no jar to read.
     */
    public static RuntimeJar of(ClassLoader loader, String className, ProtectionDomain domain) {
        try {
            URL url = codeSourceJar(domain);
            if (url == null && loader != null) {
                url = loader.getResource(className.replace('.', '/') + ".class");
            }
            if (url == null) {
                return NONE;
            }
            String key = jarPart(url.toString());
            RuntimeJar known = BY_LOCATION.get(key);
            if (known != null) {
                return known;
            }
            RuntimeJar read = read(url, key);
            BY_LOCATION.put(key, read);
            return read;
        } catch (Throwable t) {
            return NONE;
        }
    }

    private static URL codeSourceJar(ProtectionDomain domain) {
        CodeSource cs = domain == null ? null : domain.getCodeSource();
        URL u = cs == null ? null : cs.getLocation();
        return u != null && "file".equals(u.getProtocol()) && u.getPath().endsWith(".jar") ? u : null;
    }

    /** The jar's own URL: a class-file URL {@code jar:...!/a/B.class} without its last entry. */
    private static String jarPart(String url) {
        int bang = url.lastIndexOf("!/");
        return bang >= 0 ? url.substring(0, bang) : url;
    }

    private static RuntimeJar read(URL url, String key) throws IOException {
        if ("file".equals(url.getProtocol())) {
            try (JarFile jar = new JarFile(Path.of(URI.create(url.toString())).toFile())) {
                return new RuntimeJar(key, versions(jar));
            } catch (IllegalArgumentException e) {
                return NONE;
            }
        }
        URLConnection c = url.openConnection();
        if (!(c instanceof JarURLConnection jc)) {
            return NONE;
        }
        // not the cached JarFile its class loader may share: this one is ours to close
        jc.setUseCaches(false);
        try (JarFile jar = jc.getJarFile()) {
            return new RuntimeJar(key, versions(jar));
        }
    }

    static Map<String, String> versions(JarFile jar) throws IOException {
        Map<String, String> out = new HashMap<>();
        Manifest m = jar.getManifest();
        if (m != null) {
            Attributes a = m.getMainAttributes();
            String title = a.getValue(Attributes.Name.IMPLEMENTATION_TITLE);
            String version = a.getValue(Attributes.Name.IMPLEMENTATION_VERSION);
            if (title != null && version != null) {
                out.put(title.trim(), version.trim());
            }
        }
        // looked up by name, not found by scanning: the jar of a runtime can hold tens of thousands of entries
        for (String coordinates : InferenceRuntime.COORDINATES) {
            JarEntry entry = jar.getJarEntry("META-INF/maven/" + coordinates.replace(':', '/') + "/pom.properties");
            if (entry == null) {
                continue;
            }
            Properties p = new Properties();
            try (InputStream in = jar.getInputStream(entry)) {
                p.load(in);
            }
            String artifact = p.getProperty("artifactId");
            String version = p.getProperty("version");
            if (artifact != null && version != null) {
                out.put(artifact.trim(), version.trim()); // the pom wins over a title that happens to match
            }
        }
        return out;
    }
}
