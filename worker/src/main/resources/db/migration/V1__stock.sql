-- available + reserved changes only through PUT /stock/{sku}; reservations move units between them.
CREATE TABLE stock (
    sku        text PRIMARY KEY,
    available  bigint      NOT NULL CHECK (available >= 0),
    reserved   bigint      NOT NULL DEFAULT 0 CHECK (reserved >= 0),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- One row per order the worker was asked about: what it reserved, or why it could not.
CREATE TABLE reservations (
    order_id   text PRIMARY KEY,
    items      jsonb       NOT NULL,
    status     text        NOT NULL CHECK (status IN ('RESERVED', 'RELEASED', 'REJECTED')),
    reason     text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
