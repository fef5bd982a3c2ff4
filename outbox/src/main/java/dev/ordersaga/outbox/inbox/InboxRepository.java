package dev.ordersaga.outbox.inbox;

import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/** SQL of the inbox and of its per-aggregate checkpoints. Every method runs in the caller's transaction. */
@ApplicationScoped
public class InboxRepository {

    private static final String INSERT = """
            INSERT INTO inbox (message_id, source, message_type, aggregate_id, seq, payload, request_id, status, applied_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, CASE WHEN $8 = 'applied' THEN now() END)
            ON CONFLICT (message_id) DO NOTHING""";

    // An upsert that always returns the row, and so locks it: one round trip instead of insert-then-select.
    private static final String LOCK_CHECKPOINT = """
            INSERT INTO inbox_checkpoint (source, aggregate_id, last_seq) VALUES ($1, $2, 0)
            ON CONFLICT (source, aggregate_id) DO UPDATE SET last_seq = inbox_checkpoint.last_seq
            RETURNING last_seq""";

    // Moves the checkpoint to $3 and returns the successor that waited for it, if any, in one round trip.
    private static final String ADVANCE = """
            WITH moved AS (
                UPDATE inbox_checkpoint SET last_seq = $3 WHERE source = $1 AND aggregate_id = $2)
            SELECT message_id, message_type, aggregate_id, seq, payload, request_id, received_at FROM inbox
            WHERE source = $1 AND aggregate_id = $2 AND seq = $3 + 1 AND status = 'waiting'""";

    private static final String MARK_APPLIED =
            "UPDATE inbox SET status = 'applied', applied_at = now() WHERE message_id = $1";

    private static final String SEEN = "SELECT 1 FROM inbox WHERE message_id = $1";

    /** Whether a message id was taken before (outside any transaction: a cheap early answer). */
    public Uni<Boolean> seen(Pool pool, UUID id) {
        return pool.preparedQuery(SEEN).execute(Tuple.of(id)).map(rows -> rows.rowCount() > 0);
    }

    /** Records a message with its status; false when its id was seen before. */
    public Uni<Boolean> insert(SqlConnection tx, String source, UUID id, String type, String aggregateId, long seq,
            String payload, String requestId, String status) {
        return tx.preparedQuery(INSERT)
                .execute(Tuple.from(new Object[] { id, source, type, aggregateId, seq, payload, requestId, status }))
                .map(rows -> rows.rowCount() == 1);
    }

    /** Locks the aggregate's checkpoint (creating it at 0) and returns the last applied sequence number. */
    public Uni<Long> lockCheckpoint(SqlConnection tx, String source, String aggregateId) {
        return tx.preparedQuery(LOCK_CHECKPOINT).execute(Tuple.of(source, aggregateId))
                .map(rows -> rows.iterator().next().getLong(0));
    }

    /** Records {@code seq} as applied and returns the message waiting to come next, if it arrived early. */
    public Uni<Optional<WaitingMessage>> advance(SqlConnection tx, String source, String aggregateId, long seq) {
        return tx.preparedQuery(ADVANCE).execute(Tuple.of(source, aggregateId, seq))
                .map(rows -> rows.rowCount() == 0
                        ? Optional.empty()
                        : Optional.of(WaitingMessage.from(rows.iterator().next())));
    }

    /** Marks a message that waited as applied. */
    public Uni<Void> markApplied(SqlConnection tx, UUID id) {
        return tx.preparedQuery(MARK_APPLIED).execute(Tuple.of(id)).replaceWithVoid();
    }

    /** A message kept until its predecessors are applied. */
    public record WaitingMessage(UUID id, String type, String aggregateId, long seq, String payload, String requestId,
            OffsetDateTime receivedAt) {

        static WaitingMessage from(Row row) {
            return new WaitingMessage(row.getUUID("message_id"), row.getString("message_type"),
                    row.getString("aggregate_id"), row.getLong("seq"), row.getString("payload"),
                    row.getString("request_id"), row.getOffsetDateTime("received_at"));
        }
    }
}
