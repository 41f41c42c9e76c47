-- Webhook subscriptions in the document's shape, and the outbox their events are delivered from.
-- Events are written to the outbox in the same transaction as the change they announce; a
-- dispatcher delivers them (at least once: receivers deduplicate by the event id header).

CREATE TABLE webhook_subscriptions (
    id          uuid        PRIMARY KEY,
    customer_id uuid,                       -- null: every customer's events (an admin subscription)
    name        text        NOT NULL,
    uri         text        NOT NULL,
    method      text        NOT NULL DEFAULT 'POST',
    event_types text[]      NOT NULL,
    secret      text        NOT NULL,       -- HMAC-SHA256 key of the signature header
    tm_create   timestamptz NOT NULL DEFAULT now(),
    tm_delete   timestamptz
);

CREATE TABLE webhook_outbox (
    id              bigserial   PRIMARY KEY,
    event_id        uuid        NOT NULL,
    subscription_id uuid        NOT NULL,
    event_type      text        NOT NULL,
    payload         text        NOT NULL,
    status          text        NOT NULL DEFAULT 'pending',   -- pending | delivered | dead
    attempts        int         NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text,
    tm_create       timestamptz NOT NULL DEFAULT now(),
    tm_delivered    timestamptz,
    UNIQUE (event_id, subscription_id)
);

CREATE INDEX webhook_outbox_due_idx ON webhook_outbox (next_attempt_at) WHERE status = 'pending';
