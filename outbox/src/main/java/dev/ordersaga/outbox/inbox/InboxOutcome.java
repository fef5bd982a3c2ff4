package dev.ordersaga.outbox.inbox;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * What the inbox did with a message: applied it (and any waiting successors), kept it until its
 * predecessors arrive, or recognised it as already seen.
 */
@RegisterForReflection
public record InboxOutcome(Status outcome, int applied) {

    /** The three ways a message can be taken. */
    public enum Status {
        APPLIED, DEFERRED, DUPLICATE
    }

    static InboxOutcome duplicate() {
        return new InboxOutcome(Status.DUPLICATE, 0);
    }

    static InboxOutcome deferred() {
        return new InboxOutcome(Status.DEFERRED, 0);
    }
}
