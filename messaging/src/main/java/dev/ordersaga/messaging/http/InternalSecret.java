package dev.ordersaga.messaging.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The shared secret of service-to-service calls and admin endpoints ({@code INTERNAL_SECRET}, property
 * {@code internal.secret}). No default outside the dev and test profiles: a service refuses to start without it.
 */
@ApplicationScoped
public class InternalSecret {

    private final byte[] expected;
    private final String bearer;

    public InternalSecret(@ConfigProperty(name = "internal.secret") String secret) {
        if (secret.isBlank()) {
            throw new IllegalStateException("INTERNAL_SECRET must not be blank");
        }
        this.bearer = "Bearer " + secret;
        this.expected = bearer.getBytes(StandardCharsets.UTF_8);
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
