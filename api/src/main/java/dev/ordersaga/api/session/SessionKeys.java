package dev.ordersaga.api.session;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The keys of session tokens, from {@code SESSION_TOKEN_KEYS}: comma-separated {@code kid=secret}
 * pairs. The first key signs; every key verifies, so a new key can be put first while tokens signed
 * with the old one stay valid until the old key is removed.
 */
public final class SessionKeys {

    public static final int MAX_KID_LENGTH = 16;
    private static final int MIN_SECRET_BYTES = 16;

    private final Map<String, byte[]> keys;
    private final String signingKid;

    private SessionKeys(Map<String, byte[]> keys, String signingKid) {
        this.keys = keys;
        this.signingKid = signingKid;
    }

    /** Parses {@code kid=secret[,kid=secret...]}; fails with a message naming what is wrong (never the secret). */
    public static SessionKeys parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("SESSION_TOKEN_KEYS must be set: comma-separated kid=secret pairs");
        }
        Map<String, byte[]> keys = new LinkedHashMap<>();
        for (String pair : spec.split(",")) {
            String p = pair.trim();
            int eq = p.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("SESSION_TOKEN_KEYS entry is not kid=secret");
            }
            String kid = p.substring(0, eq).trim();
            byte[] secret = p.substring(eq + 1).trim().getBytes(StandardCharsets.UTF_8);
            if (kid.length() > MAX_KID_LENGTH || !kid.matches("[A-Za-z0-9_-]+")) {
                throw new IllegalArgumentException("SESSION_TOKEN_KEYS key id '" + kid
                        + "' must be 1 to " + MAX_KID_LENGTH + " letters, digits, '-' or '_'");
            }
            if (secret.length < MIN_SECRET_BYTES) {
                throw new IllegalArgumentException("SESSION_TOKEN_KEYS secret of key id '" + kid + "' is shorter than "
                        + MIN_SECRET_BYTES + " bytes");
            }
            if (keys.put(kid, secret) != null) {
                throw new IllegalArgumentException("SESSION_TOKEN_KEYS names key id '" + kid + "' twice");
            }
        }
        return new SessionKeys(keys, keys.keySet().iterator().next());
    }

    public String signingKid() {
        return signingKid;
    }

    boolean knows(String kid) {
        return keys.containsKey(kid);
    }

    byte[] secret(String kid) {
        return keys.get(kid);
    }
}
