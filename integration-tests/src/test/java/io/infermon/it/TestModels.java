package io.infermon.it;

import java.nio.file.Files;
import java.nio.file.Path;

/** Models the tests serve, trained once per build (a few seconds) by the example app itself, without the agent. */
final class TestModels {
    private TestModels() {
    }

    /** The digits classifier as a SavedModel at {@code .../models/digits/1} (name digits, version 1). */
    static synchronized Path digits() throws Exception {
        Path model = Path.of(System.getProperty("infermon.it.work"), "models/digits/1");
        if (!Files.exists(model.resolve("saved_model.pb"))) {
            ChildJvm.app("io.infermon.examples.digits.DigitsApp")
                    .args("train", "--out", model.toString())
                    .log(model.getParent().getParent().resolve("train-digits.log")).runOk();
        }
        return model;
    }
}
