package dev.ordersaga.outbox;

import java.time.OffsetDateTime;
import java.util.UUID;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.vertx.mutiny.sqlclient.Row;

/** One outbox row, as the publisher and the admin endpoint see it. */
@RegisterForReflection
public record OutboxMessage(
        UUID id,
        String destination,
        String type,
        String aggregateId,
        long seq,
        String payload,
        String requestId,
        String traceparent,
        String status,
        int attempts,
        OffsetDateTime nextAttemptAt,
        String claimedBy,
        OffsetDateTime createdAt,
        OffsetDateTime sentAt,
        String lastError,
        String lastErrorKind) {

    /** Column list matching {@link #from(Row)}. */
    static final String COLUMNS = "id, destination, message_type, aggregate_id, aggregate_seq, payload, request_id, "
            + "traceparent, status, attempts, next_attempt_at, claimed_by, created_at, sent_at, last_error, last_error_kind";

    static OutboxMessage from(Row row) {
        return new OutboxMessage(
                row.getUUID("id"),
                row.getString("destination"),
                row.getString("message_type"),
                row.getString("aggregate_id"),
                row.getLong("aggregate_seq"),
                row.getString("payload"),
                row.getString("request_id"),
                row.getString("traceparent"),
                row.getString("status"),
                row.getInteger("attempts"),
                row.getOffsetDateTime("next_attempt_at"),
                row.getString("claimed_by"),
                row.getOffsetDateTime("created_at"),
                row.getOffsetDateTime("sent_at"),
                row.getString("last_error"),
                row.getString("last_error_kind"));
    }
}
