package dev.ordersaga.outbox.inbox;

import java.util.List;

import io.quarkus.runtime.annotations.RegisterForReflection;

import dev.ordersaga.outbox.OutboxMessage;

/**
 * What the inbox did with a message: applied it (and any waiting successors), kept it until its
 * predecessors arrive, or recognised it as already seen.
 */
@RegisterForReflection
public record InboxOutcome(Status outcome, int applied, @com.fasterxml.jackson.annotation.JsonIgnore List<OutboxMessage> enqueued) {

    /** The three ways a message can be taken. */
    public enum Status {
        APPLIED, DEFERRED, DUPLICATE
    }

    static InboxOutcome duplicate() {
        return new InboxOutcome(Status.DUPLICATE, 0, List.of());
    }

    static InboxOutcome deferred() {
        return new InboxOutcome(Status.DEFERRED, 0, List.of());
    }
}
