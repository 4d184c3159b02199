package io.infermon.processor.cli;

import java.util.ArrayList;
import java.util.List;

/** The words --late takes; as completion candidates they also let processor.yaml refuse any other. */
public final class LatePolicies extends ArrayList<String> {
    public LatePolicies() {
        super(List.of("drop", "current"));
    }
}
