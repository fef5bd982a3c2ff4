package dev.ordersaga.api.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.ordersaga.api.session.SessionTokenException.Reason;
import dev.ordersaga.http.signing.SigningKeys;

class SessionTokenCodecTest {

    private static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");
    private final SessionTokenCodec codec = new SessionTokenCodec(
            SigningKeys.parse("SESSION_TOKEN_KEYS", "k2=second-secret-0123456789,k1=first-secret-0123456789"), Duration.ofHours(1));

    @Test
    void roundTripsWhatTheSessionSaw() {
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        SessionState s = SessionState.fresh().sawOrder(a, 3, "alice", 7).sawOrder(b, 1, "bob", 2).sawCustomer("alice", 9);
        SessionState back = codec.decode(codec.encode(s, NOW, "s"), NOW.plusSeconds(60), "s");
        assertThat(back).isEqualTo(s);
        assertThat(back.minOrderVersion(a)).hasValue(3);
        assertThat(back.minCustomerVersion("alice")).isEqualTo(9);
        assertThat(back.minCustomerVersion("carol")).isZero();
        assertThat(codec.encode(s, NOW, "s")).startsWith("k2.");
    }

    @Test
    void aListShownRaisesTheBarForEveryOrderOfItsCustomer() {
        UUID a = UUID.randomUUID();
        SessionState s = SessionState.fresh().sawOrder(a, 1, "alice", 1);
        assertThat(s.minListVersion("alice")).isZero();
        s.sawList("alice", 5);
        assertThat(s.minListVersion("alice")).isEqualTo(5);
        assertThat(s.minCustomerVersion("alice")).isEqualTo(5);
        s.sawOrder(a, 2, "alice", 7);
        assertThat(s.minListVersion("alice")).isEqualTo(5);
        assertThat(s.minCustomerVersion("alice")).isEqualTo(7);
        assertThat(codec.decode(codec.encode(s, NOW, "s"), NOW, "s")).isEqualTo(s);
    }

    @Test
    void versionsOnlyGrow() {
        UUID a = UUID.randomUUID();
        SessionState s = SessionState.fresh().sawOrder(a, 5, "alice", 8).sawOrder(a, 2, "alice", 3);
        assertThat(s.minOrderVersion(a)).hasValue(5);
        assertThat(s.minCustomerVersion("alice")).isEqualTo(8);
    }

