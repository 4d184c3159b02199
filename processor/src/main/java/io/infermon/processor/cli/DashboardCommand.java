package io.infermon.processor.cli;

import io.infermon.processor.dashboard.DashboardServer;
import io.infermon.processor.dashboard.DashboardSettings;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code infermon dashboard}: the dashboard over an output directory, without a processor. */
@Command(name = "dashboard", mixinStandardHelpOptions = true,
        description = "Serve the dashboard, the JSON API and /metrics over a processor's output directory "
                + "(its metrics.jsonl), following it as it grows. Runs until stopped (Ctrl-C).",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:stopped", "1:could not listen on the address", "2:bad options (e.g. a non-loopback "
                + "address without a token file)"})
public final class DashboardCommand implements Callable<Integer> {

    @Option(names = "--out", required = true, description = "The processor's output directory.")
    Path out;

    @Option(names = "--port", defaultValue = "" + DashboardSettings.DEFAULT_PORT,
            description = "Port to listen on (0: any free port). Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--bind", defaultValue = DashboardSettings.DEFAULT_BIND, paramLabel = "ADDRESS",
            description = "Address to listen on; any but a loopback address needs --token-file. "
                    + "Default: ${DEFAULT-VALUE}.")
    String bind;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "A file holding a bearer token; the JSON API and /metrics then need "
                    + "'Authorization: Bearer <token>'.")
    Path tokenFile;

    @Option(names = "--max-buckets", defaultValue = "" + DashboardServer.DEFAULT_MAX_BUCKETS, paramLabel = "N",
            description = "Buckets kept per model key. Default: ${DEFAULT-VALUE}.")
    int maxBuckets;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        DashboardSettings settings;
        try {
            settings = DashboardSettings.of(bind, port, tokenFile, "--token-file");
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "infermon: " + e.getMessage());
        }
        DashboardServer server;
        try {
            server = DashboardServer.start(settings, out.toAbsolutePath(), null, maxBuckets);
        } catch (java.io.IOException e) {
            System.err.println("infermon: cannot listen on " + bind + ":" + port + ": " + e.getMessage());
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "infermon-dashboard-stop"));
        System.out.println("infermon: dashboard of " + out.resolve("metrics.jsonl") + " at " + server.url()
                + " (Ctrl-C to stop)");
        stopped.await();
        return 0;
    }
}
