package dev.ordersaga.outbox.inbox;

import java.util.UUID;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * What a receiver did with one message of a batch, as it answers the sender: {@code applied} (with any
 * waiting successors), {@code duplicate} (already taken), {@code waiting} (kept until its predecessor
 * arrives) or {@code poison} (refused for good: unreadable, or the receiver's rules refuse it), with
 * the reason.
 */
@RegisterForReflection
public record BatchResult(UUID id, String outcome, String detail) {

    public static final String POISON = "poison";

    static BatchResult of(UUID id, InboxOutcome outcome) {
        String name = switch (outcome.outcome()) {
            case APPLIED -> "applied";
            case DEFERRED -> "waiting";
            case DUPLICATE -> "duplicate";
        };
        return new BatchResult(id, name, null);
    }

    static BatchResult poison(UUID id, String detail) {
        return new BatchResult(id, POISON, detail);
    }
}
