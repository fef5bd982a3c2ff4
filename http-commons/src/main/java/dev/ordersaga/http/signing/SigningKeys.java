package dev.ordersaga.http.signing;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import dev.ordersaga.http.signing.InvalidSignatureException.Reason;

/**
 * HMAC-SHA256 keys from a setting of comma-separated {@code kid=secret} pairs (secrets of at least
 * 16 bytes): the first key signs, every key verifies, so a new key can be put first while what the
 * old one signed stays valid until it is removed.
 *
 * <p>A signed value is {@code kid.payload.signature}, the last two base64url without padding, the
 * signature over {@code kid.payload} and over the context the value is bound to (for example the
 * key a causal context belongs to, or the subject of a session). Only the canonical encoding
 * verifies: a value whose base64 has other bits in its last character is refused.
 */
public final class SigningKeys {

    public static final int MAX_KID_LENGTH = 16;
    public static final int MIN_SECRET_BYTES = 16;
    /** Length of an encoded signature. */
    public static final int SIGNATURE_CHARS = 43;

    private static final Pattern KID = Pattern.compile("[A-Za-z0-9_-]{1," + MAX_KID_LENGTH + "}");
    private static final Pattern B64URL = Pattern.compile("[A-Za-z0-9_-]*");
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();

    private final String variable;
    private final Map<String, SecretKeySpec> keys;
    /** Per key id, a MAC already keyed: each use works on a copy, so the key's schedule is computed once. */
    private final Map<String, Mac> keyed;
    private final String signingKid;

    private SigningKeys(String variable, Map<String, SecretKeySpec> keys) {
        this.variable = variable;
        this.keys = keys;
        this.signingKid = keys.keySet().iterator().next();
        Map<String, Mac> macs = new LinkedHashMap<>();
        keys.forEach((kid, secret) -> macs.put(kid, newMac(secret)));
        this.keyed = Map.copyOf(macs);
    }

    /**
     * Parses {@code kid=secret[,kid=secret...]}; fails with a message that names {@code variable} and
     * what is wrong, never the secret.
     */
    public static SigningKeys parse(String variable, String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException(variable + " must be set: comma-separated kid=secret pairs");
        }
        Map<String, SecretKeySpec> keys = new LinkedHashMap<>();
        for (String pair : spec.split(",")) {
            String p = pair.trim();
            int eq = p.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(variable + " entry is not kid=secret");
            }
            String kid = p.substring(0, eq).trim();
            byte[] secret = p.substring(eq + 1).trim().getBytes(StandardCharsets.UTF_8);
            if (!KID.matcher(kid).matches()) {
                throw new IllegalArgumentException(variable + " key id '" + printable(kid) + "' must be 1 to "
                        + MAX_KID_LENGTH + " letters, digits, '-' or '_'");
            }
            if (secret.length < MIN_SECRET_BYTES) {
                throw new IllegalArgumentException(variable + " secret of key id '" + kid + "' is shorter than "
                        + MIN_SECRET_BYTES + " bytes");
            }
            if (keys.put(kid, new SecretKeySpec(secret, "HmacSHA256")) != null) {
                throw new IllegalArgumentException(variable + " names key id '" + kid + "' twice");
            }
        }
        return new SigningKeys(variable, keys);
    }

    /** The setting these keys come from, for messages. */
    public String variable() {
        return variable;
    }

    public String signingKid() {
        return signingKid;
    }

    /** The longest value {@link #sign} makes for a payload of {@code payloadBytes} bytes. */
    public static int maxLength(int payloadBytes) {
        return MAX_KID_LENGTH + 1 + (payloadBytes * 4 + 2) / 3 + 1 + SIGNATURE_CHARS;
    }

    /** {@code payload} signed with the signing key, bound to {@code boundTo} (may be empty). */
    public String sign(byte[] payload, byte[] boundTo) {
        String signed = signingKid + "." + B64.encodeToString(payload);
        return signed + "." + B64.encodeToString(mac(signingKid, signed, boundTo));
    }

    /**
     * The payload of a value {@link #sign} made with any of these keys for the same {@code boundTo};
     * fails with the reason otherwise. Nothing of the payload is trusted before the signature checks.
     */
    public byte[] verify(String value, byte[] boundTo, int maxLength) {
        if (value == null || value.isEmpty()) {
            throw new InvalidSignatureException(Reason.MALFORMED, "is empty");
        }
        if (value.length() > maxLength) {
            throw new InvalidSignatureException(Reason.MALFORMED, "is longer than " + maxLength + " characters");
        }
        int first = value.indexOf('.');
        int last = value.lastIndexOf('.');
        if (first <= 0 || last == first) {
            throw new InvalidSignatureException(Reason.MALFORMED, "is truncated: expected kid.payload.signature");
        }
        String kid = value.substring(0, first);
        String payload = value.substring(first + 1, last);
        String signature = value.substring(last + 1);
        if (!KID.matcher(kid).matches()) {
            throw new InvalidSignatureException(Reason.MALFORMED, "has a malformed key id");
        }
        byte[] sig = canonical(signature, "signature");
        if (sig.length != 32) {
            throw new InvalidSignatureException(Reason.MALFORMED, "signature is truncated");
        }
        byte[] body = canonical(payload, "payload");
        if (!keys.containsKey(kid)) {
            throw new InvalidSignatureException(Reason.UNKNOWN_KEY,
                    "was signed with key id '" + kid + "', which " + variable + " does not hold");
        }
        if (!MessageDigest.isEqual(sig, mac(kid, value.substring(0, last), boundTo))) {
            throw new InvalidSignatureException(Reason.FORGED, "signature does not match its content");
        }
        return body;
    }

    /** Decodes base64url and refuses any encoding but the canonical one (no padding, no stray bits). */
    private static byte[] canonical(String part, String what) {
        if (!B64URL.matcher(part).matches()) {
            throw new InvalidSignatureException(Reason.MALFORMED, what + " is not base64url");
        }
        byte[] decoded;
        try {
            decoded = B64D.decode(part);
        } catch (IllegalArgumentException e) {
            throw new InvalidSignatureException(Reason.MALFORMED, what + " is not base64url");
        }
        if (!B64.encodeToString(decoded).equals(part)) {
            throw new InvalidSignatureException(Reason.MALFORMED, what + " is not canonical base64url");
        }
        return decoded;
    }

    private byte[] mac(String kid, String signed, byte[] boundTo) {
        Mac mac = copy(kid);
        mac.update(signed.getBytes(StandardCharsets.US_ASCII));
        if (boundTo != null && boundTo.length > 0) {
            mac.update((byte) 0);
            mac.update(boundTo);
        }
        return mac.doFinal();
    }

    /** A fresh MAC keyed with {@code kid}: a copy of the keyed one (never used itself), or a new one where copies are not offered. */
    private Mac copy(String kid) {
        Mac prototype = keyed.get(kid);
        try {
            return (Mac) prototype.clone();
        } catch (CloneNotSupportedException e) {
            return newMac(keys.get(kid));
        }
    }

    private static Mac newMac(SecretKeySpec secret) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(secret);
            return mac;
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String printable(String s) {
        String cut = s.length() > MAX_KID_LENGTH ? s.substring(0, MAX_KID_LENGTH) + "…" : s;
        return cut.replaceAll("[^A-Za-z0-9._-]", "?");
    }
}
