package io.infermon.processor.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the demo runs, as a built clone of the repository has it: the two infermon jars, and the example service with
 * its class path (TensorFlow Java and its natives, from the Maven repository). The example service lives in
 * integration-tests/ because it is an ordinary TensorFlow program with no infermon code in it.
 *
 * @param processorJar the infermon processor jar (the running one)
 * @param agentJar     the agent jar, attached to the service with {@code -javaagent}
 * @param appClassPath the example apps' class path
 * @param digitsCsv    the digits data set (features and label per row), for the drift reference
 */
public record DemoParts(Path processorJar, Path agentJar, String appClassPath, Path digitsCsv) {

    /** The jar this class was loaded from, or null when it runs from classes (a test in the IDE). */
    public static Path runningJar() {
        try {
            Path p = Path.of(DemoParts.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return Files.isRegularFile(p) ? p : null;
        } catch (URISyntaxException | SecurityException e) {
            return null;
        }
    }

    /** The clone the running jar was built in ({@code HOME/processor/target/infermon-processor.jar}). */
    public static Path defaultHome() {
        Path jar = runningJar();
        if (jar == null || jar.getParent() == null || jar.getParent().getParent() == null) {
            return Path.of(".").toAbsolutePath().normalize();
        }
        Path home = jar.getParent().getParent().getParent();
        return home == null ? Path.of(".").toAbsolutePath().normalize() : home;
    }

    /** Finds every part under {@code home}; the message of the exception says what is missing and how to build it. */
    public static DemoParts find(Path home) {
        Path jar = runningJar();
        Path processorJar = jar != null ? jar : home.resolve("processor/target/infermon-processor.jar");
        Path agentJar = home.resolve("javaagent/target/infermon-agent.jar");
        Path classes = home.resolve("integration-tests/target/classes");
        Path classPathFile = home.resolve("integration-tests/target/app-classpath.txt");
        Path digits = classes.resolve("datasets/digits.csv.gz");
        List<String> missing = new ArrayList<>();
        for (Path p : List.of(processorJar, agentJar, classes.resolve("io/infermon/examples/digits/DigitsService.class"),
                classPathFile, digits)) {
            if (!Files.exists(p)) {
                missing.add(p.toString());
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("the demo needs a built clone of infermon; missing: "
                    + String.join(", ", missing) + ". Run ./infermon demo from the clone (it builds first), or "
                    + "`mvn -DskipTests package` and then the demo again; --home names the clone");
        }
        try {
            String classPath = classes + java.io.File.pathSeparator + Files.readString(classPathFile).trim();
            return new DemoParts(processorJar, agentJar, classPath, digits);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
