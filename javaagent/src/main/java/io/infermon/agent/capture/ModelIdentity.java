package io.infermon.agent.capture;

import java.nio.file.Path;

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
}
