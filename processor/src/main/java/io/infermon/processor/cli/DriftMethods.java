package io.infermon.processor.cli;

import io.infermon.processor.drift.DriftSettings;
import java.util.ArrayList;

/** The words --drift-method takes; as completion candidates they also let processor.yaml refuse any other. */
public final class DriftMethods extends ArrayList<String> {
    public DriftMethods() {
        super(DriftSettings.METHODS);
    }
}
