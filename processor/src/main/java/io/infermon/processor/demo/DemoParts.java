package io.infermon.processor.demo;

import io.infermon.processor.Installation;
import java.io.IOException;
import java.io.UncheckedIOException;
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

    /** Finds every part under {@code home}; the message of the exception says what is missing and how to build it. */
    public static DemoParts find(Path home) {
        Path jar = Installation.runningJar();
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
