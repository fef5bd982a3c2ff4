package dev.ordersaga.outbox;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/** SQL of the outbox table. Claims are leases taken with {@code FOR UPDATE SKIP LOCKED}. */
@ApplicationScoped
public class OutboxRepository {

    private static final String INSERT = """
            WITH seq AS (
                INSERT INTO outbox_sequence (destination, aggregate_id, last_seq) VALUES ($2, $4, 1)
                ON CONFLICT (destination, aggregate_id) DO UPDATE SET last_seq = outbox_sequence.last_seq + 1
                RETURNING last_seq)
            INSERT INTO outbox (id, destination, message_type, aggregate_id, aggregate_seq, payload, request_id,
                                traceparent, status, claimed_by, attempts, next_attempt_at)
            SELECT $1, $2, $3, $4, seq.last_seq, $5, $6, $9, 'in_flight', $7, 1, now() + $8::bigint * interval '1 millisecond'
            FROM seq
            """ + "RETURNING " + OutboxMessage.COLUMNS;

    /**
     * Claims the rows a selection picks, as a lease: locked rows are skipped (another publisher has
     * them), each claimed row counts an attempt and is due again when the lease ends.
     */
    private static final String CLAIM = """
            WITH due AS (
                SELECT id FROM outbox
                WHERE %s
                FOR UPDATE SKIP LOCKED)
            UPDATE outbox o
            SET status = 'in_flight', claimed_by = $2, attempts = o.attempts + 1,
                next_attempt_at = now() + $3::bigint * interval '1 millisecond'
            FROM due WHERE o.id = due.id
            RETURNING o.*""";
    /** Due rows, pending or in flight past their lease, oldest first ($1: how many). */
    private static final String CLAIM_DUE = CLAIM.formatted(
            "status IN ('pending', 'in_flight') AND next_attempt_at <= now() ORDER BY next_attempt_at LIMIT $1");
    /** The given rows ($1), if still pending and due. */
    private static final String CLAIM_IDS = CLAIM.formatted(
            "id = ANY($1::uuid[]) AND status = 'pending' AND next_attempt_at <= now()");

    private static final String MARK_SENT = """
            UPDATE outbox SET status = 'sent', sent_at = now(), claimed_by = NULL
            WHERE id = ANY($1::uuid[]) AND status = 'in_flight'
            RETURNING id, created_at, sent_at""";

    /**
     * Locks the sequence rows of aggregates ($2) of a destination ($1) in the aggregates' order,
     * creating those that do not exist yet (at 0: the first message still gets 1).
     */
    private static final String LOCK_SEQUENCES = """
            INSERT INTO outbox_sequence (destination, aggregate_id, last_seq)
            SELECT $1, a, 0 FROM unnest($2::text[]) AS a ORDER BY a
            ON CONFLICT (destination, aggregate_id) DO UPDATE SET last_seq = outbox_sequence.last_seq""";

    /** Extends the claims ($1) this publisher ($2) still holds by a lease ($3 ms) from now. */
    private static final String RENEW = """
            UPDATE outbox SET next_attempt_at = now() + $3::bigint * interval '1 millisecond'
            WHERE id = ANY($1::uuid[]) AND status = 'in_flight' AND claimed_by = $2""";

    private static final String MARK_RETRY = """
            UPDATE outbox SET status = 'pending', claimed_by = NULL, attempts = attempts - $6,
                next_attempt_at = now() + $2::bigint * interval '1 millisecond', last_error = $3, last_error_kind = $4
            WHERE id = $1 AND status = 'in_flight' AND claimed_by = $5""";

    private static final String MARK_DEAD = """
            UPDATE outbox SET status = 'dead', claimed_by = NULL, last_error = $2, last_error_kind = $3
            WHERE id = $1 AND status = 'in_flight'""";

    private static final String REQUEUE = """
            UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = now(), claimed_by = NULL
            WHERE id = $1 AND status = 'dead'
            RETURNING *""";

