package dev.ordersaga.messaging.inbox;

import java.util.List;
import java.util.UUID;

import dev.ordersaga.messaging.Envelope;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;

/** Applies one message inside the inbox's transaction; returns the ids of outbox messages it wrote. */
@FunctionalInterface
public interface InboxHandler {

    Uni<List<UUID>> apply(SqlConnection tx, Envelope envelope);
}
