package dev.ordersaga.messaging.inbox;

import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/** SQL of the inbox and of its per-aggregate checkpoints. Every method runs in the caller's transaction. */
@ApplicationScoped
public class InboxRepository {

    private static final String INSERT = """
            INSERT INTO inbox (message_id, source, message_type, aggregate_id, seq, payload, request_id, status)
            VALUES ($1, $2, $3, $4, $5, $6, $7, 'waiting')
            ON CONFLICT (message_id) DO NOTHING""";

    private static final String CREATE_CHECKPOINT = """
            INSERT INTO inbox_checkpoint (source, aggregate_id, last_seq) VALUES ($1, $2, 0)
            ON CONFLICT (source, aggregate_id) DO NOTHING""";

    // A separate statement so that it sees a checkpoint another transaction committed meanwhile.
    private static final String LOCK_CHECKPOINT =
            "SELECT last_seq FROM inbox_checkpoint WHERE source = $1 AND aggregate_id = $2 FOR UPDATE";

    private static final String SET_CHECKPOINT =
            "UPDATE inbox_checkpoint SET last_seq = $3 WHERE source = $1 AND aggregate_id = $2";

    private static final String SET_STATUS = """
            UPDATE inbox SET status = $2, applied_at = CASE WHEN $2 = 'applied' THEN now() END
            WHERE message_id = $1""";

    private static final String FIND_WAITING = """
            SELECT message_id, message_type, aggregate_id, seq, payload, request_id, received_at FROM inbox
            WHERE source = $1 AND aggregate_id = $2 AND seq = $3 AND status = 'waiting'""";

    private static final String SEEN = "SELECT 1 FROM inbox WHERE message_id = $1";

    /** Whether a message id was taken before (outside any transaction: a cheap early answer). */
    public Uni<Boolean> seen(io.vertx.mutiny.sqlclient.Pool pool, UUID id) {
        return pool.preparedQuery(SEEN).execute(Tuple.of(id)).map(rows -> rows.rowCount() > 0);
    }

    /** Records a message as waiting; false when its id was seen before. */
    public Uni<Boolean> insert(SqlConnection tx, String source, UUID id, String type, String aggregateId, long seq,
            String payload, String requestId) {
        return tx.preparedQuery(INSERT)
                .execute(Tuple.from(new Object[] { id, source, type, aggregateId, seq, payload, requestId }))
                .map(rows -> rows.rowCount() == 1);
    }

    /** Locks the aggregate's checkpoint (creating it at 0) and returns the last applied sequence number. */
    public Uni<Long> lockCheckpoint(SqlConnection tx, String source, String aggregateId) {
        Tuple key = Tuple.of(source, aggregateId);
        return tx.preparedQuery(CREATE_CHECKPOINT).execute(key)
                .onItem().transformToUni(created -> tx.preparedQuery(LOCK_CHECKPOINT).execute(key))
                .map(rows -> rows.iterator().next().getLong(0));
    }

    public Uni<Void> setCheckpoint(SqlConnection tx, String source, String aggregateId, long seq) {
        return tx.preparedQuery(SET_CHECKPOINT).execute(Tuple.of(source, aggregateId, seq)).replaceWithVoid();
    }

    public Uni<Void> setStatus(SqlConnection tx, UUID id, String status) {
        return tx.preparedQuery(SET_STATUS).execute(Tuple.of(id, status)).replaceWithVoid();
    }

    /** The waiting message with exactly this sequence number, if it arrived early. */
    public Uni<Optional<WaitingMessage>> findWaiting(SqlConnection tx, String source, String aggregateId, long seq) {
        return tx.preparedQuery(FIND_WAITING).execute(Tuple.of(source, aggregateId, seq))
                .map(rows -> rows.rowCount() == 0
                        ? Optional.empty()
                        : Optional.of(WaitingMessage.from(rows.iterator().next())));
    }

    /** A message kept until its predecessors are applied. */
    public record WaitingMessage(UUID id, String type, String aggregateId, long seq, String payload, String requestId,
            java.time.OffsetDateTime receivedAt) {

        static WaitingMessage from(Row row) {
            return new WaitingMessage(row.getUUID("message_id"), row.getString("message_type"),
                    row.getString("aggregate_id"), row.getLong("seq"), row.getString("payload"),
                    row.getString("request_id"), row.getOffsetDateTime("received_at"));
        }
    }
}