    private static final String DUE_NOW = "UPDATE outbox SET next_attempt_at = now()"
            + " WHERE destination = $1 AND status = 'pending' AND next_attempt_at > now()";
    /** The destination's oldest waiting row ($1), made due now: the breaker's trial. */
    private static final String DUE_NOW_ONE = """
            UPDATE outbox SET next_attempt_at = now()
            WHERE id = (SELECT id FROM outbox
                        WHERE destination = $1 AND status = 'pending' AND next_attempt_at > now()
                        ORDER BY created_at LIMIT 1)""";
    private static final String FIND = "SELECT " + OutboxMessage.COLUMNS + " FROM outbox WHERE id = $1";

    private static final String LIST = "SELECT " + OutboxMessage.COLUMNS + """
             FROM outbox
            WHERE status = $1 AND ($2::boolean = false OR last_error IS NOT NULL)
            ORDER BY created_at
            LIMIT $3""";

    private static final String COUNTS = """
            SELECT count(*) FILTER (WHERE status = 'pending') AS pending,
                   count(*) FILTER (WHERE status = 'in_flight') AS in_flight,
                   count(*) FILTER (WHERE status = 'pending' AND last_error IS NOT NULL) AS failed,
                   count(*) FILTER (WHERE status = 'dead') AS dead
            FROM outbox WHERE status <> 'sent'""";

    private static final String DELETE_SENT = """
            DELETE FROM outbox WHERE id IN (
                SELECT id FROM outbox WHERE status = 'sent' AND sent_at < now() - $1::bigint * interval '1 millisecond'
                ORDER BY sent_at LIMIT $2)""";

    private static final String DELETE_INBOX = """
            DELETE FROM inbox WHERE message_id IN (
                SELECT message_id FROM inbox WHERE status <> 'waiting'
                  AND received_at < now() - $1::bigint * interval '1 millisecond'
                ORDER BY received_at LIMIT $2)""";

    private final Pool pool;

    public OutboxRepository(Pool pool) {
        this.pool = pool;
    }

    /**
     * Inserts a message in the caller's transaction, already claimed by {@code publisher} for its first
     * attempt right after the commit (no claim query needed). Should that attempt never happen, the
     * lease ends and any publisher claims the row.
     */
    public Uni<OutboxMessage> insert(SqlConnection tx, UUID id, NewMessage message, String payloadJson,
            String publisher, Duration lease, String traceparent) {
        Tuple args = Tuple.from(new Object[] { id, message.destination(), message.type(), message.aggregateId(),
                payloadJson, message.requestId(), publisher, lease.toMillis(), traceparent });
        return tx.preparedQuery(INSERT).execute(args)
                .map(rows -> OutboxMessage.from(rows.iterator().next()));
    }

    /** Claims up to {@code limit} due rows (pending, or in flight past their lease) for {@code publisher}. */
    public Uni<List<OutboxMessage>> claimDue(int limit, String publisher, Duration lease) {
        return pool.preparedQuery(CLAIM_DUE)
                .execute(Tuple.of(limit, publisher, lease.toMillis()))
                .map(OutboxRepository::messages);
    }

    /** Claims the given rows if they are still pending and due. */
    public Uni<List<OutboxMessage>> claimIds(List<UUID> ids, String publisher, Duration lease) {
        Tuple args = Tuple.tuple().addArrayOfUUID(ids.toArray(UUID[]::new)).addString(publisher)
                .addLong(lease.toMillis());
        return pool.preparedQuery(CLAIM_IDS).execute(args).map(OutboxRepository::messages);
    }

    /**
     * Marks rows sent, in one statement; returns how long each row this call marked waited since it
     * was written.
     */
    public Uni<Map<UUID, Duration>> markSent(List<UUID> ids) {
        return pool.preparedQuery(MARK_SENT).execute(Tuple.of(ids.toArray(UUID[]::new)))
                .map(rows -> {
                    Map<UUID, Duration> lags = new HashMap<>();
                    rows.forEach(row -> lags.put(row.getUUID("id"), lag(row)));
                    return lags;
                });
    }

    /** Locks, in {@code tx}, the sequence rows of {@code aggregates} (sorted, distinct) for {@code destination}. */
    Uni<Void> lockSequences(SqlConnection tx, String destination, List<String> aggregates) {
        return tx.preparedQuery(LOCK_SEQUENCES).execute(Tuple.of(destination, aggregates.toArray(String[]::new)))
                .replaceWithVoid();
    }

