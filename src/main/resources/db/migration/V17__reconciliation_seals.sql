-- Period close. A completed (published) reconciliation seals what it proved: per account, the last
-- posting before its period's end and the balance it left, and an order-independent digest of the
-- ledger rows posted in its period. The next period's run starts from the latest seal at or before
-- its start (published_runs gives each seal's instants: period_start, period_end) instead of from the
-- beginning of the ledger; verify-seals recomputes the digests to find rows changed behind a seal.
-- A seal belongs to its run: publishing a new revision of the period removes the old run's seals
-- with its other results, in the same transaction.

-- One ledger row's fingerprint: its contract columns as a record (NULL and '' stay distinct),
-- instants as epoch seconds so the text does not depend on the session's TimeZone.
CREATE FUNCTION ledger_row_digest(b billing_billings) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT hashtextextended(ROW(b.id, b.account_id, b.customer_id, b.transaction_type, b.status, b.reference_type,
           b.reference_id, b.usage_duration, b.billable_units, b.rate_credit_per_unit, b.amount_credit,
           b.balance_credit_snapshot, b.posting_seq, extract(epoch FROM b.tm_posted),
           extract(epoch FROM b.tm_billing_start), extract(epoch FROM b.tm_billing_end),
           extract(epoch FROM b.tm_delete))::text, 0) $$;

CREATE TABLE reconciliation_seals (
    job_instance_id  bigint  NOT NULL,   -- the reconciliation run; its period in published_runs
    account_id       uuid    NOT NULL,
    last_posting_seq bigint,             -- the account's last posting before the period's end (null: none)
    closing_snapshot bigint  NOT NULL,   -- that posting's balance_credit_snapshot (0 when none)
    row_count        bigint  NOT NULL,   -- ledger rows posted in [period_start, period_end)
    row_digest       numeric NOT NULL,   -- sum of ledger_row_digest over those rows (0 when none)
    PRIMARY KEY (job_instance_id, account_id)
);

-- The latest seal at or before an instant.
CREATE INDEX published_runs_end_idx ON published_runs (job_name, period_end);
