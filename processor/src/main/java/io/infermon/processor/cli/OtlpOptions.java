package io.infermon.processor.cli;

import io.infermon.processor.otlp.OtlpSettings;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The OTLP export's options of {@code infermon run}. Everything else the standard {@code OTEL_EXPORTER_OTLP_*}
 * variables configure (compression, certificates, headers) applies too; header values are never options (they
 * would be in the shell history and in {@code ps}): they come from {@code OTEL_EXPORTER_OTLP_HEADERS} or the file's
 * {@code otlp-headers}.
 */
public final class OtlpOptions {

    @Option(names = "--otlp-endpoint", paramLabel = "URL",
            description = "Export every closed bucket's metrics over OTLP to this collector address, e.g. "
                    + "http://127.0.0.1:4318 (HTTP; /v1/metrics is added) or http://127.0.0.1:4317 (gRPC). Else "
                    + "$OTEL_EXPORTER_OTLP_METRICS_ENDPOINT or $OTEL_EXPORTER_OTLP_ENDPOINT; no export without one.")
    String endpoint;

    @Option(names = "--otlp-protocol", paramLabel = "PROTOCOL",
            description = "http/protobuf or grpc. Default: $OTEL_EXPORTER_OTLP_PROTOCOL, else http/protobuf.")
    String protocol;

    @Option(names = "--otlp-timeout", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "Time-out of one export request. Default: $OTEL_EXPORTER_OTLP_TIMEOUT, else 10s.")
    Duration timeout;

    @Option(names = "--otlp-batch-size", defaultValue = "2000", paramLabel = "N",
            description = "Metrics (lines of metrics.jsonl) per request at most. Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--otlp-backoff", defaultValue = "1s", converter = DurationConverter.class,
            description = "First wait after a failed export; doubles per failure. Default: ${DEFAULT-VALUE}.")
    Duration backoff;

    @Option(names = "--otlp-backoff-max", defaultValue = "5m", converter = DurationConverter.class,
            description = "Longest wait between export retries. Default: ${DEFAULT-VALUE}.")
    Duration backoffMax;

    @Option(names = "--otlp-max-backlog-mb", defaultValue = "1024", paramLabel = "MB",
            description = "When the part of metrics.jsonl not yet exported passes this, its oldest metrics are "
                    + "dropped from the export. Default: ${DEFAULT-VALUE}.")
    long maxBacklogMb;

    /**
     * The export's settings, or null when it is off; checked before anything is read.
     *
     * @param headers {@code otlp-headers} from processor.yaml
     * @throws CommandLine.ParameterException when a setting is wrong (exit code 2), without any header's value
     */
    OtlpSettings settings(CommandLine cmd, Map<String, String> headers, String processorVersion) {
        try {
            return OtlpSettings.resolve(new OtlpSettings.Options(endpoint, protocol, timeout, headers, backoff,
                    backoffMax, batchSize, maxBacklogMb), System.getenv(), System.getProperties(), processorVersion);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cmd, "infermon: " + e.getMessage());
        }
    }
}