    /**
     * Renews this publisher's claims on rows it still holds (waiting in memory or being sent), so no
     * publisher claims them again while they are on their way; returns how many were renewed.
     */
    public Uni<Integer> renew(List<UUID> ids, String publisher, Duration lease) {
        return pool.preparedQuery(RENEW).execute(Tuple.of(ids.toArray(UUID[]::new), publisher, lease.toMillis()))
                .map(rows -> rows.rowCount());
    }

    /**
     * Puts a claimed row back to pending, due again after {@code delayMillis}. When the call was
     * never made ({@code notAttempted}, e.g. an open circuit breaker) the claim's attempt is given back.
     */
    public Uni<Void> markRetry(UUID id, String publisher, long delayMillis, DeliveryFailure failure,
            boolean notAttempted) {
        Tuple args = Tuple.tuple().addUUID(id).addLong(delayMillis).addString(failure.detail())
                .addString(failure.kind().label()).addString(publisher).addInteger(notAttempted ? 1 : 0);
        return pool.preparedQuery(MARK_RETRY).execute(args).replaceWithVoid();
    }

    /** Makes every pending row of a destination due now (it answers again); returns how many. */
    public Uni<Integer> dueNow(String destination) {
        return pool.preparedQuery(DUE_NOW).execute(Tuple.of(destination)).map(rows -> rows.rowCount());
    }

    /** Makes the destination's oldest waiting row due now (a trial); returns how many (0 or 1). */
    public Uni<Integer> oldestDueNow(String destination) {
        return pool.preparedQuery(DUE_NOW_ONE).execute(Tuple.of(destination)).map(rows -> rows.rowCount());
    }

    /** Dead-letters a claimed row with the reason. */
    public Uni<Void> markDead(UUID id, DeliveryFailure failure) {
        return pool.preparedQuery(MARK_DEAD)
                .execute(Tuple.of(id, failure.detail(), failure.kind().label()))
                .replaceWithVoid();
    }

    /** Moves a dead row back to pending with fresh attempts; empty when the row is not dead. */
    public Uni<Optional<OutboxMessage>> requeue(UUID id) {
        return pool.preparedQuery(REQUEUE).execute(Tuple.of(id))
                .map(rows -> messages(rows).stream().findFirst());
    }

    public Uni<Optional<OutboxMessage>> find(UUID id) {
        return pool.preparedQuery(FIND).execute(Tuple.of(id))
                .map(rows -> messages(rows).stream().findFirst());
    }

    /** Rows in a status ({@code failed} means pending after at least one failed attempt). */
    public Uni<List<OutboxMessage>> list(String status, int limit) {
        boolean failed = "failed".equals(status);
        return pool.preparedQuery(LIST)
                .execute(Tuple.of(failed ? "pending" : status, failed, limit))
                .map(OutboxRepository::messages);
    }

    /** Backlog counts: pending, in flight, failed (pending after a failure), dead. */
    public Uni<long[]> counts() {
        return pool.query(COUNTS).execute()
                .map(rows -> {
                    Row r = rows.iterator().next();
                    return new long[] { r.getLong("pending"), r.getLong("in_flight"), r.getLong("failed"),
                            r.getLong("dead") };
                });
    }

    /** Deletes at most {@code limit} sent rows older than {@code retention}, oldest first; returns how many. */
    public Uni<Integer> deleteSentBefore(Duration retention, int limit) {
        return pool.preparedQuery(DELETE_SENT).execute(Tuple.of(retention.toMillis(), limit)).map(RowSet::rowCount);
    }

    /**
     * Deletes at most {@code limit} processed inbox rows (applied or superseded) received before
     * {@code retention}; returns how many. A duplicate of a deleted message is still refused: its
     * sequence number is at or below its aggregate's checkpoint, which is kept.
     */
    public Uni<Integer> deleteInboxBefore(Duration retention, int limit) {
        return pool.preparedQuery(DELETE_INBOX).execute(Tuple.of(retention.toMillis(), limit)).map(RowSet::rowCount);
    }

    private static List<OutboxMessage> messages(RowSet<Row> rows) {
        return rows.stream().map(OutboxMessage::from).toList();
    }

    private static Duration lag(Row row) {
        return Duration.between(row.getOffsetDateTime("created_at"), row.getOffsetDateTime("sent_at"));
    }
}
