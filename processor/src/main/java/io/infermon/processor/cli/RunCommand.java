package io.infermon.processor.cli;

import io.infermon.processor.Processor;
import io.infermon.processor.ProcessorHealth;
import io.infermon.processor.dashboard.DashboardServer;
import io.infermon.processor.bucket.EventTimeBuckets;
import io.infermon.processor.alerts.AlertRule;
import io.infermon.processor.alerts.Alerts;
import io.infermon.processor.alerts.WebhookSender;
import io.infermon.processor.alerts.WebhookSettings;
import io.infermon.processor.checkpoint.Checkpoint;
import io.infermon.processor.config.ProcessorConfig;
import io.infermon.processor.delivery.AnodotDelivery;
import io.infermon.processor.fleet.FleetPublisher;
import io.infermon.processor.output.MetricFiles;
import io.infermon.processor.otlp.OtlpExport;
import io.infermon.processor.otlp.OtlpSettings;
import io.infermon.processor.drift.DriftSettings;
import io.infermon.processor.drift.References;
import io.infermon.processor.labels.LabelSettings;
import io.infermon.processor.labels.LabelStream;
import io.infermon.processor.profile.BucketProfile;
import io.infermon.processor.profile.ProfileCodec;
import io.infermon.processor.queue.MergedQueues;
import io.infermon.processor.stats.StatisticsSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code infermon run}: tails an agent's queue and writes bucket metrics. */
@Command(name = "run", mixinStandardHelpOptions = true, defaultValueProvider = ProcessorConfig.class,
        description = {"Tail agents' capture queues, group calls into event-time buckets, compute statistics and "
                + "drift, and write metrics and profiles.",
                "Every option can also be set in processor.yaml (--config), as -Dinfermon.processor.<key> or as "
                        + "INFERMON_PROCESSOR_<KEY>; the command line wins, then the system property, the "
                        + "environment, the file. See docs/processor-yaml.md."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:finished (--drain) or stopped",
                "1:failed while running; with --drain also: Anodot refused metrics (401, 403, 400: see SPOOL/failed) "
                        + "or did not take them all within --anodot-drain-timeout",
                "2:bad options or configuration (every problem is printed)"})
public final class RunCommand implements Callable<Integer> {

    @Option(names = "--config", paramLabel = "FILE",
            description = "processor.yaml: every option below as a key (bucket: 10s, queue: [a, b]), plus alerts "
                    + "and webhook (else $INFERMON_PROCESSOR_CONFIG or -Dinfermon.processor.config).")
    Path config;

    // split on NUL (which no argument can contain) only so that processor.yaml can give a list as one default value
    @Option(names = "--queue", split = "\\x00", paramLabel = "DIR", hideParamSyntax = true,
            description = "An agent's queue directory; repeat for several agents, merged in event time.")
    List<Path> queues = new ArrayList<>();

    @Option(names = "--queue-root", paramLabel = "DIR",
            description = "Read every agent queue directly under DIR (one subdirectory per agent), including ones "
                    + "that appear while the processor runs.")
    Path queueRoot;

    @Option(names = "--out", required = true, description = "Where metrics go (anodot/ and metrics.jsonl).")
    Path out;

    @Option(names = "--bucket", defaultValue = "60s", converter = DurationConverter.class,
            description = "Bucket width, aligned to the epoch (e.g. 10s, 1m, 1h, 1d). Default: ${DEFAULT-VALUE}.")
    Duration bucket;

    @Option(names = "--grace", defaultValue = "1s", converter = DurationConverter.class,
            description = "How far behind the watermark a record may still arrive: a bucket closes when the watermark "
                    + "passes its end plus this. Covers clock corrections and agents that write no watermarks. "
                    + "Default: ${DEFAULT-VALUE}.")
    Duration grace;

    @Option(names = "--idle-timeout", defaultValue = "4s", converter = DurationConverter.class,
            description = "A queue silent and this far behind the others stops holding buckets open; when every "
                    + "queue has been silent this long, the processor's clock moves time on, so the last buckets "
                    + "close by their end + grace + this. Default: ${DEFAULT-VALUE}.")
    Duration idleTimeout;

    @Option(names = "--empty-buckets", defaultValue = "10", paramLabel = "N",
            description = "A model key with calls in one of its last N buckets and none in this one gets an empty "
                    + "bucket (inference_calls 0, buffer_count 0), so stopped traffic shows; 0 for none. Default: "
                    + "${DEFAULT-VALUE}.")
    int emptyBuckets;

