package dev.ordersaga.gateway.context;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.assertj.core.api.ThrowableAssert;
import org.junit.jupiter.api.Test;

import dev.ordersaga.gateway.causality.VersionVector;
import dev.ordersaga.http.signing.InvalidSignatureException;
import dev.ordersaga.http.signing.InvalidSignatureException.Reason;
import dev.ordersaga.http.signing.SigningKeys;

class ContextSignerTest {

    private final ContextSigner signer = new ContextSigner(
            SigningKeys.parse("GATEWAY_CONTEXT_KEYS", "k2=second-context-key-0123,k1=first-context-key-01234"));
    private final VersionVector vector = VersionVector.of(Map.of("node-a", 12L, "node-b", 3L));

    @Test
    void aSignedContextVerifiesForItsKey() {
        String header = signer.sign("orders:1", vector);
        assertThat(header).startsWith("k2.");
        assertThat(signer.verify("orders:1", header)).isEqualTo(vector);
        assertThat(signer.verify("orders:1", null)).isEqualTo(VersionVector.empty());
    }

    @Test
    void aContextOfAnotherKeyIsForged() {
        String header = signer.sign("orders:1", vector);
        assertReason(() -> signer.verify("orders:2", header), Reason.FORGED);
    }

    @Test
    void anAlteredContextIsForged() {
        String header = signer.sign("k", vector);
        int first = header.indexOf('.');
        int last = header.lastIndexOf('.');
        byte[] payload = Base64.getUrlDecoder().decode(header.substring(first + 1, last));
        payload[payload.length - 1]++;
        String altered = header.substring(0, first + 1) + Base64.getUrlEncoder().withoutPadding().encodeToString(payload)
                + header.substring(last);
        assertReason(() -> signer.verify("k", altered), Reason.FORGED);
    }

    @Test
    void truncatedOrUnsignedContextsAreMalformed() {
        String header = signer.sign("k", vector);
        assertReason(() -> signer.verify("k", header.substring(0, header.length() - 3)), Reason.MALFORMED);
        assertReason(() -> signer.verify("k", header.substring(0, header.lastIndexOf('.'))), Reason.MALFORMED);
        String json = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"gw-x\":[1000000000000000,0]}".getBytes());
        assertReason(() -> signer.verify("k", json), Reason.MALFORMED);
        assertReason(() -> signer.verify("k", "k2." + json + ".AAAA"), Reason.MALFORMED);
        assertReason(() -> signer.verify("k", "x".repeat(ContextSigner.MAX_LENGTH + 1)), Reason.MALFORMED);
    }

    @Test
    void aContextSignedWithARetiredKeyIsRefusedAndOneSignedWithAnOlderHeldKeyVerifies() {
        var retired = new ContextSigner(SigningKeys.parse("GATEWAY_CONTEXT_KEYS", "k0=retired-context-key-0123"));
        assertReason(() -> signer.verify("k", retired.sign("k", vector)), Reason.UNKNOWN_KEY);
        var older = new ContextSigner(SigningKeys.parse("GATEWAY_CONTEXT_KEYS", "k1=first-context-key-01234"));
        assertThat(signer.verify("k", older.sign("k", vector))).isEqualTo(vector);
    }

    @Test
    void aContextSignedWithAnotherSecretUnderAKnownKeyIdIsForged() {
        var impostor = new ContextSigner(SigningKeys.parse("GATEWAY_CONTEXT_KEYS", "k2=not-the-real-secret-0000"));
        assertReason(() -> signer.verify("k", impostor.sign("k", vector)), Reason.FORGED);
    }

    @Test
    void aContextPastItsBoundNamesLessNeverMore() {
        Map<String, Long> many = new HashMap<>();
        for (int i = 0; i < ContextSigner.MAX_ENTRIES + 10; i++) {
            many.put("node-" + i, (long) i + 1);
        }
        VersionVector full = VersionVector.of(many);
        VersionVector signed = signer.verify("k", signer.sign("k", full));
        assertThat(signed.size()).isEqualTo(ContextSigner.MAX_ENTRIES);
        assertThat(full.descends(signed)).isTrue();
        assertThat(signed.get("node-" + (ContextSigner.MAX_ENTRIES + 9))).isEqualTo(ContextSigner.MAX_ENTRIES + 10);
    }

    /** Threads signing and verifying at once (each works on its own copy of the keyed MAC) agree with one thread alone. */
    @Test
    void signaturesMadeOnManyThreadsAtOnceAreTheOnesOneThreadMakes() throws Exception {
        Map<String, String> expected = new HashMap<>();
        for (int i = 0; i < 200; i++) {
            expected.put("key-" + i, signer.sign("key-" + i, vector));
        }
        var pool = Executors.newFixedThreadPool(8);
        try {
            var rounds = new ArrayList<Future<Boolean>>();
            for (int t = 0; t < 8; t++) {
                rounds.add(pool.submit(() -> {
                    for (int round = 0; round < 50; round++) {
                        for (var e : expected.entrySet()) {
                            if (!signer.sign(e.getKey(), vector).equals(e.getValue())
                                    || !signer.verify(e.getKey(), e.getValue()).equals(vector)) {
                                return false;
                            }
                        }
                    }
                    return true;
                }));
            }
            for (var r : rounds) {
                assertThat(r.get(60, TimeUnit.SECONDS)).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static void assertReason(ThrowableAssert.ThrowingCallable call, Reason reason) {
        assertThatThrownBy(call).isInstanceOfSatisfying(InvalidSignatureException.class,
                e -> assertThat(e.reason()).isEqualTo(reason));
    }
}
