package io.infermon.processor.dashboard;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the dashboard listens and who may read it. Bound to a loopback address by default; any other address needs
 * a bearer token, read from a file so that it never appears on a command line, in a process list or in a log.
 *
 * @param bind      the address to listen on
 * @param port      the port; 0 picks a free one
 * @param token     the bearer token clients must send, or null for none (loopback only)
 */
public record DashboardSettings(InetAddress bind, int port, Token token) {
    public static final int DEFAULT_PORT = 8686;
    public static final String DEFAULT_BIND = "127.0.0.1";

    /** A bearer token; its {@code toString} never shows the secret. */
    public static final class Token {
        private final byte[] secret;

        Token(String secret) {
            this.secret = secret.getBytes(StandardCharsets.UTF_8);
        }

        /** Compares in time independent of where the two differ. */
        boolean matches(String presented) {
            return presented != null && java.security.MessageDigest.isEqual(secret,
                    presented.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String toString() {
            return "Token[redacted]";
        }
    }

    /**
     * Checks and reads the settings.
     *
     * @throws IllegalArgumentException with a message for the user: an unknown address, a non-loopback address
     *                                  without a token file, a token file that cannot be read or is empty
     */
    public static DashboardSettings of(String bind, int port, Path tokenFile) {
        return of(bind, port, tokenFile, "--dashboard-token-file");
    }

    /** @param tokenOption the token file's option, named in the message of a refusal */
    public static DashboardSettings of(String bind, int port, Path tokenFile, String tokenOption) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("dashboard port " + port + " is not between 0 and 65535");
        }
        InetAddress address;
        try {
            address = InetAddress.getByName(bind);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("dashboard bind address '" + bind + "' is not an address of this "
                    + "machine's network");
        }
        Token token = null;
        if (tokenFile != null) {
            String secret;
            try {
                secret = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read the dashboard token file " + tokenFile + ": "
                        + e.getClass().getSimpleName());
            }
            if (secret.isEmpty()) {
                throw new IllegalArgumentException("the dashboard token file " + tokenFile + " is empty");
            }
            token = new Token(secret);
        }
        if (!address.isLoopbackAddress() && token == null) {
            throw new IllegalArgumentException("refusing to serve the dashboard on " + bind + ": it is not a "
                    + "loopback address, so anyone who can reach this machine could read your models' metrics. "
                    + "Give " + tokenOption + " FILE (clients then send 'Authorization: Bearer <token>'), "
                    + "or bind to 127.0.0.1 and reach it through an SSH tunnel.");
        }
        return new DashboardSettings(address, port, token);
    }
}
