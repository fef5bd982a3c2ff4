package dev.ordersaga.messaging.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

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

    /**
     * @param secret the secret, if configured
     * @param required whether the service cannot work without it (api and worker: they call each
     *        other); a service that only guards admin endpoints with it refuses every such call when absent
     */
    public InternalSecret(@ConfigProperty(name = "internal.secret") Optional<String> secret,
            @ConfigProperty(name = "internal.secret-required", defaultValue = "true") boolean required) {
        if (secret.filter(s -> !s.isBlank()).isEmpty()) {
            if (required) {
                throw new IllegalStateException("INTERNAL_SECRET must be set and not blank");
            }
            this.bearer = null;
            this.expected = null;
            return;
        }
        this.bearer = "Bearer " + secret.get();
        this.expected = bearer.getBytes(StandardCharsets.UTF_8);
    }

    /** The value of the {@code Authorization} header that proves knowledge of the secret. */
    public String bearer() {
        if (bearer == null) {
            throw new IllegalStateException("INTERNAL_SECRET is not set");
        }
        return bearer;
    }

    /** Whether an {@code Authorization} header value proves the secret; compared in constant time. */
    public boolean accepts(String authorization) {
        if (authorization == null || expected == null) {
            return false;
        }
        return MessageDigest.isEqual(authorization.getBytes(StandardCharsets.UTF_8), expected);
    }
}
