package io.infermon.processor.delivery;

import io.infermon.anodot.AnodotMetric;
import io.infermon.anodot.delivery.MetricSender;
import io.infermon.anodot.delivery.SenderConfig;
import io.infermon.anodot.delivery.SenderHealth;
import io.infermon.anodot.delivery.Spool;
import io.infermon.anodot.delivery.SpoolDelivery;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The processor's side of Anodot delivery: each Anodot file the processor writes is handed to {@link #offer}, which
 * spools it (durably, before the processor goes on) and wakes the background sender. Once per new bucket start it
 * also spools the sender's own health counters ({@link SenderHealthMetrics}) as a file of their own.
 */
public final class AnodotDelivery implements AutoCloseable {
    /** The file the health counters of one bucket start go to; processor file names never start like this. */
    private static final Logger LOG = LoggerFactory.getLogger(AnodotDelivery.class);
    static final String HEALTH_FILE_PREFIX = "infermon_anodot_sender-";
    private static final Pattern START = Pattern.compile("-(\\d+)\\.json$");

    private final SpoolDelivery delivery;
    private final SenderHealthMetrics healthMetrics;
    private long lastHealthStart = Long.MIN_VALUE;

    private AnodotDelivery(SpoolDelivery delivery, SenderHealth health) {
        this.delivery = delivery;
        this.healthMetrics = new SenderHealthMetrics(health);
    }

    /** Opens the spool in {@code spoolDir} and starts sending what is in it, left over from an earlier run too. */
    public static AnodotDelivery start(SenderConfig config, Path spoolDir, long spoolMaxBytes) throws IOException {
        SenderHealth health = new SenderHealth();
        Spool spool = Spool.open(spoolDir, spoolMaxBytes, health);
        MetricSender sender = new MetricSender(config, spool.ledger(), health);
        return new AnodotDelivery(new SpoolDelivery(spool, sender).start(), health);
    }

    /**
     * Spools one written file (model and bucket start in its name). When the spool cannot be written (full disk,
     * permissions) the bucket is logged and counted as dropped and the processor goes on: its file in
     * {@code OUT/anodot/} is still there for {@code infermon send}.
     */
    /**
     * Spools a file the processor wrote. A spool that cannot be written (a full disk) is an I/O error for the
     * processor, which then pauses and writes the bucket again when it can (docs/operations.md), so nothing is lost;
     * spooling the same file again replaces it, and the ledger keeps it from being sent twice.
     */
    public void offer(String fileName, List<AnodotMetric> metrics) throws IOException {
        try {
            delivery.offer(fileName, metrics);
            Matcher m = START.matcher(fileName);
            if (m.find()) {
                offerHealth(Long.parseLong(m.group(1)));
            }
        } catch (IOException e) {
            throw new IOException("cannot spool " + fileName + " to " + delivery.spool().dir() + ": "
                    + e.getMessage(), e);
        } catch (RuntimeException e) {
            delivery.health().countDropped(metrics.size());
            LOG.error("cannot spool {} to {} ({}); {} metrics not sent, the file stays in the output directory for "
                    + "`infermon send`", fileName, delivery.spool().dir(), e, metrics.size());
        }
    }

    private void offerHealth(long start) throws IOException {
        if (start > lastHealthStart) {
            delivery.offer(HEALTH_FILE_PREFIX + start + ".json", healthMetrics.since(start));
            lastHealthStart = start;
        }
    }

    public SenderHealth health() {
        return delivery.health();
    }

    public Path spoolDir() {
        return delivery.spool().dir();
    }

    /** Waits until everything spooled has been delivered or set aside; false on time-out. */
    public boolean awaitDelivered(Duration timeout) throws InterruptedException {
        return delivery.awaitEmpty(timeout);
    }

    @Override
    public void close() throws IOException {
        delivery.close();
    }
}
