package io.infermon.processor.cli;

import io.infermon.processor.ProcessorHealth;
import io.infermon.processor.dashboard.DashboardServer;
import io.infermon.processor.dashboard.DashboardSettings;
import java.io.IOException;
import java.net.BindException;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** The dashboard options of {@code infermon run}. */
public final class DashboardOptions {

    @Option(names = "--dashboard-port", defaultValue = "" + DashboardSettings.DEFAULT_PORT, paramLabel = "PORT",
            description = "Port of the dashboard, the JSON API and /metrics (0: any free port). "
                    + "Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--dashboard-bind", defaultValue = DashboardSettings.DEFAULT_BIND, paramLabel = "ADDRESS",
            description = "Address the dashboard listens on. Any but a loopback address needs "
                    + "--dashboard-token-file. Default: ${DEFAULT-VALUE}.")
    String bind;

    @Option(names = "--dashboard-token-file", paramLabel = "FILE",
            description = "A file holding a bearer token; the JSON API and /metrics then need "
                    + "'Authorization: Bearer <token>'.")
    Path tokenFile;

    @Option(names = "--no-dashboard", description = "Serve no dashboard (a --drain run never does).")
    boolean off;

    /**
     * Checks the options before anything is read, so that a bad setting stops the run at once.
     *
     * @throws CommandLine.ParameterException with the settings' message (exit code 2)
     */
    DashboardSettings settings(CommandLine cmd) {
        try {
            return DashboardSettings.of(bind, port, tokenFile);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cmd, "infermon: " + e.getMessage());
        }
    }

    /**
     * Starts the dashboard for a live run, or returns null (drain, --no-dashboard, or the port is taken: the
     * processor's work goes on without it, and one line says why).
     */
    DashboardServer startFor(CommandLine cmd, boolean drain, Path out, ProcessorHealth health) {
        if (off || drain) {
            return null;
        }
        DashboardSettings settings = settings(cmd);
        try {
            DashboardServer server = DashboardServer.start(settings, out, health, DashboardServer.DEFAULT_MAX_BUCKETS);
            System.out.println("infermon: dashboard at " + server.url() + ", Prometheus metrics at " + server.url()
                    + "metrics" + (settings.token() != null ? " (bearer token required)" : ""));
            return server;
        } catch (BindException e) {
            System.out.println("infermon: no dashboard: cannot listen on " + bind + ":" + port + " (" + e.getMessage()
                    + "); choose another --dashboard-port or --no-dashboard");
        } catch (IOException e) {
            System.out.println("infermon: no dashboard: " + e);
        }
        return null;
    }
}
