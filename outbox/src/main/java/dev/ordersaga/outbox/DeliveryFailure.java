package dev.ordersaga.outbox;

/**
 * A classified delivery failure: its kind, whether trying again can help, and a short detail kept
 * as the outbox row's last error.
 */
public record DeliveryFailure(ErrorKind kind, boolean retryable, String detail) {
}
