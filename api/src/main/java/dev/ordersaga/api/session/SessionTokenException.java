package dev.ordersaga.api.session;

/** Why a session token was refused; each reason is its own problem type. */
public final class SessionTokenException extends RuntimeException {

    /** The ways a token can be wrong. */
    public enum Reason {
        MALFORMED("session-token-malformed", "Malformed session token"),
        UNKNOWN_KEY("session-token-unknown-key", "Session token signed with an unknown key"),
        FORGED("session-token-forged", "Session token signature does not match"),
        EXPIRED("session-token-expired", "Session token expired");

        public final String type;
        public final String title;

        Reason(String type, String title) {
            this.type = type;
            this.title = title;
        }
    }

    private final Reason reason;

    public SessionTokenException(Reason reason, String detail) {
        super(detail);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
