-- verify-seals: every seal of every published reconciliation run, recomputed from the ledger as it is
-- now. A run writes its summary and findings under its job instance; publishing it (published_runs,
-- job 'verify-seals') makes it the period's result and removes the rows of the run it replaces.

CREATE TABLE seal_verifications (
    job_instance_id bigint      PRIMARY KEY,
    sealed_through  timestamptz NOT NULL,   -- the ranges checked are those sealed up to this instant
    ranges_checked  bigint      NOT NULL,   -- published reconciliation runs with seals
    seals_checked   bigint      NOT NULL,   -- seal rows (account x range)
    rows_read       bigint      NOT NULL,   -- ledger rows read once, in the span of the sealed ranges
    rows_checked    bigint      NOT NULL,   -- ledger rows counted into a sealed range (a row in a day and its month counts twice)
    findings        bigint      NOT NULL
);

CREATE TABLE seal_findings (
    job_instance_id        bigint      NOT NULL,   -- the verify-seals run
    sealed_instance_id     bigint      NOT NULL,   -- the reconciliation run whose seal no longer holds
    account_id             uuid        NOT NULL,
    kind                   text        NOT NULL,   -- sealed_period_changed
    period                 text        NOT NULL,   -- the sealed range: its period, zone and instants
    zone                   text        NOT NULL,
    period_start           timestamptz NOT NULL,
    period_end             timestamptz NOT NULL,
    expected_rows          bigint,                 -- as sealed (null: the account is not in the seal)
    actual_rows            bigint      NOT NULL,   -- in the ledger now
    expected_digest        numeric,
    actual_digest          numeric     NOT NULL,
    expected_last_seq      bigint,                 -- the last posting before the period's end, as sealed
    actual_last_seq        bigint,                 -- and as the ledger has it now
    expected_snapshot      bigint,
    actual_snapshot        bigint,
    detail                 text        NOT NULL,
    PRIMARY KEY (job_instance_id, sealed_instance_id, account_id)
);
