package io.infermon.anodot;

/**
 * Anodot's rules for 2.0 metric names, in one place. A 2.0 metric's name is its properties joined as
 * {@code key=value.key=value}, which is why {@code .} and {@code =} may not appear in keys or values; spaces are not
 * allowed either. See docs/anodot.md.
 */
public final class AnodotRules {
    public static final int MAX_PROPERTIES = 20;
    public static final int MAX_KEY_LENGTH = 50;
    public static final int MAX_VALUE_LENGTH = 150;
    public static final int MAX_TAGS = 40;
    /** Anodot refuses samples stamped more than an hour ahead of its clock. */
    public static final long MAX_FUTURE_SECONDS = 3600;

    private AnodotRules() {
    }

    /** Replaces {@code .}, {@code =} and white space with {@code _} and cuts the result to {@code maxLength}. */
    public static String sanitize(String raw, int maxLength) {
        int n = Math.min(raw.length(), maxLength);
        StringBuilder out = null;
        for (int i = 0; i < n; i++) {
            char c = raw.charAt(i);
            boolean bad = c == '.' || c == '=' || Character.isWhitespace(c) || Character.isSpaceChar(c);
            if (bad && out == null) {
                out = new StringBuilder(n).append(raw, 0, i);
            }
            if (out != null) {
                out.append(bad ? '_' : c);
            }
        }
        if (out != null) {
            return out.toString();
        }
        return n == raw.length() ? raw : raw.substring(0, n);
    }

    public static String sanitizeKey(String key) {
        return sanitize(key, MAX_KEY_LENGTH);
    }

    public static String sanitizeValue(String value) {
        return sanitize(value, MAX_VALUE_LENGTH);
    }
}
