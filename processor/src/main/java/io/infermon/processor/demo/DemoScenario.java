package io.infermon.processor.demo;

import io.infermon.processor.tail.OutputTail;
import io.infermon.processor.labels.LabelSettings;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * The demo as it runs: a small Java service serving a TensorFlow digits classifier (with the infermon agent attached by
 * flag, and nothing of infermon in its code) receives three phases of traffic while the processor, its dashboard and
 * {@code tail} watch:
 * <ol>
 *   <li>clean digits, model version 1 (trained on all the data);</li>
 *   <li>inverted digits ({@code 16 - x}): the inputs drift, version 1 is still served;</li>
 *   <li>clean digits again, but version 2 is deployed: a weakly trained model, so accuracy falls; the true labels
 *       come some seconds after each prediction, as they do in life, and the processor joins them late.</li>
 * </ol>
 * Every part is a separate JVM, started the way a user would start it. At the end it prints a summary from the
 * processor's own outputs ({@link DemoSummary}).
 */
public final class DemoScenario {
    /** The drift_share above which the demo's alert rule flags input drift. */
    public static final double DRIFT_SHARE_ALERT = 0.3;
    /** The accuracy below which the demo's alert rule flags a quality drop. */
    public static final double ACCURACY_ALERT = 0.85;

    /** One phase of traffic. */
    public record Phase(int number, String title, boolean inverted, String version) {
    }

    public static final List<Phase> PHASES = List.of(
            new Phase(1, "clean digits, model version 1", false, "1"),
            new Phase(2, "inverted digits (input drift), model version 1", true, "1"),
            new Phase(3, "clean digits, weakly trained model version 2", false, "2"));

    /**
     * @param work          where models, queue, outputs and logs go
     * @param phaseLength   each phase's length
     * @param bucket        the processor's bucket width
     * @param rate          requests a second
     * @param form          digits per request
     * @param labelDelay    how long after a prediction its true label is posted
     * @param dashboardPort the processor's dashboard (and labels endpoint) port
     * @param linger        keep the service, processor and dashboard up after the summary until Ctrl-C
     */
    public record Settings(Path work, Duration phaseLength, Duration bucket, double rate, int form,
                           Duration labelDelay, int dashboardPort, boolean linger) {
        /** The label window: the label delay and a little more, so a bucket's window holds all its labels. */
        Duration labelMaturity() {
            return labelDelay.plusSeconds(2);
        }
    }

    private final DemoParts parts;
    private final Settings settings;
    private final PrintStream print;
    private final List<Process> children = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public DemoScenario(DemoParts parts, Settings settings, PrintStream print) {
        this.parts = parts;
        this.settings = settings;
        this.print = print;
    }

    /** Runs the demo to its summary; returns it. */
    public DemoSummary run() throws Exception {
        Thread stopper = new Thread(this::stopChildren, "infermon-demo-stop");
        Runtime.getRuntime().addShutdownHook(stopper);
        try {
            DemoSummary summary = runPhases();
            if (settings.linger()) {
                print.println("    The service, the processor and the dashboard stay up: press Ctrl-C to stop.");
                print.flush();
                new CountDownLatch(1).await();
            }
            return summary;
        } finally {
            stopChildren();
            try {
                Runtime.getRuntime().removeShutdownHook(stopper);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the hook is running already
            }
        }
    }