    @Option(names = "--late", defaultValue = "drop", completionCandidates = LatePolicies.class,
            description = "Records later than grace: drop (count and leave out) or current (count and add to the "
                    + "bucket at the current stream time). Default: ${DEFAULT-VALUE}.")
    String late;

    @Option(names = "--binary-threshold", defaultValue = "0.5",
            description = "A two-class model predicts class 1 when p1 > this. Default: ${DEFAULT-VALUE}.")
    double binaryThreshold;

    @Option(names = "--reference", paramLabel = "PROFILE", split = "\\x00", hideParamSyntax = true,
            description = "A reference profile (from `reference build` or a run's profiles); buckets of its model "
                    + "are compared with it for drift. Repeat for several models.")
    List<Path> references = new ArrayList<>();

    @Option(names = "--reference-buckets", defaultValue = "0", paramLabel = "N",
            description = "Without --reference: learn each model's reference from its first N buckets, then "
                    + "compare every later bucket with it.")
    int referenceBuckets;

    @Option(names = "--drift-method", defaultValue = "psi", completionCandidates = DriftMethods.class,
            description = "The measure that decides drift_detected: psi, js, ks or wasserstein. Default: "
                    + "${DEFAULT-VALUE}.")
    String driftMethod;

    @Option(names = "--drift-threshold",
            description = "drift_detected is 1 above this. Default: 0.2 for psi, 0.1 for the others.")
    Double driftThreshold;

    @Option(names = "--drift-min-rows", defaultValue = "100", paramLabel = "N",
            description = "Judge a feature's drift (drift_detected, drift_share) only in buckets with at least N "
                    + "values of it: smaller samples cross the thresholds by chance. Default: ${DEFAULT-VALUE}.")
    long driftMinRows;

    @Option(names = "--max-models", defaultValue = "100",
            description = "Model keys (name, version, signature) kept apart; records of further keys are counted "
                    + "under the model __other__. Default: ${DEFAULT-VALUE}.")
    int maxModels;

    @Option(names = "--max-future", defaultValue = "1h", converter = DurationConverter.class,
            description = "Records stamped further ahead of this machine's clock are refused (future_timestamp). "
                    + "Default: ${DEFAULT-VALUE}.")
    Duration maxFuture;

    @Option(names = "--label-maturity", split = ",", paramLabel = "AGE", converter = DurationConverter.class,
            defaultValue = "1h,1d,7d",
            description = "When a prediction bucket's label metrics are emitted, after the bucket's end in label-clock "
                    + "time (docs/metrics.md); one series (label_window) each. Default: ${DEFAULT-VALUE}.")
    List<Duration> labelMaturities;

    @Option(names = "--label-horizon", defaultValue = "7d", converter = DurationConverter.class, paramLabel = "AGE",
            description = "How long a prediction with an id is kept for its label. Default: ${DEFAULT-VALUE}.")
    Duration labelHorizon;

    @Option(names = "--label-grace", defaultValue = "1h", converter = DurationConverter.class, paramLabel = "AGE",
            description = "How far out of time order labels may arrive: the label clock is the latest label's time "
                    + "minus this. Default: ${DEFAULT-VALUE}.")
    Duration labelGrace;

    @Option(names = "--label-max-predictions", defaultValue = "" + LabelSettings.DEFAULT_MAX_PREDICTIONS,
            paramLabel = "N",
            description = "Predictions kept for labels at most; the oldest beyond are evicted (counted). "
                    + "Default: ${DEFAULT-VALUE}.")
    int labelMaxPredictions;

    @Option(names = "--delete-consumed-after", paramLabel = "AGE", converter = DurationConverter.class,
            description = "Delete an agent's queue cycle files once wholly read, checkpointed and this old (e.g. 1h). "
                    + "Default: never (the agent's own retention applies). Not with --no-checkpoint.")
    Duration deleteConsumedAfter;

    @Option(names = "--no-checkpoint",
            description = "Neither read nor write the checkpoint (OUT/state): read the queues from their beginning "
                    + "and keep no state across runs.")
    boolean noCheckpoint;

    @Option(names = "--drain",
            description = "Read everything present, close every open bucket, write the outputs and exit.")
    boolean drain;

    @Option(names = "--quiet", description = "Do not print a line for each closed bucket.")
    boolean quiet;

