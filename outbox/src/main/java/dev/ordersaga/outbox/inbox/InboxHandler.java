package dev.ordersaga.outbox.inbox;

import io.smallrye.mutiny.Uni;

import dev.ordersaga.outbox.Envelope;
import dev.ordersaga.outbox.UnitOfWork;

/**
 * Applies one message inside the inbox's transaction. Messages it sends through {@code tx} commit
 * with it and are dispatched after the commit.
 */
public interface InboxHandler {

    /** The service whose messages this handler applies (the inbox's {@code source}, in metrics too). */
    String source();

    Uni<Void> apply(UnitOfWork.Tx tx, Envelope envelope);
}
