package dev.ordersaga.gateway.api;

import jakarta.enterprise.context.ApplicationScoped;

import dev.ordersaga.gateway.causality.VersionVector;
import dev.ordersaga.gateway.config.GatewayConfig;
import dev.ordersaga.gateway.context.ContextSigner;
import dev.ordersaga.gateway.node.Replicas;
import dev.ordersaga.http.ProblemException;
import dev.ordersaga.http.signing.InvalidSignatureException;

/**
 * What single-key and multi-key calls check alike: a key's length and characters, a value's size,
 * the signed {@code X-Context} a write carries, and the levels {@code w} and {@code r}.
 */
@ApplicationScoped
public class KvRules {

    private final GatewayConfig config;
    private final ContextSigner contexts;
    private final int replicas;

    public KvRules(GatewayConfig config, ContextSigner contexts, Replicas replicas) {
        this.config = config;
        this.contexts = contexts;
        this.replicas = replicas.size();
    }

    /** A key is 1 to {@code GATEWAY_MAX_KEY_LENGTH} characters of valid Unicode without control characters. */
    public void validKey(String key) {
        if (key == null || key.isEmpty() || key.length() > config.maxKeyLength()) {
            throw ProblemException.badRequest("invalid-key", "a key is 1 to " + config.maxKeyLength() + " characters");
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x20 || c == 0x7f || Character.isSurrogate(c) && !validSurrogate(key, i)) {
                throw ProblemException.badRequest("invalid-key", "a key holds no control characters and is valid Unicode");
            }
        }
    }

    private static boolean validSurrogate(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }

    /** A value is at most {@code GATEWAY_MAX_VALUE_BYTES}: 413 otherwise. */
    public void validValue(byte[] value) {
        if (value.length > config.maxValueBytes()) {
            throw new ProblemException(413, "value-too-large", "Value too large",
                    "a value is at most " + config.maxValueBytes() + " bytes (GATEWAY_MAX_VALUE_BYTES)");
        }
    }

    /** The causal context a write of {@code key} carries (none: an empty one); 400 when it is not one this gateway signed for the key. */
    public VersionVector context(String key, String signed) {
        try {
            return contexts.verify(key, signed);
        } catch (InvalidSignatureException e) {
            String type = switch (e.reason()) {
                case MALFORMED -> "context-malformed";
                case UNKNOWN_KEY -> "context-unknown-key";
                case FORGED -> "context-forged";
            };
            throw ProblemException.badRequest(type, "X-Context " + e.getMessage()
                    + "; send back the X-Context of a read of this key, unchanged");
        }
    }

    /** The write level: 1, quorum or all (absent: {@code GATEWAY_W}). */
    public int w(String value) {
        return level(value, config.w(), "w");
    }

    /** The read level: 1, quorum or all (absent: {@code GATEWAY_R}). */
    public int r(String value) {
        return level(value, config.r(), "r");
    }

    private int level(String value, int configured, String name) {
        if (value == null) {
            return configured;
        }
        return switch (value) {
            case "1", "one" -> 1;
            case "quorum" -> replicas / 2 + 1;
            case "all" -> replicas;
            default -> throw ProblemException.badRequest("invalid-" + name, name + " must be 1, quorum or all");
        };
    }
}
