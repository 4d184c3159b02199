package io.infermon.agent;

import java.lang.instrument.Instrumentation;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Opens the JDK internals Chronicle Queue needs (memory-mapped files, direct buffers, cleaners) to the agent's own
 * module, with {@link Instrumentation#redefineModule}, so the host needs no {@code --add-opens} flags. Only the
 * agent's class loader gains access; the host's modules are left as they are.
 */
final class ModuleOpener {
    private static final Map<String, List<String>> PACKAGES = Map.of(
            "java.base", List.of("java.lang", "java.lang.reflect", "java.io", "java.util", "java.nio", "sun.nio.ch",
                    "jdk.internal.ref", "jdk.internal.misc"),
            "jdk.unsupported", List.of("sun.misc"),
            "jdk.compiler", List.of("com.sun.tools.javac", "com.sun.tools.javac.file"));

    private ModuleOpener() {
    }

    static void openTo(Instrumentation inst, Module agentModule) {
        PACKAGES.forEach((moduleName, packages) -> {
            Optional<Module> module = ModuleLayer.boot().findModule(moduleName);
            if (module.isEmpty() || !inst.isModifiableModule(module.get())) {
                return; // e.g. a runtime image without jdk.compiler: Chronicle's raw byte path does not need it
            }
            Map<String, Set<Module>> access = new HashMap<>();
            for (String p : packages) {
                if (module.get().getPackages().contains(p)) {
                    access.put(p, Set.of(agentModule));
                }
            }
            inst.redefineModule(module.get(), Set.of(), access, access, Set.of(), Map.of());
        });
    }
}
