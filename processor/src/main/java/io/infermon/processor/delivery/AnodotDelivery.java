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

/**
 * The processor's side of Anodot delivery: each Anodot file the processor writes is handed to {@link #offer}, which
 * spools it (durably, before the processor goes on) and wakes the background sender. Once per new bucket start it
 * also spools the sender's own health counters ({@link SenderHealthMetrics}) as a file of their own.
 */
public final class AnodotDelivery implements AutoCloseable {
    /** The file the health counters of one bucket start go to; processor file names never start like this. */
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

    /** Spools one written file (model and bucket start in its name). */
    public void offer(String fileName, List<AnodotMetric> metrics) throws IOException {
        delivery.offer(fileName, metrics);
        Matcher m = START.matcher(fileName);
        if (m.find()) {
            long start = Long.parseLong(m.group(1));
            if (start > lastHealthStart) {
                lastHealthStart = start;
                delivery.offer(HEALTH_FILE_PREFIX + start + ".json", healthMetrics.since(start));
            }
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
