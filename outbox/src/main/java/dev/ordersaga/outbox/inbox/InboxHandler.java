package dev.ordersaga.outbox.inbox;

import java.util.List;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;

import dev.ordersaga.outbox.Envelope;
import dev.ordersaga.outbox.OutboxMessage;

/** Applies one message inside the inbox's transaction; returns the outbox messages it wrote. */
public interface InboxHandler {

    /** The service whose messages this handler applies (the inbox's {@code source}, in metrics too). */
    String source();

    Uni<List<OutboxMessage>> apply(SqlConnection tx, Envelope envelope);
}