    @Mixin
    AnodotOptions anodot;

    @Option(names = "--spool", paramLabel = "DIR",
            description = "With Anodot delivery on: where buckets wait until Anodot has them. Default: OUT/spool.")
    Path spool;

    @Option(names = "--spool-max-mb", defaultValue = "1024", paramLabel = "MB",
            description = "Bound of the spool; when full the oldest buckets are dropped. Default: ${DEFAULT-VALUE}.")
    long spoolMaxMb;

    @Option(names = "--anodot-drain-timeout", defaultValue = "60s", converter = DurationConverter.class,
            description = "With --drain: how long to wait for Anodot to take the spool. Default: ${DEFAULT-VALUE}.")
    Duration drainTimeout;

    @Mixin
    DashboardOptions dashboard;

    @Mixin
    OtlpOptions otlp;

    @Option(names = "--publish-kafka", paramLabel = "BOOTSTRAP",
            description = "Also publish each closed bucket's profile and this processor's watermark to the Kafka "
                    + "cluster at BOOTSTRAP, for `infermon fleet` (docs/fleet.md). What Kafka has not taken waits in "
                    + "OUT/fleet-outbox.")
    String publishKafka;

    @Option(names = "--fleet-host", paramLabel = "ID",
            description = "This processor's id in the fleet. Default: the host name.")
    String fleetHost;

    @Option(names = "--fleet-outbox-mb", defaultValue = "256", paramLabel = "MB",
            description = "Bound of OUT/fleet-outbox; when Kafka is away that long the oldest buckets are dropped "
                    + "(counted). Default: ${DEFAULT-VALUE}.")
    long fleetOutboxMb;

    @Mixin
    FleetOptions fleet;

    @Spec
    CommandSpec spec;

