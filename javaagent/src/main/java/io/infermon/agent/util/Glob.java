package io.infermon.agent.util;

/**
 * Glob matching for names in {@code agent.yaml}: {@code *} matches any run of characters (also none), {@code ?}
 * exactly one; everything else matches itself. Allocation-free, so it can run on an inference thread.
 */
public final class Glob {
    private Glob() {
    }

    public static boolean matches(String pattern, String text) {
        int p = 0;
        int t = 0;
        int star = -1;
        int afterStar = 0;
        while (t < text.length()) {
            if (p < pattern.length() && (pattern.charAt(p) == '?' || pattern.charAt(p) == text.charAt(t))) {
                p++;
                t++;
            } else if (p < pattern.length() && pattern.charAt(p) == '*') {
                star = p++;
                afterStar = t;
            } else if (star >= 0) {
                p = star + 1;
                t = ++afterStar;
            } else {
                return false;
            }
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pattern.length();
    }

    /** Whether any of {@code patterns} matches; an index loop, not an iterator, to stay allocation-free. */
    public static boolean anyMatches(java.util.List<String> patterns, String text) {
        for (int i = 0; i < patterns.size(); i++) {
            if (matches(patterns.get(i), text)) {
                return true;
            }
        }
        return false;
    }

    /** Include/exclude: an empty include list includes all; exclude wins. */
    public static boolean admits(java.util.List<String> include, java.util.List<String> exclude, String text) {
        return (include.isEmpty() || anyMatches(include, text)) && !anyMatches(exclude, text);
    }
}
