package dev.ordersaga.outbox;

/** Why a delivery failed, as logs and metrics name it. */
public enum ErrorKind {
    /** No answer within the timeout: the other side may still have done the work. */
    TIMEOUT("timeout"),
    /** Connection refused, reset or closed: nothing reached the other side, or the answer was lost. */
    CONNECT("connect"),
    /** The circuit breaker is open: the call was not even tried. */
    CIRCUIT_OPEN("circuit-open"),
    /** The destination already has OUTBOX_MAX_IN_FLIGHT calls running and too many waiting: not tried. */
    BUSY("busy"),
    /** The other side failed (5xx). */
    SERVER_ERROR("5xx"),
    /** The other side refused the message (4xx). */
    CLIENT_ERROR("4xx"),
    /** The message can never be delivered as it is (unknown type, unreadable payload). */
    POISON("poison"),
    /** Anything else. */
    UNKNOWN("unknown");

    private final String label;

    ErrorKind(String label) {
        this.label = label;
    }

    /** The name used in logs ({@code errorKind}) and metric tags. */
    public String label() {
        return label;
    }

    /** Whether no call was made at all (so the failure is no attempt, and no reason to give up). */
    public boolean notAttempted() {
        return this == CIRCUIT_OPEN || this == BUSY;
    }
}
