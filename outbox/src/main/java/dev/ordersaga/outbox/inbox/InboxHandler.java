package dev.ordersaga.outbox.inbox;

import java.util.List;

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

    /**
     * Takes, before any message of a batch is applied, the locks its messages will need, in one fixed
     * order (e.g. stock rows by sku), so that two batches applied at once never wait on each other in
     * a cycle: PostgreSQL breaks a deadlock only after {@code deadlock_timeout} (1 s), by failing one
     * of the transactions. The inbox also runs a batch again when it lost a deadlock or a
     * serialization conflict anyway. By default no locks are taken ahead.
     */
    default Uni<Void> lockAhead(UnitOfWork.Tx tx, List<Envelope> batch) {
        return Uni.createFrom().voidItem();
    }
}
