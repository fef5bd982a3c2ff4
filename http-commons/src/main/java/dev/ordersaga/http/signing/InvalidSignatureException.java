package dev.ordersaga.http.signing;

/** A signed value that cannot be trusted, and why. */
public class InvalidSignatureException extends RuntimeException {

    /** Why a signed value was refused. */
    public enum Reason {
        /** Not of the form kid.payload.signature, or not canonical base64url. */
        MALFORMED,
        /** Signed with a key id the keys do not hold (rotated out, or never known). */
        UNKNOWN_KEY,
        /** The signature does not match: altered, made with another secret, or bound to something else. */
        FORGED
    }

    private final Reason reason;

    public InvalidSignatureException(Reason reason, String detail) {
        super(detail, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
