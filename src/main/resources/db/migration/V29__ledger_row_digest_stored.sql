-- The reconciliation's one read computed ledger_row_digest (V18) of every row it read: seventeen hashes
-- and four date_part calls a row, 3 - 4.5 s of the workers' time in a month of 10M rows, most of what
-- kept the job from its floor (issue 9, item 6). Computed once, when a row is written, as a stored
-- generated column, the read sums a column instead.
--
-- The ledger's writers go on as they are: an INSERT with or without a column list, an INSERT ... SELECT
-- of the twenty columns and a COPY with or without a column list never give a generated column
-- (PostgreSQL computes it), an UPDATE recomputes it, and nobody can set it. What does change: a SELECT *
-- sees one more column, the last, so a row copied whole with it (INSERT ... SELECT * from a copy of the
-- table, a COPY (SELECT * ...) loaded back with plain COPY, jsonb_populate_record of the table's type)
-- must leave row_digest out; CREATE TABLE ... (LIKE billing_billings) copies it as a plain column.
-- verify-seals still recomputes ledger_row_digest from the row's columns.
--
-- ledger_row_digest (V18) and ledger_row_digest_of must stay one function: a later change of either
-- must recompute the column (re-add it), or every seal reads as changed.
--
-- The value is ledger_row_digest(b)'s, bit for bit, so seals made before this migration still verify:
-- the instants go through timezone(interval '0', ...), an IMMUTABLE conversion to the timestamp with the
-- same microseconds, whose epoch is V18's date_part of the timestamptz (both compute (t - epoch) / 1e6
-- as float8). The function is IMMUTABLE through and through, so the column's expression inlines it.
--
-- Adding the column rewrites billing_billings and rebuilds its indexes under an ACCESS EXCLUSIVE lock
-- (51 s on the README's 10M-row ledger; twice the table's disk space meanwhile). It waits at most 10 s
-- for that lock (a running job holds the table): rather fail the start, to be run again when the ledger
-- is quiet, than queue every reader and writer of the ledger behind it.
SET LOCAL lock_timeout = '10s';
CREATE FUNCTION ledger_row_digest_of(id uuid, account_id uuid, customer_id uuid, transaction_type text, status text,
        reference_type text, reference_id uuid, usage_duration integer, billable_units integer,
        rate_credit_per_unit bigint, amount_credit bigint, balance_credit_snapshot bigint, posting_seq bigint,
        tm_posted timestamptz, tm_billing_start timestamptz, tm_billing_end timestamptz, tm_delete timestamptz)
RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT coalesce(uuid_hash_extended(id, 1), 1) # coalesce(uuid_hash_extended(account_id, 2), 2)
        # coalesce(uuid_hash_extended(customer_id, 3), 3) # coalesce(hashtextextended(transaction_type, 4), 4)
        # coalesce(hashtextextended(status, 5), 5) # coalesce(hashtextextended(reference_type, 6), 6)
        # coalesce(uuid_hash_extended(reference_id, 7), 7) # coalesce(hashint4extended(usage_duration, 8), 8)
        # coalesce(hashint4extended(billable_units, 9), 9) # coalesce(hashint8extended(rate_credit_per_unit, 10), 10)
        # coalesce(hashint8extended(amount_credit, 11), 11)
        # coalesce(hashint8extended(balance_credit_snapshot, 12), 12)
        # coalesce(hashint8extended(posting_seq, 13), 13)
        # coalesce(hashfloat8extended(date_part('epoch', timezone(interval '0', tm_posted)), 14), 14)
        # coalesce(hashfloat8extended(date_part('epoch', timezone(interval '0', tm_billing_start)), 15), 15)
        # coalesce(hashfloat8extended(date_part('epoch', timezone(interval '0', tm_billing_end)), 16), 16)
        # coalesce(hashfloat8extended(date_part('epoch', timezone(interval '0', tm_delete)), 17), 17) $$;

ALTER TABLE billing_billings ADD COLUMN row_digest bigint NOT NULL GENERATED ALWAYS AS (ledger_row_digest_of(id, account_id,
        customer_id, transaction_type, status, reference_type, reference_id, usage_duration, billable_units,
        rate_credit_per_unit, amount_credit, balance_credit_snapshot, posting_seq, tm_posted, tm_billing_start,
        tm_billing_end, tm_delete)) STORED;
