package dev.ordersaga.api.session;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Session tokens (SESSION_TOKEN_...). */
@ConfigMapping(prefix = "session")
public interface SessionConfig {

    /** {@code SESSION_TOKEN_KEYS}: comma-separated kid=secret; the first signs, all verify. Required outside dev/test. */
    Optional<String> tokenKeys();

    /** {@code SESSION_TOKEN_TTL}: a token's lifetime; every response renews it. */
    @WithDefault("24h")
    Duration tokenTtl();
}
