-- Access to the HTTP API: tokens (only their SHA-256 is stored; the secret is shown once, when
-- the token is created) and the audit of every balance change and job launch made through it.

CREATE TABLE api_tokens (
    id          uuid        PRIMARY KEY,
    name        text        NOT NULL,
    role        text        NOT NULL CHECK (role IN ('admin', 'finance', 'customer')),
    customer_id uuid,                       -- the customer a customer token may read; null otherwise
    token_hash  bytea       NOT NULL UNIQUE,
    tm_create   timestamptz NOT NULL DEFAULT now(),
    tm_revoke   timestamptz,
    CHECK ((role = 'customer') = (customer_id IS NOT NULL))
);

CREATE TABLE api_audit (
    id         bigserial   PRIMARY KEY,
    tm_create  timestamptz NOT NULL DEFAULT now(),
    token_id   uuid        NOT NULL,
    token_name text        NOT NULL,
    role       text        NOT NULL,
    action     text        NOT NULL,        -- balance.add | job.launch | job.stop | job.restart | webhook.create | ...
    target     text        NOT NULL,        -- the account, execution or subscription acted on
    detail     text
);

CREATE INDEX api_audit_target_idx ON api_audit (target, tm_create);
