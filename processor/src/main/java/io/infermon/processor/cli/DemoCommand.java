package io.infermon.processor.cli;

import io.infermon.processor.Installation;
import io.infermon.processor.demo.DemoParts;
import io.infermon.processor.demo.DemoScenario;
import io.infermon.processor.demo.DemoSummary;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code infermon demo}: the three-phase story, from a built clone of the repository. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run the demo: a small Java service serving a TensorFlow digits classifier, with the infermon "
                + "agent attached by flag, gets three phases of traffic: (1) clean digits, (2) inverted digits (input "
                + "drift), (3) clean digits served by a weakly trained model version (accuracy falls; the true labels "
                + "arrive seconds late). The processor, its dashboard and `tail` watch it live; a summary at the end "
                + "says when drift was flagged and accuracy fell.",
                "Needs a built clone (./infermon demo builds it first)."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the demo ran to its summary", "1:a part failed (the message names its log)",
                "2:bad options"})
public final class DemoCommand implements Callable<Integer> {

    @Option(names = "--phase", defaultValue = "40s", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "Length of each of the three phases. Default: ${DEFAULT-VALUE}.")
    Duration phase;

    @Option(names = "--bucket", defaultValue = "10s", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "The processor's bucket width. Default: ${DEFAULT-VALUE}.")
    Duration bucket;

    @Option(names = "--rate", defaultValue = "20", paramLabel = "N",
            description = "Requests a second. Default: ${DEFAULT-VALUE}.")
    double rate;

    @Option(names = "--form", defaultValue = "8", paramLabel = "N",
            description = "Handwritten digits per request (a form). Default: ${DEFAULT-VALUE}.")
    int form;

    @Option(names = "--label-delay", defaultValue = "3s", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "How late the true labels come after their predictions. Default: ${DEFAULT-VALUE}.")
    Duration labelDelay;

    @Option(names = "--work", defaultValue = ".demo", paramLabel = "DIR",
            description = "Models, queue, outputs and logs. Default: ${DEFAULT-VALUE}.")
    Path work;

    @Option(names = "--home", paramLabel = "DIR",
            description = "The built clone of infermon (default: the one this jar was built in).")
    Path home;

    @Option(names = "--dashboard-port", defaultValue = "8686", paramLabel = "PORT",
            description = "The dashboard's port on 127.0.0.1. Default: ${DEFAULT-VALUE}.")
    int dashboardPort;

    @Option(names = "--linger", negatable = true,
            description = "After the summary, keep the service, processor and dashboard up until Ctrl-C. "
                    + "Default: when run from a terminal.")
    Boolean linger;

    @Override
    public Integer call() throws Exception {
        if (phase.toSeconds() < 3 * bucket.toSeconds()) {
            System.err.println("infermon demo: --phase must be at least three buckets long, so that whole buckets "
                    + "fall inside each phase");
            return 2;
        }
        DemoParts parts;
        try {
            parts = DemoParts.find(home != null ? home : Installation.home());
        } catch (IllegalStateException e) {
            System.err.println("infermon demo: " + e.getMessage());
            return 1;
        }
        boolean stay = linger != null ? linger : System.console() != null;
        try {
            DemoSummary summary = new DemoScenario(parts, new DemoScenario.Settings(work, phase, bucket, rate, form,
                    labelDelay, dashboardPort, stay), System.out).run();
            return summary.phases().isEmpty() ? 1 : 0;
        } catch (IllegalStateException e) {
            System.err.println("infermon demo: " + e.getMessage());
            return 1;
        }
    }
}
