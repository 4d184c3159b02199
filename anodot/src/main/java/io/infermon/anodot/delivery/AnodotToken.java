package io.infermon.anodot.delivery;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * An Anodot data-collection token. It goes into the request URL and nowhere else: {@link #toString()} never shows
 * it, and {@link #redact} takes it out of any text (an exception message, a response body, a URL) before that text
 * is logged, thrown or written.
 */
public final class AnodotToken {
    static final String MASK = "***";

    private final String value;
    private final String urlEncoded;

    private AnodotToken(String value) {
        this.value = value;
        this.urlEncoded = URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** @throws IllegalArgumentException when the token is blank (the message does not repeat it) */
    public static AnodotToken of(String value) {
        String v = Objects.requireNonNull(value, "token").strip();
        if (v.isEmpty()) {
            throw new IllegalArgumentException("the Anodot token is empty");
        }
        return new AnodotToken(v);
    }

    /** The token as it goes into the query string. Only the HTTP client calls this. */
    String urlEncoded() {
        return urlEncoded;
    }

    /** {@code text} with every occurrence of the token, plain or URL-encoded, replaced by {@code ***}. */
    public String redact(String text) {
        if (text == null) {
            return null;
        }
        String out = text.replace(value, MASK);
        return urlEncoded.equals(value) ? out : out.replace(urlEncoded, MASK);
    }

    @Override
    public String toString() {
        return MASK;
    }
}
