package dev.ordersaga.api.auth;

import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import javax.crypto.SecretKey;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.jwt.JsonWebToken;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;

import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;

import dev.ordersaga.http.config.Durations;

/**
 * Customers' bearer tokens, verified once and then remembered: a client sends the same token with
 * every request of its session, and checking its RS256 signature again each time was the largest
 * single cost of a read. The token MicroProfile JWT verifies (signature, issuer, audience, clock,
 * lifetime) is kept, keyed by its exact text, for at most {@code JWT_CACHE_MAX_AGE} (60 s) and never
 * past its own {@code exp}: a token that has expired is verified again on each use (the clock leeway
 * is the verifier's to grant), and a token that failed verification is never kept. At most
 * {@code JWT_CACHE_MAX_ENTRIES} tokens (0 turns the cache off) of at most {@value #MAX_TOKEN_CHARS}
 * characters; a longer one is verified on every request. Every other use of the parser goes
 * straight to smallrye-jwt's own.
 */
@Alternative
@Priority(1)
@ApplicationScoped
public class VerifiedTokenCache implements JWTParser {

    static final int MAX_TOKEN_CHARS = 4096;
    /** The most tokens {@code JWT_CACHE_MAX_ENTRIES} may ask to remember. */
    public static final int MOST_ENTRIES = 1_000_000;

    private final DefaultJWTParser verifier;
    private final Cache<String, JsonWebToken> verified;

    /** The api's cache: {@code JWT_CACHE_MAX_ENTRIES} and {@code JWT_CACHE_MAX_AGE} (checked at start-up by StartupCheck). */
    @Inject
    public VerifiedTokenCache(DefaultJWTParser verifier,
            @ConfigProperty(name = "jwt.cache.max-entries", defaultValue = "4096") String maxEntries,
            @ConfigProperty(name = "jwt.cache.max-age", defaultValue = "60s") String maxAge) {
        this(verifier, maxEntries(maxEntries), Durations.positive("JWT_CACHE_MAX_AGE", maxAge));
    }

    /** {@code JWT_CACHE_MAX_ENTRIES} as a number of tokens: a whole number from 0 to {@value #MOST_ENTRIES}, or -1. */
    public static int maxEntries(String value) {
        try {
            int n = Integer.parseInt(value.trim());
            return n >= 0 && n <= MOST_ENTRIES ? n : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    VerifiedTokenCache(DefaultJWTParser verifier, int maxEntries, Duration maxAge) {
        this.verifier = verifier;
        long maxAgeNanos = maxAge.toNanos();
        this.verified = maxEntries <= 0 || maxAgeNanos <= 0 ? null
                : Caffeine.newBuilder().maximumSize(maxEntries).expireAfter(new Expiry<String, JsonWebToken>() {
                    @Override
                    public long expireAfterCreate(String token, JsonWebToken jwt, long now) {
                        return Math.min(maxAgeNanos, nanosLeft(jwt));
                    }

                    @Override
                    public long expireAfterUpdate(String token, JsonWebToken jwt, long now, long current) {
                        return expireAfterCreate(token, jwt, now);
                    }

                    @Override
                    public long expireAfterRead(String token, JsonWebToken jwt, long now, long current) {
                        return current;
                    }
                }).build();
    }

    /** Time until the token's {@code exp}, never negative. */
    private static long nanosLeft(JsonWebToken jwt) {
        long left = TimeUnit.SECONDS.toNanos(jwt.getExpirationTime()) - TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis());
        return Math.max(0, left);
    }

    @Override
    public JsonWebToken parse(String token) throws ParseException {
        if (verified == null || token == null || token.length() > MAX_TOKEN_CHARS) {
            return verifier.parse(token);
        }
        JsonWebToken known = verified.getIfPresent(token);
        if (known != null && nanosLeft(known) > 0) {
            return known;
        }
        JsonWebToken jwt = verifier.parse(token);
        if (nanosLeft(jwt) > 0) {
            verified.put(token, jwt);
        }
        return jwt;
    }

    @Override
    public JsonWebToken parse(String token, JWTAuthContextInfo context) throws ParseException {
        return verifier.parse(token, context);
    }

    @Override
    public JsonWebToken verify(String token, PublicKey key) throws ParseException {
        return verifier.verify(token, key);
    }

    @Override
    public JsonWebToken verify(String token, SecretKey key) throws ParseException {
        return verifier.verify(token, key);
    }

    @Override
    public JsonWebToken verify(String token, String secret) throws ParseException {
        return verifier.verify(token, secret);
    }

    @Override
    public JsonWebToken decrypt(String token, PrivateKey key) throws ParseException {
        return verifier.decrypt(token, key);
    }

    @Override
    public JsonWebToken decrypt(String token, SecretKey key) throws ParseException {
        return verifier.decrypt(token, key);
    }

    @Override
    public JsonWebToken decrypt(String token, String secret) throws ParseException {
        return verifier.decrypt(token, secret);
    }

    @Override
    public JsonWebToken parseOnly(String token) throws ParseException {
        return verifier.parseOnly(token);
    }
}
