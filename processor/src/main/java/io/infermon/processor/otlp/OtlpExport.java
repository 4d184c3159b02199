package io.infermon.processor.otlp;

import io.infermon.anodot.AnodotJson;
import io.infermon.anodot.AnodotMetric;
import io.infermon.processor.alerts.AlertsFile;
import io.infermon.processor.output.CommittedFileFollower;
import io.opentelemetry.exporter.internal.FailedExportException;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.common.export.GrpcStatusCode;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Sends every closed bucket's metrics to an OTLP receiver (an OpenTelemetry Collector, or any backend that speaks
 * OTLP), from a thread of its own so that a slow or absent receiver never holds up the processor.
 *
 * <p>It follows {@code metrics.jsonl}, the processor's own durable record of closed buckets, as a
 * {@link CommittedFileFollower} (as the alert webhook follows {@code alerts.jsonl}), with the Anodot sender's rules:
 * <ul>
 *   <li><b>Nothing lost while the receiver is down.</b> It sends only as far as the latest checkpoint holds (beyond
 *       it, a restart may still cut lines off) and records how far the receiver has taken it in
 *       {@code OUT/metrics.otlp-offset}, written atomically after each acknowledged request. Until then the metrics
 *       wait in {@code metrics.jsonl}, which the processor keeps anyway; a restart goes on from the offset.</li>
 *   <li><b>Each bucket once.</b> Only a request in flight when the processor is killed (between the receiver's answer
 *       and the offset's write) is sent again.</li>
 *   <li><b>Retries.</b> Connection errors, time-outs and every answer but a refusal of the data itself are retried
 *       with doubling back-off, for as long as it takes; the start and end of an outage are logged, not each try. An
 *       answer that the data is malformed (HTTP 400, gRPC INVALID_ARGUMENT) would come again: that request is
 *       logged, counted as refused and skipped.</li>
 *   <li><b>Bounded.</b> At most one request's metrics ({@code otlp-batch-size}) are in memory. When the part of
 *       {@code metrics.jsonl} not yet sent passes {@code otlp-max-backlog-mb}, its oldest lines are skipped, logged
 *       and counted as dropped, as the Anodot spool drops its oldest files.</li>
 * </ul>
 * Messages name the receiver by scheme, host and port only; header values appear nowhere.
 */
public final class OtlpExport extends CommittedFileFollower {
    public static final String OFFSET_FILE = "metrics.otlp-offset";
    private static final int READ_CHUNK = 8 << 20;
    /** The SDK logs each failed export itself; infermon says it once per outage instead, without the endpoint. */
    private static final Logger SDK_LOGGER = Logger.getLogger("io.opentelemetry.exporter");

    private final OtlpSettings settings;
    private final MetricExporter exporter;
    private final Path jsonlFile;
    private final long bucketWidthSeconds;
    private final InstrumentationScopeInfo scope;
    private final AtomicLong sentMetrics = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong refusedMetrics = new AtomicLong();
    private final AtomicLong droppedMetrics = new AtomicLong();
    private final AtomicLong failedAttempts = new AtomicLong();

    private OtlpExport(OtlpSettings settings, Path outDir, LongSupplier committed, Duration bucketWidth,
                       String processorVersion, Consumer<String> log) throws IOException {
        super(outDir.resolve("metrics.jsonl"), outDir.resolve(OFFSET_FILE), "every bucket of metrics.jsonl", committed,
                "OTLP export", "infermon-otlp-export", log);
        this.settings = settings;
        this.jsonlFile = outDir.resolve("metrics.jsonl");
        this.bucketWidthSeconds = bucketWidth.toSeconds();
        this.scope = InstrumentationScopeInfo.builder("io.infermon.processor")
                .setVersion(processorVersion == null ? "unknown" : processorVersion).build();
        SDK_LOGGER.setLevel(Level.OFF);
        this.exporter = settings.exporter();
    }

    /**
     * Starts sending.
     *
     * @param committed   how far metrics.jsonl is final (the latest checkpoint's length)
     * @param bucketWidth the buckets' width: each point spans its bucket
     * @param log         where problems are told
     */
    public static OtlpExport start(OtlpSettings settings, Path outDir, LongSupplier committed, Duration bucketWidth,
                                   String processorVersion, Consumer<String> log) throws IOException {
        OtlpExport e = new OtlpExport(settings, outDir, committed, bucketWidth, processorVersion, log);
        e.startFollowing();
        return e;
    }

    /**
     * Sends the next request's worth of whole lines before {@code end}, retrying until it is answered; first skips the
     * oldest lines if the backlog is over its bound.
     */
    @Override
    protected void follow(long end) throws IOException, InterruptedException {
        if (end - offset() > settings.maxBacklogBytes()) {
            dropOldest(end - settings.maxBacklogBytes());
        }
        List<AlertsFile.Line> lines = AlertsFile.wholeLines(jsonlFile, offset(), end, READ_CHUNK);
        List<AnodotMetric> metrics = new ArrayList<>();
        long upTo = offset();
        for (AlertsFile.Line line : lines) {
            if (metrics.size() == settings.batchSize()) {
                break;
            }
            upTo = line.end();
            if (line.text().isBlank()) {
                continue;
            }
            try {
                metrics.add(AnodotJson.readLine(line.text()));
            } catch (IOException | RuntimeException e) {
                // a line cut short by a crash before the checkpoint cannot be in the committed part; skip anything
                // unreadable rather than stop
                refusedMetrics.incrementAndGet();
            }
        }
        if (!metrics.isEmpty() && !deliver(metrics)) {
            return; // closed while retrying: the next run sends this request
        }
        advanceTo(upTo);
    }

    /** Exports one request until it is answered; false when closed before. */
    private boolean deliver(List<AnodotMetric> metrics) throws InterruptedException {
        List<MetricData> data = OtlpMetrics.of(metrics, bucketWidthSeconds, settings.resource(), scope);
        long pause = settings.backoff().toMillis();
        boolean outage = false;
        while (!isClosed()) {
            CompletableResultCode result = exporter.export(data);
            result.join(settings.timeout().toMillis() + 5_000, TimeUnit.MILLISECONDS);
            if (result.isSuccess()) {
                requests.incrementAndGet();
                sentMetrics.addAndGet(metrics.size());
                if (outage) {
                    log.accept("infermon: OTLP receiver " + settings.redactedEndpoint() + " takes metrics again");
                }
                return true;
            }
            Throwable failure = result.getFailureThrowable();
            if (refusesTheData(failure)) {
                refusedMetrics.addAndGet(metrics.size());
                log.accept("infermon: OTLP receiver " + settings.redactedEndpoint() + " refused " + metrics.size()
                        + " metrics as malformed (" + describe(result) + "); skipped them (" + refusedMetrics.get()
                        + " refused so far)");
                return true;
            }
            failedAttempts.incrementAndGet();
            if (!outage) {
                outage = true;
                log.accept("infermon: OTLP receiver " + settings.redactedEndpoint() + " failed (" + describe(result)
                        + "); retrying with back-off, the metrics wait in metrics.jsonl");
            }
            pause(pause);
            pause = Math.min(pause * 2, settings.backoffMax().toMillis());
        }
        return false;
    }

    /**
     * An answer that the request itself is bad: sending it again would get the same answer. The exporter reports
     * answers through its {@code FailedExportException} (an "internal" package of the SDK; pinned version).
     */
    private static boolean refusesTheData(Throwable failure) {
        if (failure instanceof FailedExportException.HttpExportException h && h.failedWithResponse()) {
            return h.getResponse().getStatusCode() == 400;
        }
        if (failure instanceof FailedExportException.GrpcExportException g && g.failedWithResponse()) {
            return g.getResponse().getStatusCode() == GrpcStatusCode.INVALID_ARGUMENT;
        }
        return false;
    }

    private static String describe(CompletableResultCode result) {
        Throwable failure = result.getFailureThrowable();
        if (!result.isDone()) {
            return "no answer in time";
        }
        if (failure instanceof FailedExportException.HttpExportException h && h.failedWithResponse()) {
            return "HTTP " + h.getResponse().getStatusCode();
        }
        if (failure instanceof FailedExportException.GrpcExportException g && g.failedWithResponse()) {
            return "gRPC " + g.getResponse().getStatusCode();
        }
        Throwable cause = failure == null ? null : failure.getCause() != null ? failure.getCause() : failure;
        return cause == null ? "failed" : cause.getClass().getSimpleName();
    }

    /** Skips the lines before the first line start at or after {@code from}, counting them as dropped. */
    private void dropOldest(long from) throws IOException {
        long dropped = 0;
        long newOffset = offset();
        try (FileChannel ch = FileChannel.open(jsonlFile, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(1 << 20);
            long position = offset();
            boolean found = false;
            while (!found && ch.read(b.clear(), position) > 0) {
                b.flip();
                while (b.hasRemaining()) {
                    if (b.get() == '\n') {
                        dropped++;
                        newOffset = position + b.position();
                        if (newOffset >= from) {
                            found = true;
                            break;
                        }
                    }
                }
                position += b.limit();
            }
        }
        droppedMetrics.addAndGet(dropped);
        log.accept("infermon: OTLP export is more than " + (settings.maxBacklogBytes() >> 20) + " MB behind; "
                + "dropped the oldest " + dropped + " metrics (" + droppedMetrics.get() + " dropped so far)");
        advanceTo(newOffset);
    }

    public long sentMetrics() {
        return sentMetrics.get();
    }

    public long requests() {
        return requests.get();
    }

    public long refusedMetrics() {
        return refusedMetrics.get();
    }

    public long droppedMetrics() {
        return droppedMetrics.get();
    }

    public long failedAttempts() {
        return failedAttempts.get();
    }

    /** Waits until everything final is taken or {@code timeout} passes; true when it is. */
    public boolean awaitExported(Duration timeout) throws InterruptedException {
        return awaitCaughtUp(timeout);
    }

    /** One line for the end of a run. */
    public String summary() {
        return "OTLP export to " + settings.redactedEndpoint() + ": " + sentMetrics.get() + " metrics sent in "
                + requests.get() + " requests, " + refusedMetrics.get() + " refused, " + droppedMetrics.get()
                + " dropped (backlog full), " + failedAttempts.get() + " failed attempts";
    }

    @Override
    public void close() throws InterruptedException {
        stopFollowing(settings.timeout().toMillis() + 6_000);
        exporter.shutdown().join(5, TimeUnit.SECONDS);
    }
}
