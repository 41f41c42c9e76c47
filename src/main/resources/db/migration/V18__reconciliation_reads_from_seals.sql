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

-- Change to V17's contract (same signature and meaning, other values): one row's fingerprint as the
-- XOR of its contract columns' own hashes, each with a seed of its own (a NULL column gives the seed
-- itself, so NULL and '' stay distinct); instants as epoch seconds (float8, exact to the microsecond
-- for these dates), so nothing depends on the session's TimeZone. V17's text of the whole row cost
-- 6 to 10 µs a row, because formatting the record as text is slow and because a body that is only
-- STABLE (extract and the record's text output) under an IMMUTABLE declaration is never inlined:
-- the reconciliation's one scan of a month took several times longer with it than without it. This
-- one is declared STABLE, so PostgreSQL inlines it into the scan (about 1.5 µs a row).
CREATE OR REPLACE FUNCTION ledger_row_digest(b billing_billings) RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT coalesce(uuid_hash_extended(b.id, 1), 1) # coalesce(uuid_hash_extended(b.account_id, 2), 2)
        # coalesce(uuid_hash_extended(b.customer_id, 3), 3) # coalesce(hashtextextended(b.transaction_type, 4), 4)
        # coalesce(hashtextextended(b.status, 5), 5) # coalesce(hashtextextended(b.reference_type, 6), 6)
        # coalesce(uuid_hash_extended(b.reference_id, 7), 7) # coalesce(hashint4extended(b.usage_duration, 8), 8)
        # coalesce(hashint4extended(b.billable_units, 9), 9) # coalesce(hashint8extended(b.rate_credit_per_unit, 10), 10)
        # coalesce(hashint8extended(b.amount_credit, 11), 11)
        # coalesce(hashint8extended(b.balance_credit_snapshot, 12), 12)
        # coalesce(hashint8extended(b.posting_seq, 13), 13)
        # coalesce(hashfloat8extended(date_part('epoch', b.tm_posted), 14), 14)
        # coalesce(hashfloat8extended(date_part('epoch', b.tm_billing_start), 15), 15)
        # coalesce(hashfloat8extended(date_part('epoch', b.tm_billing_end), 16), 16)
        # coalesce(hashfloat8extended(date_part('epoch', b.tm_delete), 17), 17) $$;
