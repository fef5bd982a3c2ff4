CREATE TABLE orders (
    id              uuid PRIMARY KEY,
    customer_id     text        NOT NULL,
    status          text        NOT NULL CHECK (status IN ('PENDING', 'CONFIRMED', 'REJECTED', 'PAID', 'CANCELLED')),
    version         bigint      NOT NULL,
    items           jsonb       NOT NULL,
    reason          text,
    idempotency_key text,
    request_hash    text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    -- An idempotency key is the customer's own: another customer's key never collides with it.
    UNIQUE (customer_id, idempotency_key)
);

CREATE INDEX orders_by_customer ON orders (customer_id, created_at DESC);
