-- Auto top-ups paid through a payment provider are reserved first, then paid, then posted:
-- a reservation is an auto_topups row with status 'pending' (no ledger row yet), written in the
-- auto-topup step's chunk; the payment step asks the provider with its idempotency key while no
-- lock is held and then, in a short transaction, posts the credit and marks the row 'posted'.
-- A run that stops in between leaves the row pending; the next run asks the provider again with
-- the same key (the provider charges a key once) and posts it. Rows written before are 'posted'.

ALTER TABLE auto_topups
    ADD COLUMN status text NOT NULL DEFAULT 'posted' CHECK (status IN ('pending', 'posted')),
    ADD COLUMN job_instance_id bigint,        -- the run that reserved it (its results get the outcome)
    ADD COLUMN attempts int NOT NULL DEFAULT 0, -- how often the provider was asked for it
    ALTER COLUMN ledger_id DROP NOT NULL,      -- null while pending
    ALTER COLUMN balance_after DROP NOT NULL;  -- null while pending

CREATE INDEX auto_topups_pending_idx ON auto_topups (tm_create) WHERE status = 'pending';
