package dev.ordersaga.gateway.context;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import dev.ordersaga.gateway.causality.VersionVector;
import dev.ordersaga.gateway.store.StateCodec;
import dev.ordersaga.http.signing.InvalidSignatureException;
import dev.ordersaga.http.signing.SigningKeys;

/**
 * {@code X-Context}: the version vector a read returned, signed (HMAC-SHA256, key id) with
 * {@code GATEWAY_CONTEXT_KEYS} and bound to the key it was read from. Opaque to clients: a context
 * that was forged, altered, cut short, signed with a key no longer held, or read from another key
 * is refused, so a write can only ever replace what its reader was shown.
 */
public final class ContextSigner {

    /** Entries a context may hold (one per node identity that ever accepted a write of the key). */
    public static final int MAX_ENTRIES = 64;
    private static final int MAX_PAYLOAD = 5 + MAX_ENTRIES * (2 + 3 + 64 + 9);
    /** Longest valid header. */
    public static final int MAX_LENGTH = SigningKeys.maxLength(MAX_PAYLOAD);

    private final SigningKeys keys;

    public ContextSigner(SigningKeys keys) {
        this.keys = keys;
    }

    /**
     * The header value for the vector read from {@code key}. A vector longer than
     * {@value #MAX_ENTRIES} entries (a key written through that many node identities, e.g. after
     * repeated wipes) is cut to the entries with the highest counters: a context that names less
     * can only make a write replace less (keep a sibling), never replace a write it did not see.
     */
    public String sign(String key, VersionVector vector) {
        return keys.sign(StateCodec.encode(bounded(vector)), key.getBytes(StandardCharsets.UTF_8));
    }

    static VersionVector bounded(VersionVector vector) {
        if (vector.size() <= MAX_ENTRIES) {
            return vector;
        }
        Map<String, Long> kept = new HashMap<>();
        vector.entries().entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(MAX_ENTRIES)
                .forEach(e -> kept.put(e.getKey(), e.getValue()));
        return VersionVector.of(kept);
    }

    /** The vector a header carries for {@code key}; empty when there is no header. */
    public VersionVector verify(String key, String header) {
        if (header == null) {
            return VersionVector.empty();
        }
        byte[] payload = keys.verify(header.trim(), key.getBytes(StandardCharsets.UTF_8), MAX_LENGTH);
        try {
            VersionVector vector = StateCodec.decodeVector(payload);
            if (vector.size() > MAX_ENTRIES) {
                throw new InvalidSignatureException(InvalidSignatureException.Reason.MALFORMED, "holds too many entries");
            }
            return vector;
        } catch (IllegalStateException e) {
            throw new InvalidSignatureException(InvalidSignatureException.Reason.MALFORMED, "payload is unreadable");
        }
    }
}
