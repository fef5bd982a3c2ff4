package dev.ordersaga.api;

import java.util.Optional;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.runtime.StartupEvent;

import dev.ordersaga.api.auth.VerifiedTokenCache;
import dev.ordersaga.api.replica.ReplicaConfig;
import dev.ordersaga.api.saga.WorkerClientConfig;
import dev.ordersaga.api.session.SessionConfig;
import dev.ordersaga.http.InternalSecret;
import dev.ordersaga.http.config.ConfigCheck;
import dev.ordersaga.http.config.Durations;
import dev.ordersaga.http.config.Urls;
import dev.ordersaga.http.signing.SigningKeys;

/**
 * Checks every setting of the api when it starts, before it reports ready: a missing secret, a key
 * that does not parse, a peer URL that is not one, a value out of range. Each problem is one log
 * line naming the variable, the value (never a secret's) and the rule; the api then exits.
 */
@ApplicationScoped
public class StartupCheck {

    /**
     * Most orders a replica list may keep: an order of 50 lines with 64-character skus is about 4.8 KB
     * of JSON, so about 216 fit the gateway's 1 MiB value limit; 200 leaves room.
     */
    static final int MAX_LIST = 200;

    /** A whole number of seconds, or -1 when it is not one. */
    private static long seconds(String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event, SessionConfig session, WorkerClientConfig worker, ReplicaConfig replica,
            @ConfigProperty(name = "gateway.url") String gatewayUrl,
            @ConfigProperty(name = "internal.secret") Optional<String> secret,
            @ConfigProperty(name = "quarkus.datasource.password") Optional<String> dbPassword,
            @ConfigProperty(name = "mp.jwt.verify.publickey.location") Optional<String> jwtKeyLocation,
            @ConfigProperty(name = "mp.jwt.verify.publickey") Optional<String> jwtKey,
            @ConfigProperty(name = "mp.jwt.verify.clock.skew", defaultValue = "60") String clockSkew,
            @ConfigProperty(name = "smallrye.jwt.time-to-live", defaultValue = "86400") String timeToLive,
            @ConfigProperty(name = "jwt.cache.max-entries", defaultValue = "4096") String jwtCacheEntries,
            @ConfigProperty(name = "jwt.cache.max-age", defaultValue = "60s") String jwtCacheAge) {
        ConfigCheck check = new ConfigCheck("api");
        check.requireSecret(InternalSecret.acceptable(secret), "INTERNAL_SECRET",
                "must be set, at least " + InternalSecret.MIN_LENGTH + " characters");
        check.requireSecret(dbPassword.filter(p -> !p.isBlank()).isPresent(), "QUARKUS_DATASOURCE_PASSWORD", "must be set");
        check.attempt(() -> SigningKeys.parse("SESSION_TOKEN_KEYS", session.tokenKeys().orElse(null)));
        check.require(jwtKeyLocation.filter(v -> !v.isBlank() && !"NONE".equals(v)).isPresent()
                || jwtKey.filter(v -> !v.isBlank() && !"NONE".equals(v)).isPresent(),
                "MP_JWT_VERIFY_PUBLICKEY_LOCATION", jwtKeyLocation.orElse("(unset)"),
                "customers' tokens need a verification key: set it (a PEM file or JWKS URL) or MP_JWT_VERIFY_PUBLICKEY");
        check.require(!session.tokenTtl().isNegative() && !session.tokenTtl().isZero(), "SESSION_TOKEN_TTL",
                session.tokenTtl(), "must be a positive duration");
        check.require(Urls.http(worker.url()), "WORKER_URL", worker.url(), "must be an http(s)://host[:port] URL");
        check.require(Urls.http(gatewayUrl), "GATEWAY_URL", gatewayUrl, "must be an http(s)://host[:port] URL");
        check.require(replica.lagMs() >= 0, "REPLICA_LAG_MS", replica.lagMs(), "must be at least 0");
        check.require(replica.lagJitterMs() >= 0, "REPLICA_LAG_JITTER_MS", replica.lagJitterMs(), "must be at least 0");
        check.require(replica.listMax() >= 1 && replica.listMax() <= MAX_LIST, "REPLICA_LIST_MAX", replica.listMax(),
                "must be between 1 and " + MAX_LIST + " (a list of more orders of the largest size would not fit the gateway's 1 MiB value)");
        check.require(replica.batchMax() >= 1 && replica.batchMax() <= 1000, "REPLICA_BATCH_MAX", replica.batchMax(),
                "must be between 1 and 1000");
        check.require(replica.client().retries() <= 10, "REPLICA_CLIENT_RETRIES", replica.client().retries(),
                "must be between 0 and 10");
        jwtKey.filter(v -> !v.isBlank() && !"NONE".equals(v)).ifPresent(key -> check.require(JwtKeys.parses(key), "MP_JWT_VERIFY_PUBLICKEY",
                "(a key, " + key.length() + " characters)", "must be an RSA public key: PEM, or one line of base64 DER"));
        jwtKeyLocation.filter(v -> !v.isBlank() && !"NONE".equals(v))
                .ifPresent(location -> check.attempt(() -> JwtKeys.checkLocation(location)));
        check.require(seconds(clockSkew) >= 0 && seconds(clockSkew) <= 600, "MP_JWT_VERIFY_CLOCK_SKEW", clockSkew,
                "must be a whole number of seconds from 0 to 600");
        check.require(seconds(timeToLive) >= 1, "SMALLRYE_JWT_TIME_TO_LIVE", timeToLive, "must be a whole number of seconds, at least 1");
        check.require(VerifiedTokenCache.maxEntries(jwtCacheEntries) >= 0, "JWT_CACHE_MAX_ENTRIES", jwtCacheEntries,
                "must be a whole number from 0 (no cache) to " + VerifiedTokenCache.MOST_ENTRIES);
        check.attempt(() -> Durations.positive("JWT_CACHE_MAX_AGE", jwtCacheAge));
        check.require(replica.readTimeoutMs() >= 1, "REPLICA_READ_TIMEOUT_MS", replica.readTimeoutMs(), "must be at least 1");
        check.require(!replica.reconcileEvery().isNegative() && !replica.reconcileEvery().isZero(), "REPLICA_RECONCILE_EVERY",
                replica.reconcileEvery(), "must be a positive duration");
        check.orFail();
    }
}
