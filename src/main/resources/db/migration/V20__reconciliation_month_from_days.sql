-- Incremental month end: a month's reconciliation assembles the figures and row findings of the
-- published day runs it finds inside the month (sealed segments) and reads from the ledger only
-- the ranges no such run covers (gaps).

-- Per account of every run, the posting marks of its period: the first and last posting_seq posted
-- in it and the raw snapshot of the last (NULL where none). A month's closing is the snapshot of the
-- largest closing_seq of its segments, exactly as a cold run picks it, even where posting order and
-- posting time disagree; first_seq/closing_seq tell whether they do (then the month is read cold).
ALTER TABLE reconciliation_accounts
    ADD COLUMN first_seq        bigint,
    ADD COLUMN closing_seq      bigint,
    ADD COLUMN closing_snapshot bigint;

-- What a run's row findings depended on besides the ledger rows: the amount bound and the rate card.
-- A day run is reused by a month only if both are still the same (and only runs that have this row:
-- a run made before this migration is read again from the ledger) and it is sealed (V17, V18).
CREATE TABLE reconciliation_run_inputs (
    job_instance_id bigint PRIMARY KEY,
    max_row_amount  bigint NOT NULL,
    rates_digest    text   NOT NULL,
    first_seq       bigint,             -- the first and last posting_seq posted in the run's period (set at
    closing_seq     bigint              -- publish): a month whose segments follow each other in posting_seq
);                                      -- order needs no per-account look at its order

-- A month run's plan: its segments in order, each a published day run it reuses or a gap it reads.
CREATE TABLE reconciliation_segments (
    job_instance_id        bigint      NOT NULL,
    segment_start          timestamptz NOT NULL,
    segment_end            timestamptz NOT NULL,
    sealed_job_instance_id bigint,              -- the reused run; NULL for a gap read from the ledger
    sealed_period          text,                -- its period and zone, for the log and the README
    sealed_zone            text,
    PRIMARY KEY (job_instance_id, segment_start)
);

-- A gap's per-account figures, computed when the month run plans with the reconciliation's own
-- statement, and the row findings of every segment (a gap's computed, a reused day's copied), which
-- the month's ledger step reads; removed when the run is published.
CREATE TABLE reconciliation_gap_accounts (
    job_instance_id  bigint      NOT NULL,
    segment_start    timestamptz NOT NULL,
    account_id       uuid        NOT NULL,
    opening          bigint      NOT NULL,
    net              numeric     NOT NULL,
    credits          numeric     NOT NULL,
    charges_call     numeric     NOT NULL,
    charges_sms      numeric     NOT NULL,
    charges_number   numeric     NOT NULL,
    ledger_rows      bigint      NOT NULL,
    first_seq        bigint,
    closing_seq      bigint,
    closing_snapshot bigint,
    last_posting_seq bigint,
    last_snapshot    bigint      NOT NULL,
    last_expected    bigint,
    row_digest       numeric     NOT NULL,
    PRIMARY KEY (job_instance_id, segment_start, account_id)
);

CREATE TABLE reconciliation_gap_findings (
    job_instance_id bigint NOT NULL,
    kind            text   NOT NULL,
    account_id      uuid   NOT NULL,
    ledger_id       uuid,
    expected        bigint,
    actual          bigint,
    detail          text   NOT NULL
);
CREATE INDEX reconciliation_gap_findings_run_idx ON reconciliation_gap_findings (job_instance_id);
