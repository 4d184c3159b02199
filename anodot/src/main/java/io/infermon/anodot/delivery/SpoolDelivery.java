package io.infermon.anodot.delivery;

import io.infermon.anodot.AnodotFiles;
import io.infermon.anodot.AnodotMetric;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The background worker that empties a {@link Spool} into Anodot, oldest bucket first, one file at a time. A file is
 * deleted only after its last batch is acknowledged and recorded in the ledger; a refused file goes to
 * {@code failed/}; while Anodot is unreachable the worker keeps retrying the oldest file (with back-off) and new
 * buckets pile up in the spool.
 */
public final class SpoolDelivery implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SpoolDelivery.class);
    /** Look at the directory now and then even without a wake-up, e.g. for files put there by hand. */
    private static final Duration RESCAN = Duration.ofSeconds(5);

    private final Spool spool;
    private final MetricSender sender;
    private final Thread worker;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private boolean wakeUp;
    private boolean empty;
    private volatile boolean closing;

    public SpoolDelivery(Spool spool, MetricSender sender) {
        this.spool = spool;
        this.sender = sender;
        this.worker = new Thread(this::run, "infermon-anodot-sender");
        this.worker.setDaemon(true);
    }

    public SpoolDelivery start() {
        worker.start();
        return this;
    }

    public Spool spool() {
        return spool;
    }

    public SenderHealth health() {
        return sender.health();
    }

    /** Spools a closed bucket and tells the worker. False when Anodot already has that bucket. */
    public boolean offer(String name, List<AnodotMetric> metrics) throws IOException {
        boolean added = spool.offer(name, metrics);
        if (added) {
            signal(false);
        }
        return added;
    }

    private void signal(boolean isEmpty) {
        lock.lock();
        try {
            if (isEmpty) {
                // a file offered after the worker's scan has set wakeUp: then the spool is not empty after all
                empty = !wakeUp;
            } else {
                wakeUp = true;
                empty = false;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until the spool is empty (everything delivered or set aside). False on time-out. */
    public boolean awaitEmpty(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (!empty && worker.isAlive()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                changed.awaitNanos(left);
            }
            return empty;
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        while (!closing) {
            try {
                List<Path> files = spool.pending();
                if (files.isEmpty()) {
                    spool.idle();
                    signal(true);
                    waitForWork();
                    continue;
                }
                for (Path file : files) {
                    if (closing || !deliver(file)) {
                        break;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (IOException | RuntimeException e) {
                // e.g. the ledger's disk is full: stop sending rather than risk sending twice; look again later
                LOG.error("Anodot delivery from {} paused: {}", spool.dir(), sender.config().token().redact(
                        String.valueOf(e)));
                try {
                    waitForWork();
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    /** Sends one file; false when the worker should start over (stopped, or gave up for now). */
    private boolean deliver(Path file) throws IOException, InterruptedException {
        String name = file.getFileName().toString();
        List<AnodotMetric> metrics;
        spool.sending(name);
        try {
            metrics = AnodotFiles.read(file);
        } catch (NoSuchFileException e) {
            return true; // dropped by the size bound meanwhile
        } catch (IOException e) {
            LOG.error("spool file {} is unreadable ({}); moved to {}/", file, e.getMessage(), Spool.FAILED_DIR);
            spool.failed(file);
            return true;
        }
        MetricSender.FileResult r = sender.send(name, metrics, MetricSender.Progress.NONE);
        switch (r.status()) {
            case DELIVERED, ALREADY_DELIVERED -> {
                spool.delivered(file);
                return true;
            }
            case REFUSED -> {
                spool.failed(file);
                return true;
            }
            default -> {
                return false; // STOPPED or GAVE_UP: keep the file, try again later
            }
        }
    }

    private void waitForWork() throws InterruptedException {
        lock.lock();
        try {
            if (!wakeUp && !closing) {
                changed.await(RESCAN.toMillis(), TimeUnit.MILLISECONDS);
            }
            wakeUp = false;
        } finally {
            lock.unlock();
        }
    }

    /** Stops the worker: waits stop at once, a request in flight finishes or times out. What is left stays spooled. */
    @Override
    public void close() throws IOException {
        closing = true;
        sender.stop();
        signal(false);
        try {
            worker.join(sender.config().requestTimeout().plusSeconds(5).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        spool.ledger().close();
    }
}
