package dev.ordersaga.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The shared secret of service-to-service calls and admin endpoints ({@code INTERNAL_SECRET}, property
 * {@code internal.secret}). No default outside the dev and test profiles: every service checks it at
 * start-up ({@link #acceptable}) and refuses to start without it.
 */
@ApplicationScoped
public class InternalSecret {

    /** Shortest secret accepted. */
    public static final int MIN_LENGTH = 16;

    private final byte[] expected;
    private final String bearer;

    public InternalSecret(@ConfigProperty(name = "internal.secret") Optional<String> secret) {
        if (!acceptable(secret)) {
            throw new IllegalStateException("INTERNAL_SECRET must be set, at least " + MIN_LENGTH + " characters");
        }
        this.bearer = "Bearer " + secret.get().trim();
        this.expected = bearer.getBytes(StandardCharsets.UTF_8);
    }

    /** Whether a configured secret can be used. */
    public static boolean acceptable(Optional<String> secret) {
        return secret.map(String::trim).filter(s -> s.length() >= MIN_LENGTH).isPresent();
    }

    /** The value of the {@code Authorization} header that proves knowledge of the secret. */
    public String bearer() {
        return bearer;
    }

    /** Whether an {@code Authorization} header value proves the secret; compared in constant time. */
    public boolean accepts(String authorization) {
        if (authorization == null) {
            return false;
        }
        return MessageDigest.isEqual(authorization.getBytes(StandardCharsets.UTF_8), expected);
    }
}