    private DemoSummary runPhases() throws Exception {
        Path work = settings.work().toAbsolutePath();
        Path out = work.resolve("out");
        prepare(work);
        step("Training two versions of a digits classifier (TensorFlow SavedModels under " + work.resolve("models/digits")
                + "): version 1 on all 1,797 digits, version 2 weakly (5 passes over 60 digits)");
        train(work, "1", "300", "100000");
        train(work, "2", "5", "60");

        step("Building a drift reference from the training data (infermon reference build)");
        Path reference = work.resolve("digits-reference.profile");
        java(work.resolve("reference.log"), "-jar", parts.processorJar().toString(), "reference", "build",
                "--csv", parts.digitsCsv().toString(), "--columns", "0-63", "--model", "digits",
                "--out", reference.toString(), "--no-progress").waitFor();
        requireFile(reference, work.resolve("reference.log"));

        Path processorYaml = work.resolve("processor.yaml");
        Files.writeString(processorYaml, processorYaml(work, reference));
        Path agentYaml = work.resolve("agent.yaml");
        Files.writeString(agentYaml, agentYaml(work));

        URI dashboard = URI.create("http://127.0.0.1:" + settings.dashboardPort() + "/");
        step("Starting the digits service with the agent attached (log: " + work.resolve("service.log") + "):");
        print.println("    java -javaagent:" + parts.agentJar() + " -Dinfermon.config=" + agentYaml
                + " -cp ... DigitsService --models " + work.resolve("models/digits") + " --version 1");
        Path portFile = work.resolve("service.port");
        Process service = java(work.resolve("service.log"), "-javaagent:" + parts.agentJar(),
                "-Dinfermon.config=" + agentYaml, "-cp", parts.appClassPath(),
                "io.infermon.examples.digits.DigitsService", "--models", work.resolve("models/digits").toString(),
                "--version", "1", "--port-file", portFile.toString());
        awaitFile(portFile, service, work.resolve("service.log"), Duration.ofMinutes(3));
        URI serviceUri = URI.create("http://127.0.0.1:" + Files.readString(portFile).trim() + "/");

        step("Starting the processor: infermon run --config " + processorYaml + " (log: " + work.resolve("processor.log")
                + ")");
        Process processor = java(work.resolve("processor.log"), "-jar", parts.processorJar().toString(), "run",
                "--config", processorYaml.toString());
        awaitDashboard(processor, dashboard, work.resolve("processor.log"));
        print.println("    dashboard: " + dashboard);

        AtomicBoolean stopTail = new AtomicBoolean();
        Thread tail = new Thread(() -> {
            try {
                OutputTail.followAll(out, print, stopTail::get);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "infermon-demo-tail");
        tail.setDaemon(true);
        step("infermon tail " + out + " --labels --alerts: closed buckets, label windows and alerts as they come");
        tail.start();

        List<DemoSummary.PhaseRun> runs = new ArrayList<>();
        List<Process> traffic = new ArrayList<>();
        String serving = "1";
        for (Phase phase : PHASES) {
            if (!phase.version().equals(serving)) {
                post(serviceUri.resolve("/deploy"), phase.version());
                serving = phase.version();
            }
            print.printf(Locale.ROOT, "==> Phase %d of 3 (%d s): %s%n", phase.number(),
                    settings.phaseLength().toSeconds(), phase.title());
            Path sent = work.resolve("phase-" + phase.number() + ".sent");
            Path report = work.resolve("phase-" + phase.number() + ".report");
            List<String> args = new ArrayList<>(List.of("-cp", parts.appClassPath(),
                    "io.infermon.examples.digits.DigitsTraffic", "--service", serviceUri.toString(),
                    "--seconds", Double.toString(settings.phaseLength().toMillis() / 1000.0),
                    "--rate", Double.toString(settings.rate()), "--form", Integer.toString(settings.form()),
                    "--phase", "p" + phase.number(), "--seed", Integer.toString(phase.number()),
                    "--labels", dashboard.resolve("/v1/labels").toString(),
                    "--label-delay", Double.toString(settings.labelDelay().toMillis() / 1000.0),
                    "--sent", sent.toString(), "--report", report.toString()));
            if (phase.inverted()) {
                args.add("--invert");
            }
            Process p = java(work.resolve("traffic-" + phase.number() + ".log"), args.toArray(String[]::new));
            traffic.add(p);
            awaitFile(sent, p, work.resolve("traffic-" + phase.number() + ".log"),
                    settings.phaseLength().plusMinutes(1));
            runs.add(new DemoSummary.PhaseRun(phase, properties(sent)));
        }
        step("Traffic is over; the last labels come " + settings.labelDelay().toSeconds() + " s after their "
                + "predictions");
        for (Process p : traffic) {
            p.waitFor();
        }
        awaitQuiet(out, Duration.ofSeconds(3), Duration.ofSeconds(30));
        stopTail.set(true);
        tail.join(5_000);

        DemoSummary summary = DemoSummary.read(out, runs,
                LabelSettings.name(settings.labelMaturity()), settings.bucket().toMillis());
        summary.print(print, dashboard, out);
        summary.write(work.resolve("summary.json"));
        return summary;
    }

    private String processorYaml(Path work, Path reference) {
        String window = LabelSettings.name(settings.labelMaturity());
        return """
                # the demo's processor: written by `infermon demo` (docs/processor-yaml.md)
                queue: [%s]
                out: %s
                bucket: %s
                reference: [%s]
                label-maturity: [%s]
                label-grace: 0s
                dashboard-port: %d
                alerts:
                  - name: inputs drifted
                    metric: drift_share
                    where: {model: digits}
                    above: %s
                    for: 2
                  - name: accuracy fell
                    metric: accuracy
                    where: {model: digits, label_window: %s}
                    below: %s
                    for: 2
                """.formatted(work.resolve("queue"), work.resolve("out"), LabelSettings.name(settings.bucket()),
                reference, window, settings.dashboardPort(), DRIFT_SHARE_ALERT, window, ACCURACY_ALERT);
    }

    private static String agentYaml(Path work) {
        return """
                # the demo service's agent: written by `infermon demo` (docs/agent-yaml.md)
                queue:
                  dir: %s
                health:
                  interval_seconds: 5
                methods:
                  # the request id, for joining the labels that come later: the service's handler takes a request
                  # object whose getter gives it; the TensorFlow call made inside the handler carries it
                  - name: predict
                    class: io.infermon.examples.digits.DigitsService$Predictor
                    method: predict
                    arguments:
                      0: {role: id, getter: getRequestId}
                """.formatted(work.resolve("queue"));
    }

    /** A fresh run: queue, outputs, logs and phase files go; trained models stay (training is the same each time). */
    private static void prepare(Path work) throws IOException {
        Files.createDirectories(work);
        for (String name : List.of("queue", "out")) {
            deleteTree(work.resolve(name));
        }
        try (Stream<Path> files = Files.list(work)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String n = f.getFileName().toString();
                if (n.startsWith("phase-") || n.endsWith(".log") || n.equals("service.port") || n.equals("summary.json")) {
                    Files.delete(f);
                }
            }
        }
    }

    private void train(Path work, String version, String epochs, String rows) throws Exception {
        Path dir = work.resolve("models/digits/" + version);
        if (Files.exists(dir.resolve("saved_model.pb"))) {
            return;
        }
        Path log = work.resolve("train-" + version + ".log");
        java(log, "-cp", parts.appClassPath(), "io.infermon.examples.digits.DigitsApp", "train",
                "--out", dir.toString(), "--epochs", epochs, "--rows", rows).waitFor();
        requireFile(dir.resolve("saved_model.pb"), log);
    }

    private Process java(Path log, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        synchronized (children) {
            children.add(p);
        }
        return p;
    }

    private void awaitDashboard(Process processor, URI dashboard, Path log) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (true) {
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(dashboard.resolve("/api/v1/models"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            checkAlive(processor, log, deadline, "the processor's dashboard at " + dashboard);
            Thread.sleep(200);
        }
    }

    private static void awaitFile(Path file, Process producer, Path log, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!Files.exists(file)) {
            checkAlive(producer, log, deadline, file.toString());
            Thread.sleep(100);
        }
    }

    private static void checkAlive(Process p, Path log, long deadline, String what) throws IOException {
        if (!p.isAlive() || System.nanoTime() > deadline) {
            throw new IllegalStateException((p.isAlive() ? "gave up waiting for " : "a process ended before ")
                    + what + "; the end of " + log + ":\n" + tail(log));
        }
    }

    private static void requireFile(Path file, Path log) throws IOException {
        if (!Files.exists(file)) {
            throw new IllegalStateException(file + " was not made; the end of " + log + ":\n" + tail(log));
        }
    }

    private static String tail(Path log) throws IOException {
        if (!Files.exists(log)) {
            return "(no log)";
        }
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }

    /** Waits until the processor has written nothing new for {@code quiet}: it has read everything. */
    private static void awaitQuiet(Path out, Duration quiet, Duration limit) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + limit.toNanos();
        Path metrics = out.resolve("metrics.jsonl");
        long size = -1;
        long since = System.nanoTime();
        while (System.nanoTime() < deadline) {
            long now = Files.exists(metrics) ? Files.size(metrics) : 0;
            if (now != size) {
                size = now;
                since = System.nanoTime();
            } else if (System.nanoTime() - since >= quiet.toNanos()) {
                return;
            }
            Thread.sleep(100);
        }
    }

    private void post(URI uri, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(1))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(uri + " answered " + r.statusCode() + ": " + r.body());
        }
        print.println("    POST " + uri.getPath() + " " + body + ": " + r.body().trim());
    }

    private static Properties properties(Path file) throws IOException {
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(file)) {
            p.load(in);
        }
        return p;
    }

    private void step(String what) {
        print.println("==> " + what);
        print.flush();
    }

    /** SIGTERM to every child still running (the processor finishes its bucket writes), then waits for them. */
    private void stopChildren() {
        List<Process> all;
        synchronized (children) {
            all = new ArrayList<>(children);
            children.clear();
        }
        for (Process p : all) {
            p.destroy();
        }
        for (Process p : all) {
            try {
                if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
