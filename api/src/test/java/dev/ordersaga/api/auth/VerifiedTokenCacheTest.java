package dev.ordersaga.api.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Set;

import org.eclipse.microprofile.jwt.JsonWebToken;
import org.junit.jupiter.api.Test;

import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.ParseException;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.util.KeyUtils;

import dev.ordersaga.api.Callers;

/**
 * The cache of verified bearer tokens remembers a good token, never past its {@code exp}, and never
 * remembers a refused one. A remembered token is the very object its first verification returned, so
 * a new object means a new verification. Runs against smallrye-jwt's own verifier and the test key.
 */
class VerifiedTokenCacheTest {

    /** The verifier as the api configures it (issuer, audience, 60 s of clock leeway). */
    private static DefaultJWTParser verifier(int skewSeconds) throws Exception {
        JWTAuthContextInfo info = new JWTAuthContextInfo(KeyUtils.readPublicKey("test-jwt/publicKey.pem"), Callers.ISSUER);
        info.setExpectedAudience(Set.of(Callers.AUDIENCE));
        info.setClockSkew(skewSeconds);
        return new DefaultJWTParser(info);
    }

    private static String token(String subject, long issuedAt, long expiresAt) {
        return Jwt.issuer(Callers.ISSUER).audience(Callers.AUDIENCE).subject(subject).issuedAt(issuedAt)
                .expiresAt(expiresAt).sign("test-jwt/privateKey.pem");
    }

    private static long now() {
        return System.currentTimeMillis() / 1000;
    }

    @Test
    void aGoodTokenIsVerifiedOnceAndRemembered() throws Exception {
        VerifiedTokenCache cache = new VerifiedTokenCache(verifier(60), 16, Duration.ofSeconds(60));
        String token = token("remembered", now(), now() + 600);
        JsonWebToken first = cache.parse(token);
        assertThat(first.getSubject()).isEqualTo("remembered");
        assertThat(cache.parse(token)).isSameAs(first);
        // another token of the same customer is its own entry
        assertThat(cache.parse(token("remembered", now() - 1, now() + 600))).isNotSameAs(first);
    }

    @Test
    void aRememberedTokenIsVerifiedAgainOnceItsExpiryPasses() throws Exception {
        VerifiedTokenCache cache = new VerifiedTokenCache(verifier(60), 16, Duration.ofSeconds(60));
        long expiresAt = now() + 2;
        String token = token("short-lived", now(), expiresAt);
        JsonWebToken first = cache.parse(token);
        assertThat(cache.parse(token)).isSameAs(first);
        // within the 60 s of leeway the verifier still takes it, but verifies it anew: the cache does
        // not reach past exp (kept for its 60 s of max age, the same object would come back)
        long bound = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        JsonWebToken again = first;
        while (again == first && System.nanoTime() < bound) {
            Thread.sleep(20);
            again = cache.parse(token);
        }
        assertThat(again).isNotSameAs(first);
        assertThat(now()).isGreaterThanOrEqualTo(expiresAt);
        assertThat(cache.parse(token)).isNotSameAs(again);
    }

    @Test
    void aTokenPastItsExpiryIsNeverRememberedAndTheVerifierStillRefusesItPastTheLeeway() throws Exception {
        VerifiedTokenCache cache = new VerifiedTokenCache(verifier(60), 16, Duration.ofSeconds(60));
        String withinLeeway = token("late", now() - 600, now() - 20);
        assertThat(cache.parse(withinLeeway)).isNotSameAs(cache.parse(withinLeeway));
        String pastLeeway = token("late", now() - 600, now() - 90);
        assertThatThrownBy(() -> cache.parse(pastLeeway)).isInstanceOf(ParseException.class);
    }

    @Test
    void aRefusedTokenIsRefusedEveryTime() throws Exception {
        VerifiedTokenCache cache = new VerifiedTokenCache(verifier(60), 16, Duration.ofSeconds(60));
        String otherAudience = Jwt.issuer(Callers.ISSUER).audience("another-service").subject("x").issuedAt(now())
                .expiresAt(now() + 600).sign("test-jwt/privateKey.pem");
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> cache.parse(otherAudience)).isInstanceOf(ParseException.class);
        }
        String good = token("x", now(), now() + 600);
        String forged = good.substring(0, good.lastIndexOf('.') + 1) + "AAAA" + good.substring(good.lastIndexOf('.') + 5);
        cache.parse(good);
        assertThatThrownBy(() -> cache.parse(forged)).isInstanceOf(ParseException.class);
    }

    @Test
    void noEntriesMeansNoCache() throws Exception {
        VerifiedTokenCache cache = new VerifiedTokenCache(verifier(60), 0, Duration.ofSeconds(60));
        String token = token("uncached", now(), now() + 600);
        assertThat(cache.parse(token)).isNotSameAs(cache.parse(token));
    }
}
