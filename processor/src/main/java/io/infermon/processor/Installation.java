package io.infermon.processor;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where this processor runs from, and the clone it was built in: both {@code processor/target/infermon-processor.jar}
 * and {@code processor/target/classes} (tests, an IDE) lie three levels below the clone, beside
 * {@code javaagent/target/infermon-agent.jar} and the example apps. {@code validate} finds the agent jar this way, the
 * demo everything it runs.
 */
public final class Installation {
    private Installation() {
    }

    /** The processor jar or the classes directory this class was loaded from, or null when that is unknown. */
    public static Path codeSource() {
        try {
            return Path.of(Installation.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            return null;
        }
    }

    /** The jar this class was loaded from, or null when it runs from classes. */
    public static Path runningJar() {
        Path p = codeSource();
        return p != null && Files.isRegularFile(p) ? p : null;
    }

    /** The clone the processor was built in, or the working directory when that cannot be told. */
    public static Path home() {
        Path p = codeSource();
        for (int up = 0; up < 3 && p != null; up++) {
            p = p.getParent();
        }
        return p != null ? p : Path.of(".").toAbsolutePath().normalize();
    }
}
