package dev.ordersaga.outbox;

/**
 * A classified delivery failure: its kind, whether trying again can help, and a short detail kept
 * as the outbox row's last error.
 */
public record DeliveryFailure(ErrorKind kind, boolean retryable, String detail) {

    /**
     * Whether the fault is the message's own, not the destination's: a poison, or a 4xx refusal that
     * no retry changes. Such a failure parks only its message (dead-lettered) and says nothing about
     * the destination's health, so it never counts against the circuit breaker.
     */
    public boolean messageFault() {
        return kind == ErrorKind.POISON || kind == ErrorKind.CLIENT_ERROR && !retryable;
    }
}
