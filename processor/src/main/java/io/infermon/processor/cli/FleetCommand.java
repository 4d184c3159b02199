package io.infermon.processor.cli;

import io.infermon.processor.ProcessorHealth;
import io.infermon.processor.alerts.AlertRule;
import io.infermon.processor.alerts.Alerts;
import io.infermon.processor.alerts.WebhookSender;
import io.infermon.processor.alerts.WebhookSettings;
import io.infermon.processor.config.ProcessorConfig;
import io.infermon.processor.dashboard.DashboardServer;
import io.infermon.processor.delivery.AnodotDelivery;
import io.infermon.processor.drift.DriftSettings;
import io.infermon.processor.drift.References;
import io.infermon.processor.fleet.FleetAggregator;
import io.infermon.processor.fleet.FleetOutputs;
import io.infermon.processor.fleet.FleetSettings;
import io.infermon.processor.output.MetricFiles;
import io.infermon.processor.profile.BucketProfile;
import io.infermon.processor.profile.ProfileCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code infermon fleet}: one set of metrics for a model served by many hosts (docs/fleet.md). */
@Command(name = "fleet", mixinStandardHelpOptions = true,
        description = {"Merge the bucket profiles that host processors publish to Kafka (run --publish-kafka) into "
                + "one fleet bucket per model key and bucket, closed once every live host's watermark has passed it, "
                + "and write the fleet's metrics (scope: fleet) like run writes a host's: OUT/anodot, metrics.jsonl, "
                + "the Anodot sender, the dashboard.",
                "A Kafka Streams application (exactly once, state in RocksDB): run more instances with the same "
                        + "--application-id to share the work, all but one with --aggregate-only."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:stopped", "1:failed while running", "2:bad options"})
public final class FleetCommand implements java.util.concurrent.Callable<Integer> {

    @Option(names = "--kafka", paramLabel = "BOOTSTRAP",
            description = "Kafka's bootstrap servers. Default: the --config file's fleet: kafka (or publish-kafka).")
    String bootstrap;

    @Option(names = "--out", required = true, description = "Where the fleet's metrics go (anodot/, metrics.jsonl).")
    Path out;

    @Option(names = "--bucket", defaultValue = "60s", converter = DurationConverter.class,
            description = "Bucket width: the hosts' (run --bucket). Default: ${DEFAULT-VALUE}.")
    Duration bucket;

    @Option(names = "--grace", defaultValue = "0s", converter = DurationConverter.class,
            description = "How far past a bucket's end every live host's watermark must be before the fleet bucket "
                    + "closes (the hosts' own grace has passed already). Default: ${DEFAULT-VALUE}.")
    Duration grace;

    @Option(names = "--host-timeout", defaultValue = "30s", converter = DurationConverter.class,
            description = "A host whose watermark lags the latest host's by more than this is missing: it stops "
                    + "holding buckets back and is counted in fleet_hosts_missing. Default: ${DEFAULT-VALUE}.")
    Duration hostTimeout;

    @Option(names = "--host-forget", defaultValue = "1h", converter = DurationConverter.class,
            description = "A missing host lagging this much is forgotten. Default: ${DEFAULT-VALUE}.")
    Duration hostForget;

    @Option(names = "--empty-buckets", defaultValue = "10", paramLabel = "N",
            description = "A model key with calls in one of its last N fleet buckets and none in one gets an empty "
                    + "fleet bucket (inference_calls 0), as run does for a host; 0 for none. Default: "
                    + "${DEFAULT-VALUE}.")
    int emptyBuckets;

    @Option(names = "--application-id", paramLabel = "ID",
            description = "Kafka Streams' application id: instances with the same one share the work. Default: "
                    + "infermon-fleet-<topic prefix>.")
    String applicationId;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "Where this instance keeps its stores (RocksDB). Default: OUT/streams.")
    Path stateDir;

    @Option(names = "--aggregate-only",
            description = "Only merge and close (for extra instances): write no outputs.")
    boolean aggregateOnly;

    @Option(names = "--reference", paramLabel = "PROFILE", split = "\\x00", hideParamSyntax = true,
            description = "A reference profile; fleet buckets of its model are compared with it for drift.")
    List<Path> references = new ArrayList<>();

    @Option(names = "--reference-buckets", defaultValue = "0", paramLabel = "N",
            description = "Without --reference: learn each model's reference from its first N fleet buckets.")
    int referenceBuckets;

    @Option(names = "--config", paramLabel = "FILE",
            description = "A processor.yaml (checked as run's): its alerts are evaluated on the fleet's metrics into "
                    + "OUT/alerts.jsonl, its webhook gets their events, and its fleet: section (or flat fleet keys) "
                    + "gives kafka, topic-prefix, partitions, replication and kafka-properties where the command "
                    + "line does not.")
    Path config;

    @Option(names = "--quiet", description = "Do not print a line for each fleet bucket written.")
    boolean quiet;

    @Mixin
    FleetOptions fleet;

    @Mixin
    AnodotOptions anodot;

    @Mixin
    DashboardOptions dashboard;

    @Spec
    CommandSpec spec;

    /**
     * The topics' settings and Kafka's address: the command line's, else the {@code --config} file's ({@code fleet:}
     * section or flat keys), else the defaults; without Kafka's address anywhere, a bad-options error.
     */
    FleetSettings settings(ProcessorConfig.Resolved yaml, CommandLine command) {
        if (yaml != null) {
            fleet.defaults(yaml, command.getParseResult());
            if (bootstrap == null) {
                bootstrap = yaml.text("publish-kafka");
            }
        }
        if (bootstrap == null) {
            throw new CommandLine.ParameterException(command, "infermon: give --kafka BOOTSTRAP, or a --config file "
                    + "with fleet: kafka: BOOTSTRAP");
        }
        try {
            return fleet.settings(bootstrap);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(command, "infermon: " + e.getMessage());
        }
    }

    @Override
    @SuppressWarnings("try")
    public Integer call() throws Exception {
        ProcessorConfig.Resolved yaml = config == null ? null : ProcessorConfig.readFile(
                new CommandLine(new RunCommand()).getCommandSpec(), config, spec.commandLine());
        FleetSettings settings = settings(yaml, spec.commandLine());
        var senderConfig = anodot.url().isPresent() ? anodot.config(spec.commandLine()) : null;
        List<AlertRule> alertRules = yaml == null ? List.of() : yaml.alerts();
        WebhookSettings webhook = yaml == null ? null : yaml.webhook();
        Path outDir = out.toAbsolutePath();
        Files.createDirectories(outDir);
        List<BucketProfile> given = new ArrayList<>();
        for (Path r : references) {
            given.add(ProfileCodec.read(r));
        }
        FleetAggregator.Settings aggregation = new FleetAggregator.Settings(settings, bucket.toMillis(),
                grace.toMillis(), hostTimeout.toMillis(), hostForget.toMillis(), emptyBuckets,
                applicationId != null ? applicationId : "infermon-fleet-" + settings.topicPrefix(),
                (stateDir != null ? stateDir : outDir.resolve("streams")).toAbsolutePath());
        CountDownLatch stopped = new CountDownLatch(1);
        try (FleetAggregator aggregator = FleetAggregator.start(aggregation)) {
            System.out.println("infermon: fleet aggregation of " + settings.profilesTopic() + " at " + bootstrap
                    + " into " + settings.bucketsTopic() + " (application " + aggregation.applicationId() + ")");
            if (aggregateOnly) {
                Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown, "infermon-stop"));
                stopped.await();
                return 0;
            }
            try (MetricFiles files = new MetricFiles(outDir, FleetOutputs.restoredJsonlLength(outDir));
                 AnodotDelivery delivery = senderConfig == null ? null : AnodotDelivery.start(senderConfig,
                         outDir.resolve("spool"), 1024L << 20);
                 DashboardServer server = dashboard.startFor(spec.commandLine(), false, outDir,
                         new ProcessorHealth());
                 Alerts alerts = new Alerts(alertRules, outDir)) {
                if (delivery != null) {
                    files.onFileWritten(delivery::offer);
                }
                References refs = new References(given, DriftSettings.DEFAULTS, referenceBuckets, files.profileDir());
                if (!alertRules.isEmpty()) {
                    System.out.println("infermon: " + alertRules.size() + " alert rule(s) on the fleet's metrics, "
                            + "events in " + alerts.file().path());
                }
                FleetOutputs outputs = new FleetOutputs(settings, outDir, files, refs, alerts, b -> {
                    if (!quiet) {
                        System.out.println(BucketSummary.line(b) + " (fleet)");
                    }
                });
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    outputs.stop();
                    try {
                        stopped.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, "infermon-stop"));
                System.out.println("infermon: fleet metrics in " + files.anodotDir() + " and "
                        + outDir.resolve("metrics.jsonl") + " (Ctrl-C to stop)");
                WebhookSender webhookSender = webhook == null ? null : WebhookSender.start(webhook, outDir,
                        alerts.file().committedLength()::get, System.err::println);
                if (webhookSender != null) {
                    System.out.println("infermon: alert events POSTed to " + webhook);
                }
                try {
                    outputs.run();
                } finally {
                    if (webhookSender != null) {
                        webhookSender.close();
                    }
                    stopped.countDown();
                }
            }
        }
        return 0;
    }
}