    @Test
    void staysBoundedHoweverLongTheSessionLives() {
        SessionState s = SessionState.fresh();
        for (int i = 0; i < 10_000; i++) {
            s.sawOrder(UUID.randomUUID(), Long.MAX_VALUE - i, "customer-with-a-rather-long-identifier-" + i, Long.MAX_VALUE);
        }
        String token = codec.encode(s, NOW, "s");
        assertThat(token.length()).isLessThanOrEqualTo(SessionTokenCodec.MAX_TOKEN_LENGTH).isLessThan(1024);
        SessionState back = codec.decode(token, NOW, "s");
        assertThat(back.overflowed()).isTrue();
        assertThat(back.minCustomerVersion("someone-never-seen")).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void anOrderThatFallsOutIsStillCoveredByItsCustomer() {
        UUID first = UUID.randomUUID();
        SessionState s = SessionState.fresh().sawOrder(first, 4, "alice", 10);
        for (int i = 0; i < SessionState.MAX_ORDERS; i++) {
            s.sawOrder(UUID.randomUUID(), 1, "alice", 11 + i);
        }
        assertThat(s.minOrderVersion(first)).isEmpty();
        assertThat(s.minCustomerVersion("alice")).isGreaterThanOrEqualTo(10);
        assertThat(s.overflowed()).isFalse();
    }

    @Test
    void oldKeysStillVerifyAfterRotation() {
        var old = new SessionTokenCodec(SigningKeys.parse("SESSION_TOKEN_KEYS", "k1=first-secret-0123456789"), Duration.ofHours(1));
        String token = old.encode(SessionState.fresh().sawCustomer("alice", 1), NOW, "s");
        assertThat(codec.decode(token, NOW, "s").minCustomerVersion("alice")).isEqualTo(1);
    }

    @Test
    void refusesForgedTruncatedExpiredAndUnknownKeyTokens() {
        String token = codec.encode(SessionState.fresh().sawCustomer("alice", 1), NOW, "s");
        int last = token.lastIndexOf('.');
        String payload = token.substring(token.indexOf('.') + 1, last);
        byte[] raw = Base64.getUrlDecoder().decode(payload);
        raw[raw.length - 1] ^= 1;
        String tampered = "k2." + Base64.getUrlEncoder().withoutPadding().encodeToString(raw) + token.substring(last);
        assertReason(tampered, NOW, Reason.FORGED);
        assertReason(token.substring(0, token.length() - 5), NOW, Reason.MALFORMED);
        assertReason(token.substring(0, last), NOW, Reason.MALFORMED);
        assertReason("k2", NOW, Reason.MALFORMED);
        assertReason("k2.!!!." + token.substring(last + 1), NOW, Reason.MALFORMED);
        assertReason(token, NOW.plus(Duration.ofHours(2)), Reason.EXPIRED);
        assertReason("k9" + token.substring(2), NOW, Reason.UNKNOWN_KEY);
        var other = new SessionTokenCodec(SigningKeys.parse("SESSION_TOKEN_KEYS", "k2=some-other-secret-0123456"), Duration.ofHours(1));
        assertReason(other.encode(SessionState.fresh(), NOW, "s"), NOW, Reason.FORGED);
        assertReason("x".repeat(5000), NOW, Reason.MALFORMED);
    }

    @Test
    void onlyTheCanonicalEncodingOfTheSignatureVerifies() {
        String token = codec.encode(SessionState.fresh(), NOW, "s");
        // 32 bytes take 43 base64url characters; the last one carries 4 bits and 2 unused ones.
        // Setting an unused bit decodes to the same bytes: such a token must still be refused.
        char last = token.charAt(token.length() - 1);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        char twin = alphabet.charAt(alphabet.indexOf(last) | 1);
        assertThat(twin).isNotEqualTo(last);
        String malleated = token.substring(0, token.length() - 1) + twin;
        assertThat(Base64.getUrlDecoder().decode(malleated.substring(malleated.lastIndexOf('.') + 1)))
                .isEqualTo(Base64.getUrlDecoder().decode(token.substring(token.lastIndexOf('.') + 1)));
        assertReason(malleated, NOW, Reason.MALFORMED);
        assertThat(codec.decode(token, NOW, "s")).isNotNull();
    }

    @Test
    void aTokenIsBoundToItsCallerAndAnotherCallerCannotPresentIt() {
        String token = codec.encode(SessionState.fresh().sawCustomer("alice", 3), NOW, "alice");
        assertThat(codec.decode(token, NOW, "alice").minCustomerVersion("alice")).isEqualTo(3);
        assertThatThrownBy(() -> codec.decode(token, NOW, "mallory"))
                .isInstanceOfSatisfying(SessionTokenException.class, e -> assertThat(e.reason()).isEqualTo(Reason.FORGED));
    }

    @Test
    void keysAreValidated() {
        assertThatThrownBy(() -> SigningKeys.parse("SESSION_TOKEN_KEYS", "")).hasMessageContaining("SESSION_TOKEN_KEYS");
        assertThatThrownBy(() -> SigningKeys.parse("SESSION_TOKEN_KEYS", "k1=short")).hasMessageContaining("shorter");
        assertThatThrownBy(() -> SigningKeys.parse("SESSION_TOKEN_KEYS", "k1=first-secret-0123456789,k1=again-secret-0123456789"))
                .hasMessageContaining("twice");
        assertThatThrownBy(() -> SigningKeys.parse("SESSION_TOKEN_KEYS", "bad kid=first-secret-0123456789")).hasMessageContaining("key id");
        assertThatThrownBy(() -> SigningKeys.parse("SESSION_TOKEN_KEYS", "nokey")).hasMessageContaining("kid=secret");
    }

    private void assertReason(String token, Instant now, Reason reason) {
        assertThatThrownBy(() -> codec.decode(token, now, "s"))
                .isInstanceOfSatisfying(SessionTokenException.class, e -> assertThat(e.reason()).isEqualTo(reason));
    }
}
