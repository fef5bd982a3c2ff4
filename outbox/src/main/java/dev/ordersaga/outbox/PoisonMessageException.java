package dev.ordersaga.outbox;

/** Thrown by a transport for a message that can never be delivered as it is (unknown type, unreadable payload). */
public class PoisonMessageException extends RuntimeException {

    public PoisonMessageException(String message) {
        super(message, null, false, false);
    }
}
