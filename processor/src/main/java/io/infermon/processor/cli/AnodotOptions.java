package io.infermon.processor.cli;

import io.infermon.anodot.delivery.AnodotToken;
import io.infermon.anodot.delivery.SenderConfig;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * Where and how to reach Anodot, shared by {@code run} and {@code send}. The token is never an option (it would be
 * in the shell history and in {@code ps}): it comes from {@code INFERMON_ANODOT_TOKEN} or a file.
 */
public final class AnodotOptions {
    static final String URL_ENV = "INFERMON_ANODOT_URL";
    static final String TOKEN_ENV = "INFERMON_ANODOT_TOKEN";

    @Option(names = "--anodot-url", paramLabel = "URL",
            description = "Anodot's API root, e.g. https://api.anodot.com (else $" + URL_ENV + ").")
    String url;

    @Option(names = "--anodot-token-file", paramLabel = "FILE",
            description = "A file holding the Anodot data-collection token (else $" + TOKEN_ENV + ").")
    Path tokenFile;

    @Option(names = "--anodot-batch-size", defaultValue = "1000", paramLabel = "N",
            description = "Metrics per request, at most 10000. Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--anodot-rate", defaultValue = "5", paramLabel = "PER_SECOND",
            description = "At most this many requests a second. Default: ${DEFAULT-VALUE}.")
    double rate;

    @Option(names = "--anodot-timeout", defaultValue = "30s", converter = DurationConverter.class,
            description = "Time-out of one request. Default: ${DEFAULT-VALUE}.")
    Duration timeout;

    @Option(names = "--anodot-backoff", defaultValue = "1s", converter = DurationConverter.class,
            description = "First wait after a failed request; doubles per failure. Default: ${DEFAULT-VALUE}.")
    Duration backoff;

    @Option(names = "--anodot-backoff-max", defaultValue = "5m", converter = DurationConverter.class,
            description = "Longest wait between retries. Default: ${DEFAULT-VALUE}.")
    Duration backoffMax;

    /** The URL given by option or environment, if any: delivery is on exactly when there is one. */
    Optional<String> url() {
        String u = url != null ? url : System.getenv(URL_ENV);
        return u == null || u.isBlank() ? Optional.empty() : Optional.of(u.strip());
    }

    /** The sender's configuration; a clear message (never the token) when something is missing or wrong. */
    SenderConfig config(CommandLine cmd) {
        String u = url().orElseThrow(() -> new CommandLine.ParameterException(cmd,
                "no Anodot URL: give --anodot-url or set " + URL_ENV));
        AnodotToken token = token(cmd);
        URI uri;
        try {
            uri = new URI(u);
        } catch (URISyntaxException e) {
            throw new CommandLine.ParameterException(cmd, "the Anodot URL is not a URL: " + token.redact(u));
        }
        try {
            return SenderConfig.defaults(uri, token).withBatchSize(batchSize).withRequestsPerSecond(rate)
                    .withTimeouts(Duration.ofSeconds(10).compareTo(timeout) < 0 ? Duration.ofSeconds(10) : timeout,
                            timeout)
                    .withBackoff(backoff, backoffMax.compareTo(backoff) < 0 ? backoff : backoffMax);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cmd, token.redact(e.getMessage()));
        }
    }

    private AnodotToken token(CommandLine cmd) {
        String raw;
        if (tokenFile != null) {
            try {
                raw = Files.readString(tokenFile, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new CommandLine.ParameterException(cmd, "cannot read the Anodot token file " + tokenFile
                        + ": " + e.getClass().getSimpleName());
            }
            warnIfOthersCanRead(tokenFile);
        } else {
            raw = System.getenv(TOKEN_ENV);
            if (raw == null) {
                throw new CommandLine.ParameterException(cmd, "no Anodot token: set " + TOKEN_ENV
                        + " or give --anodot-token-file FILE");
            }
        }
        try {
            return AnodotToken.of(raw);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cmd, e.getMessage()
                    + (tokenFile != null ? " (file " + tokenFile + ")" : " ($" + TOKEN_ENV + ")"));
        }
    }

    private static void warnIfOthersCanRead(Path file) {
        try {
            Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
            if (p.contains(PosixFilePermission.GROUP_READ) || p.contains(PosixFilePermission.OTHERS_READ)) {
                System.err.println("infermon: warning: the Anodot token file " + file
                        + " can be read by others; chmod 600 it");
            }
        } catch (IOException | UnsupportedOperationException e) {
            // not a POSIX file system: nothing to check
        }
    }
}
