-- Reconciliation: per run, every account's balance equation and every finding.
-- A run writes under its job instance; publishing (published_runs, V3) makes it the period's
-- result and removes the rows of the run it replaces, in one transaction.

-- The balance chain of an account in posting order.
CREATE INDEX billing_billings_account_seq_idx ON billing_billings (account_id, posting_seq);

CREATE TABLE reconciliation_accounts (
    job_instance_id bigint  NOT NULL,
    account_id      uuid    NOT NULL,
    customer_id     uuid,
    account_name    text,
    account_exists  boolean NOT NULL,
    opening         bigint  NOT NULL,   -- micro-USD: snapshot of the last row posted before the period
    credits         bigint  NOT NULL,   -- top-ups, refunds, positive adjustments posted in the period
    charges_call    bigint  NOT NULL,   -- posted usage, positive = charged (ties out with cost-report)
    charges_sms     bigint  NOT NULL,
    charges_number  bigint  NOT NULL,
    other_debits    bigint  NOT NULL,   -- everything else that moved the balance (negative adjustments, ...)
    closing         bigint  NOT NULL,   -- snapshot of the last row posted in the period (opening if none)
    stored_balance  bigint,             -- billing_accounts.balance_credit, for a period that includes now
    ledger_rows     bigint  NOT NULL,
    finding_kinds   text    NOT NULL,   -- '' when clean, else the kinds found, comma separated
    PRIMARY KEY (job_instance_id, account_id)
);

CREATE TABLE reconciliation_findings (
    job_instance_id bigint NOT NULL,
    finding_key     text   NOT NULL,
    kind            text   NOT NULL,
    account_id      uuid   NOT NULL,
    ledger_id       uuid,
    expected        bigint,
    actual          bigint,
    difference      bigint,
    detail          text   NOT NULL,
    PRIMARY KEY (job_instance_id, finding_key)
);

CREATE INDEX reconciliation_findings_kind_idx ON reconciliation_findings (job_instance_id, kind);


-- Micro-USD as exact decimal USD text with six decimals, for human-readable finding details.
CREATE FUNCTION usd(micros bigint) RETURNS text LANGUAGE sql IMMUTABLE AS
$$ SELECT to_char(micros / 1000000.0, 'FM999999999999990.000000') $$;
