-- Transactional outbox and idempotent inbox, shared by every service that owns a database.
-- These migrations have their own history (outbox_schema_history); each service numbers its own
-- from V1 in flyway_schema_history.

CREATE TABLE outbox (
    id              uuid PRIMARY KEY,
    destination     text        NOT NULL,
    message_type    text        NOT NULL,
    aggregate_id    text        NOT NULL,
    aggregate_seq   bigint      NOT NULL,
    payload         text        NOT NULL,
    request_id      text,
    status          text        NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'in_flight', 'sent', 'dead')),
    attempts        integer     NOT NULL DEFAULT 0,
    -- pending: when the row is due; in_flight: when the lease of its publisher ends.
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    claimed_by      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    last_error      text,
    last_error_kind text,
    UNIQUE (destination, aggregate_id, aggregate_seq)
);

CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status IN ('pending', 'in_flight');
CREATE INDEX outbox_unsent ON outbox (status, created_at) WHERE status <> 'sent';
-- Retention deletes sent rows oldest first, in batches.
CREATE INDEX outbox_sent ON outbox (sent_at) WHERE status = 'sent';

-- Per-aggregate sequence numbers: drawn under the row lock, so they are gap-free and ordered.
CREATE TABLE outbox_sequence (
    destination  text   NOT NULL,
    aggregate_id text   NOT NULL,
    last_seq     bigint NOT NULL,
    PRIMARY KEY (destination, aggregate_id)
);

CREATE TABLE inbox (
    message_id   uuid PRIMARY KEY,
    source       text        NOT NULL,
    message_type text        NOT NULL,
    aggregate_id text        NOT NULL,
    seq          bigint      NOT NULL,
    payload      text        NOT NULL,
    request_id   text,
    status       text        NOT NULL CHECK (status IN ('applied', 'waiting', 'superseded')),
    received_at  timestamptz NOT NULL DEFAULT now(),
    applied_at   timestamptz
);

CREATE INDEX inbox_waiting ON inbox (source, aggregate_id, seq) WHERE status = 'waiting';
-- Retention deletes processed rows (their aggregate's checkpoint still refuses old duplicates).
CREATE INDEX inbox_done ON inbox (received_at) WHERE status <> 'waiting';

CREATE TABLE inbox_checkpoint (
    source       text   NOT NULL,
    aggregate_id text   NOT NULL,
    last_seq     bigint NOT NULL,
    PRIMARY KEY (source, aggregate_id)
);
