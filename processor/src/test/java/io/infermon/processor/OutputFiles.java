package io.infermon.processor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** A processor output directory's files, for comparing two runs byte for byte. */
public final class OutputFiles {
    private OutputFiles() {
    }

    /**
     * Every output file by relative path: not the state store (OUT/state: the checkpoint and label store are state,
     * not output) nor temporary files.
     */
    public static Map<String, byte[]> read(Path out) throws Exception {
        Map<String, byte[]> all = new TreeMap<>();
        try (Stream<Path> s = Files.walk(out)) {
            for (Path f : s.filter(Files::isRegularFile).toList()) {
                String rel = out.relativize(f).toString();
                if (!rel.equals("checkpoint") && !rel.startsWith("state" + java.io.File.separator)
                        && !f.getFileName().toString().startsWith(".")) {
                    all.put(rel, Files.readAllBytes(f));
                }
            }
        }
        return all;
    }
}
