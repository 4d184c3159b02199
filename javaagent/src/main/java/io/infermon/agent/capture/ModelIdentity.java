package io.infermon.agent.capture;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * The name and version recorded with each call of a model.
 *
 * @param name    never empty
 * @param version possibly empty
 */
public record ModelIdentity(String name, String version) {
    public static final String DEFAULT_NAME = "default";

    /**
     * Derives an identity from a SavedModel export directory, the way model servers lay them out: {@code .../digits/3}
     * is model {@code digits} version {@code 3}; {@code .../digits} (no numeric last part) is model {@code digits}
     * with no version.
     */
    public static ModelIdentity fromExportDir(String exportDir) {
        Path p = Path.of(exportDir).toAbsolutePath().normalize();
        Path last = p.getFileName();
        if (last == null) {
            return new ModelIdentity(DEFAULT_NAME, "");
        }
        String lastName = last.toString();
        Path parent = p.getParent();
        if (lastName.chars().allMatch(Character::isDigit) && parent != null && parent.getFileName() != null) {
            return new ModelIdentity(parent.getFileName().toString(), lastName);
        }
        return new ModelIdentity(lastName, "");
    }

    /** Applies the configured name and version, which win over derived ones. */
    public ModelIdentity overriddenBy(String configuredName, String configuredVersion) {
        return new ModelIdentity(configuredName != null ? configuredName : name,
                configuredVersion != null ? configuredVersion : version);
    }

    /**
     * A model version from its bytes: the first 12 hex digits of the SHA-256 of the file, so a changed model is a new
     * version; empty when the file cannot be read. Runs on the host's loading thread, which has just read the file.
     */
    public static String contentHash(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                sha.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(sha.digest(), 0, 6);
        } catch (Exception e) {
            return "";
        }
    }

    /** As {@link #contentHash(Path)}, of the bytes remaining in {@code bytes} (which it consumes). */
    public static String contentHash(ByteBuffer bytes) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(bytes);
            return HexFormat.of().formatHex(sha.digest(), 0, 6);
        } catch (Exception e) {
            return "";
        }
    }
}
