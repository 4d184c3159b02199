package io.infermon.agent.capture;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;

/**
 * Which model each TensorFlow session belongs to, learnt when {@code SavedModelBundle} loads a model. Lookups happen
 * on every captured call, registrations once per model load, so the table is an immutable array replaced on write:
 * a lookup is a lock-free scan of a handful of entries. Sessions are held weakly, so a closed and collected model
 * leaves no trace.
 */
final class ModelRegistry {
    private record Entry(WeakReference<Object> session, ModelIdentity identity) {
    }

    private volatile Entry[] entries = new Entry[0];

    synchronized void register(Object session, ModelIdentity identity) {
        List<Entry> kept = new ArrayList<>();
        for (Entry e : entries) {
            Object s = e.session().get();
            if (s != null && s != session) {
                kept.add(e);
            }
        }
        kept.add(new Entry(new WeakReference<>(session), identity));
        entries = kept.toArray(new Entry[0]);
    }

    /** The identity registered for {@code session}, or null. */
    ModelIdentity find(Object session) {
        if (session == null) {
            return null;
        }
        for (Entry e : entries) {
            if (e.session().get() == session) {
                return e.identity();
            }
        }
        return null;
    }
}
