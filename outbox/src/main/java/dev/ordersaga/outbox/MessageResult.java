package dev.ordersaga.outbox;

import java.util.UUID;

/**
 * What became of one message of a delivered batch: taken by the receiver (applied, a duplicate, or
 * waiting for its predecessor there: the sender is done with it either way), refused for good (a
 * poison: it is dead-lettered alone), or failed in a way another try may mend.
 */
public record MessageResult(UUID messageId, Status status, String detail, Throwable failure) {

    /** The three ends of a message's delivery, as the publisher acts on them. */
    public enum Status {
        TAKEN, POISON, FAILED
    }

    public static MessageResult taken(UUID id, String detail) {
        return new MessageResult(id, Status.TAKEN, detail, null);
    }

    public static MessageResult poison(UUID id, String detail) {
        return new MessageResult(id, Status.POISON, detail, null);
    }

    public static MessageResult failed(UUID id, Throwable failure) {
        return new MessageResult(id, Status.FAILED, String.valueOf(failure), failure);
    }
}
