package io.infermon.config;

import java.util.Collection;
import java.util.Locale;

/** "did you mean": the known key closest to a misspelt one. */
public final class KnownKeys {
    private KnownKeys() {
    }

    /** "unknown key (did you mean 'bucket'?); known here: ..." */
    public static String unknown(String key, Collection<String> known) {
        String suggestion = closest(key, known);
        return "unknown key" + (suggestion == null ? "" : " (did you mean '" + suggestion + "'?)") + "; known here: "
                + String.join(", ", known.stream().sorted().toList());
    }

    /** The known key within edit distance 2 of {@code key}, if any. */
    public static String closest(String key, Collection<String> known) {
        String best = null;
        int bestDistance = 3;
        for (String k : known) {
            int d = distance(key.toLowerCase(Locale.ROOT), k);
            if (d < bestDistance) {
                best = k;
                bestDistance = d;
            }
        }
        return best;
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1),
                        prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
