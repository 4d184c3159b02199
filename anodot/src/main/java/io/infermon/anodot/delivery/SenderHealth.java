package io.infermon.anodot.delivery;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The sender's own counters, cumulative since start. All counts are of metrics (samples) except {@code retried},
 * which counts requests sent again, and the two file counts.
 */
public final class SenderHealth {
    final AtomicLong sent = new AtomicLong();
    final AtomicLong rejected = new AtomicLong();
    final AtomicLong invalid = new AtomicLong();
    final AtomicLong retried = new AtomicLong();
    final AtomicLong spooled = new AtomicLong();
    final AtomicLong dropped = new AtomicLong();
    final AtomicLong alreadyDelivered = new AtomicLong();
    final AtomicLong failedFiles = new AtomicLong();

    /** Metrics Anodot accepted. */
    public long sent() {
        return sent.get();
    }

    /** Metrics Anodot refused: listed in a 200 answer's {@code errors}, or in a request it answered 400/401/403. */
    public long rejected() {
        return rejected.get();
    }

    /** Metrics never sent because they break Anodot's rules beyond mending (no {@code what}, NaN, far future...). */
    public long invalid() {
        return invalid.get();
    }

    /** Requests sent again after a connection error, a time-out, 429 or 5xx. */
    public long retried() {
        return retried.get();
    }

    /** Metrics written to the spool. */
    public long spooled() {
        return spooled.get();
    }

    /** Metrics dropped unsent because the spool was full (the oldest files go first). */
    public long dropped() {
        return dropped.get();
    }

    /** Metrics not spooled or sent because the delivery ledger says their bucket already reached Anodot. */
    public long alreadyDelivered() {
        return alreadyDelivered.get();
    }

    /** Counts metrics dropped by the caller, e.g. a bucket that could not be spooled. */
    public void countDropped(long metrics) {
        dropped.addAndGet(metrics);
    }

    /** Files moved to {@code failed/} because Anodot refused a request (400, 401, 403). */
    public long failedFiles() {
        return failedFiles.get();
    }

    /** The counters by name, in a fixed order: sent, rejected, invalid, retried, spooled, dropped, ... */
    public Map<String, Long> snapshot() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("sent", sent());
        m.put("rejected", rejected());
        m.put("invalid", invalid());
        m.put("retried", retried());
        m.put("spooled", spooled());
        m.put("dropped", dropped());
        m.put("already_delivered", alreadyDelivered());
        m.put("failed_files", failedFiles());
        return m;
    }

    @Override
    public String toString() {
        return snapshot().toString();
    }
}