    @Override
    @SuppressWarnings("try") // the dashboard server is a resource only to be closed with the run
    public Integer call() throws Exception {
        if (queues.isEmpty() && queueRoot == null) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "give at least one --queue or a --queue-root");
        }
        EventTimeBuckets.LatePolicy latePolicy = EventTimeBuckets.LatePolicy.valueOf(late.toUpperCase(Locale.ROOT));
        if (idleTimeout.isZero() || idleTimeout.isNegative()) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--idle-timeout must be positive, not " + LabelSettings.name(idleTimeout));
        }
        if (emptyBuckets < 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--empty-buckets must be 0 or more, not " + emptyBuckets);
        }
        io.infermon.processor.fleet.FleetSettings fleetSettings;
        try {
            fleetSettings = publishKafka == null ? null : fleet.settings(publishKafka);
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "infermon: " + e.getMessage());
        }
        DriftSettings drift;
        try {
            drift = new DriftSettings(driftMethod,
                    driftThreshold != null ? driftThreshold : DriftSettings.defaultThreshold(driftMethod), driftMinRows);
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        List<BucketProfile> given = new ArrayList<>();
        for (Path r : references) {
            given.add(ProfileCodec.read(r));
        }
        // a fleet host announces itself at once, also while it waits for its agent: the fleet then waits for its
        // buckets rather than closing without them (the processor's position is known once it runs)
        java.util.concurrent.atomic.AtomicReference<Processor> running = new java.util.concurrent.atomic
                .AtomicReference<>();
        FleetPublisher publisher = fleetSettings == null ? null : FleetPublisher.start(fleetSettings,
                fleetHost != null ? fleetHost : java.net.InetAddress.getLocalHost().getHostName(), bucket,
                out.toAbsolutePath().resolve("fleet-outbox"), fleetOutboxMb << 20, () -> {
                    Processor p = running.get();
                    return p == null ? Long.MIN_VALUE : p.writtenThrough();
                }, () -> {
                    Processor p = running.get();
                    return p == null ? Long.MIN_VALUE : p.labelWindowsThrough();
                });
        for (Path queue : queues) {
            if (!drain && !Files.isDirectory(queue)) {
                System.out.println("infermon: waiting for the agent to create " + queue);
                while (!Files.isDirectory(queue)) {
                    Thread.sleep(200);
                }
            }
        }
        // Anodot delivery is on when a URL is given; its settings are checked before anything is read
        var senderConfig = anodot.url().isPresent() ? anodot.config(spec.commandLine()) : null;
        if (!drain && !dashboard.off) {
            dashboard.settings(spec.commandLine()); // a bad dashboard setting stops the run before anything is read
        }
        LabelSettings labelSettings;
        try {
            labelSettings = new LabelSettings(labelMaturities, labelHorizon, labelMaxPredictions,
                    LabelSettings.DEFAULT_MAX_WAITING, labelGrace);
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "infermon: " + e.getMessage());
        }
        // the provider has checked every source already (picocli asked it for defaults); this is its result
        ProcessorConfig.Resolved config = spec.defaultValueProvider() instanceof ProcessorConfig pc
                ? pc.resolve(spec) : null;
        List<AlertRule> alertRules = config == null ? List.of() : config.alerts();
        WebhookSettings webhook = config == null ? null : config.webhook();
        String version = RunCommand.class.getPackage().getImplementationVersion();
        OtlpSettings otlpSettings = otlp.settings(spec.commandLine(),
                config == null ? Map.of() : config.otlpHeaders(), version);
        ProcessorHealth processorHealth = new ProcessorHealth();
        Path outDir = out.toAbsolutePath();
        Files.createDirectories(outDir);
        Checkpoint restored = noCheckpoint ? null : Checkpoint.load(outDir);
        try (MergedQueues reader = new MergedQueues(queues.stream().map(Path::toAbsolutePath).toList());
             // with checkpoints, a run without one starts from the queues' beginning and writes metrics.jsonl afresh
             MetricFiles outputs = new MetricFiles(outDir, noCheckpoint ? -1
                     : restored == null ? 0 : restored.jsonlLength());
             AnodotDelivery delivery = senderConfig == null ? null : AnodotDelivery.start(senderConfig,
                     (spool != null ? spool : out.resolve("spool")).toAbsolutePath(), spoolMaxMb << 20);
             DashboardServer dashboardServer = dashboard.startFor(spec.commandLine(), drain, out.toAbsolutePath(),
                     processorHealth);
             Alerts alerts = new Alerts(alertRules, outDir)) {
            if (delivery != null) {
                outputs.onFileWritten(delivery::offer);
                System.out.println("infermon: sending to " + senderConfig.redactedEndpoint() + " through the spool "
                        + delivery.spoolDir());
            }
            EventTimeBuckets buckets = new EventTimeBuckets(bucket, grace, latePolicy,
                    new StatisticsSettings(binaryThreshold, StatisticsSettings.DEFAULTS.maxFeatures()), maxModels,
                    emptyBuckets);
            References refs = new References(given, drift, referenceBuckets, outputs.profileDir());
            Processor processor = new Processor(reader, buckets, refs, outputs,
                    closed -> {
                        if (!quiet) {
                            System.out.println(BucketSummary.line(closed));
                        }
                    }, noCheckpoint ? null : outDir, restored, maxFuture, labelSettings, alerts);
            if (!alertRules.isEmpty()) {
                System.out.println("infermon: " + alertRules.size() + " alert rule(s), events in "
                        + alerts.file().path());
            }
            WebhookSender webhookSender = webhook == null ? null : WebhookSender.start(webhook, outDir,
                    alerts.file().committedLength()::get, System.err::println);
            if (webhookSender != null) {
                System.out.println("infermon: alert events POSTed to " + webhook);
            }
            OtlpExport otlpExport = otlpSettings == null ? null : OtlpExport.start(otlpSettings, outDir,
                    outputs::committedLength, bucket, version, System.err::println);
            if (otlpExport != null) {
                System.out.println("infermon: exporting metrics over OTLP (" + otlpSettings.protocol() + ") to "
                        + otlpSettings.redactedEndpoint() + "; progress in " + outDir.resolve(OtlpExport.OFFSET_FILE));
            }
            processor.readLabelsFrom(LabelStream.open(outDir.resolve("labels"),
                    processor.labels().appliedSequence()));
            if (dashboardServer != null) {
                dashboardServer.acceptLabels(outDir.resolve("labels"), maxFuture, processor::labelsArrived);
            }
            if (queueRoot != null) {
                processor.discoverQueuesUnder(queueRoot.toAbsolutePath());
            }
            processor.idleTimeout(idleTimeout);
            running.set(processor);
            if (publisher != null) {
                outputs.onProfileWritten(publisher::offer);
                outputs.onLabelWindowWritten(publisher::offerLabelWindow);
                outputs.onAgentHealthWritten(publisher::offerAgentHealth);
                System.out.println("infermon: publishing buckets to Kafka at " + publishKafka + " ("
                        + fleetSettings.profilesTopic() + ")");
            }
            if (deleteConsumedAfter != null && !noCheckpoint) {
                processor.deleteConsumedCyclesAfter(deleteConsumedAfter);
            }
            if (restored != null) {
                System.out.println("infermon: continuing from checkpoint " + restored.sequence() + " ("
                        + restored.recordsRead() + " records read before)");
            }
            processor.reportHealthTo(processorHealth);
            CountDownLatch finished = new CountDownLatch(1);
            if (!drain) {
                // On Ctrl-C or SIGTERM: stop reading and let the main loop finish its current bucket writes.
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    processor.stop();
                    try {
                        finished.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, "infermon-stop"));
                System.out.println("infermon: reading " + (queueRoot == null ? queues
                        : "the queues under " + queueRoot + (queues.isEmpty() ? "" : " and " + queues)) + ", metrics in " + outputs.anodotDir()
                        + " and " + out.resolve("metrics.jsonl") + " (Ctrl-C to stop)");
            }
            // a drain is often a scheduled job: its exit code says whether Anodot has everything
            boolean undelivered = false;
            try {
                processor.run(drain);
                if (delivery != null && drain && !delivery.awaitDelivered(drainTimeout)) {
                    undelivered = true;
                    System.out.println("infermon: Anodot did not take everything within " + drainTimeout.toSeconds()
                            + " s; the rest waits in " + delivery.spoolDir() + " for the next run");
                }
                if (otlpExport != null && drain && !otlpExport.awaitExported(drainTimeout)) {
                    undelivered = true;
                    System.out.println("infermon: the OTLP receiver did not take everything within "
                            + drainTimeout.toSeconds() + " s; the next run sends the rest from metrics.jsonl");
                }
                if (webhookSender != null && drain && !webhookSender.awaitSent(drainTimeout)) {
                    System.out.println("infermon: the alert webhook did not take every event within "
                            + drainTimeout.toSeconds() + " s; the next run sends the rest");
                }
            } finally {
                if (publisher != null) {
                    // a drain has published all it will; a live run stopped is expected back, and holds its place
                    publisher.close(drain ? drainTimeout : Duration.ofSeconds(5), drain);
                    System.out.println("infermon: " + publisher.bucketsPublished() + " bucket(s) published to Kafka"
                            + (publisher.backlog() > 0 ? ", " + publisher.backlog() + " waiting in the fleet outbox"
                            : "") + (publisher.dropped() > 0 ? ", " + publisher.dropped() + " dropped (outbox full)"
                            : ""));
                }
                if (webhookSender != null) {
                    webhookSender.close();
                }
                if (otlpExport != null) {
                    otlpExport.close();
                    System.out.println("infermon: " + otlpExport.summary());
                }
                if (delivery != null) {
                    delivery.close();
                    System.out.println("infermon: Anodot delivery " + delivery.health());
                    if (drain && delivery.health().failedFiles() > 0) {
                        undelivered = true;
                        System.out.println("infermon: Anodot refused " + delivery.health().failedFiles()
                                + " file(s); they are in " + delivery.spoolDir().resolve("failed")
                                + " (fix the cause, then infermon send that directory)");
                    }
                }
                processor.close(); // its state store: what the last checkpoint committed stays
                finished.countDown();
            }
            System.out.println("infermon: " + processor.recordsRead() + " records, " + outputs.bucketsWritten()
                    + " buckets, " + outputs.metricsWritten() + " metrics written to " + outputs.anodotDir()
                    + " and " + out.resolve("metrics.jsonl"));
            if (buckets.lateRecords() > 0) {
                System.out.println("infermon: " + buckets.lateRecords() + " late records "
                        + (latePolicy == EventTimeBuckets.LatePolicy.DROP ? "dropped" : "added to a later bucket"));
            }
            var labels = processor.labels();
            if (!labels.counts().isEmpty() || reader.labelRecords() > 0) {
                System.out.println("infermon: labels " + labels.counts() + "; " + labels.storedPredictions()
                        + " predictions kept for labels, " + labels.waitingLabels() + " labels waiting for their "
                        + "prediction, " + labels.pendingWindows() + " buckets with label windows still to come");
            }
            reader.rejected().forEach((reason, n) -> System.out.println("infermon: " + n + " records rejected ("
                    + reason.label() + "); last: " + reader.lastRejection(reason)));
            return undelivered ? 1 : 0;
        }
    }
}
