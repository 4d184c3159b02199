package io.infermon.processor.labels;

import java.io.IOException;
import java.nio.file.Path;

/** Reads a label batch file for tests in other packages. */
public final class LabelStreamTestAccess {
    private LabelStreamTestAccess() {
    }

    public static LabelStream.Batch read(Path file) throws IOException {
        return LabelStream.read(file);
    }
}
