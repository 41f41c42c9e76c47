-- The reconciliation writes the seals of V17 and starts each period from the latest one at or
-- before its start. The account step stores, beside each account's equation, what its seal will
-- hold; the publish step copies it into reconciliation_seals in the transaction that publishes.
ALTER TABLE reconciliation_accounts
    ADD COLUMN last_posting_seq  bigint,    -- the account's last posting before the period's end (null: none)
    ADD COLUMN last_snapshot     bigint,    -- that posting's snapshot (0 when none)
    ADD COLUMN last_expected     bigint,    -- the snapshot the chain expected of it (see below)
    ADD COLUMN row_digest        numeric;   -- sum of ledger_row_digest over the rows posted in the period

-- Change to V17's contract (an added column, nothing removed): what the chain expected of the last
-- posting, i.e. the snapshot of the posting before it + its amount (0 when there is no posting;
-- null when its amount is NULL or beyond the sanity bound). It differs from closing_snapshot only
-- when that posting's snapshot alone is off; the next period then reports no second chain break at
-- its first row, whose snapshot carries the true balance on (as a run from the beginning decides).
ALTER TABLE reconciliation_seals ADD COLUMN expected_snapshot bigint;

-- Rows in progress, for stuck_progressing: a handful at any time, found without scanning the ledger.
CREATE INDEX billing_billings_progressing_idx ON billing_billings ((coalesce(tm_billing_start, tm_create)))
    WHERE status = 'progressing' AND tm_delete IS NULL;
