package io.infermon.processor;

import io.infermon.processor.cli.InfermonCli;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line that runs {@code infermon} in a child JVM from the test class path, for tests that kill and
 * restart the processor (a JVM of its own is the only way to {@code kill -9} it).
 */
public final class ProcessorCommand {
    private ProcessorCommand() {
    }

    /** {@code java <the flags Chronicle needs, as this test JVM got them> -cp <test class path> InfermonCli args}. */
    public static List<String> of(String... args) {
        return withJvmOptions(List.of(), args);
    }

    /** As {@link #of}, with more JVM options (system properties) before the class path. */
    public static List<String> withJvmOptions(List<String> jvmOptions, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-opens") || a.startsWith("--add-exports")).forEach(cmd::add);
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), InfermonCli.class.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }
}
