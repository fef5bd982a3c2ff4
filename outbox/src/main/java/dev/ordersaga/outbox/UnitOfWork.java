package dev.ordersaga.outbox;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * One database transaction and the outbox messages written in it. The messages commit with the
 * state change or not at all, and once the transaction has committed the unit of work hands them to
 * the publisher for a first attempt: no caller has to remember to.
 */
@ApplicationScoped
public class UnitOfWork {

    private final Pool pool;
    private final OutboxWriter writer;
    private final OutboxPublisher publisher;

    public UnitOfWork(Pool pool, OutboxWriter writer, OutboxPublisher publisher) {
        this.pool = pool;
        this.writer = writer;
        this.publisher = publisher;
    }

    /** Runs {@code work} in a new transaction; after the commit, dispatches what it sent. */
    public <T> Uni<T> run(Function<Tx, Uni<T>> work) {
        return Uni.createFrom().deferred(() -> {
            List<OutboxMessage> sent = new ArrayList<>();
            return runToTheEnd(pool.withTransaction(connection -> work.apply(new Tx(connection, writer, sent)))
                    .invoke(result -> publisher.dispatch(List.copyOf(sent))));
        });
    }

    /**
     * Runs {@code work} to its end, what follows the commit included: cancelling what this returns
     * does not cancel it. A request's caller that gives up (a sender whose call timed out closes its
     * connection) makes the HTTP layer cancel what the endpoint returned; the transaction would still
     * commit, but the messages it wrote (born claimed by this publisher) would not be dispatched and
     * would wait for their claim's lease, {@code OUTBOX_LEASE}: a slow receiver's answers would reach
     * the sender a whole lease late exactly when it is already behind.
     */
    private static <T> Uni<T> runToTheEnd(Uni<T> work) {
        CompletableFuture<T> done = new CompletableFuture<>();
        work.subscribe().with(done::complete, done::completeExceptionally);
        return Uni.createFrom().completionStage(done);
    }

    /** A transaction in progress: its connection, and the outbox messages written in it so far. */
    public static final class Tx {

        private final SqlConnection connection;
        private final OutboxWriter writer;
        private final List<OutboxMessage> sent;
        private String traceparent;

        Tx(SqlConnection connection, OutboxWriter writer, List<OutboxMessage> sent) {
            this.connection = connection;
            this.writer = writer;
            this.sent = sent;
        }

        /** The connection of this transaction, for the caller's own statements. */
        public SqlConnection connection() {
            return connection;
        }

        /** Writes {@code message} to the outbox in this transaction; it is sent after the commit. */
        public Uni<OutboxMessage> send(NewMessage message) {
            return writer.enqueue(connection, message, traceparent != null ? traceparent : TraceContext.current())
                    .invoke(sent::add);
        }

        /**
         * Takes now, in one fixed order, the locks that sending messages of these aggregates to
         * {@code destination} will take (each aggregate's sequence row). A transaction that sends
         * messages of several aggregates, in an order that depends on its input (a batch of messages
         * applied in the order of other aggregates), would otherwise wait in a cycle with another
         * that sends to the same aggregates in another order: a deadlock PostgreSQL breaks only after
         * a second, by failing one of them.
         */
        public Uni<Void> lockSequences(String destination, Collection<String> aggregates) {
            return writer.lockSequences(connection, destination, aggregates);
        }

        /**
         * The trace the messages sent from now on continue: the one of the message being applied (a
         * receiver applies a batch of messages, each from its own trace, in one transaction). Null: the
         * current span's.
         */
        public void continueTrace(String traceparent) {
            this.traceparent = traceparent;
        }

        /** The messages written so far, in order. */
        public List<OutboxMessage> sent() {
            return Collections.unmodifiableList(sent);
        }
    }
}
