-- Issue 9, item 6: the reconciliation reads a period's rows once. Its account step sorts the rows read
-- (from the seal's instant to the period's end) by account and posting_seq a single time, sums each
-- account's period from that stream and checks the chain on it; it keeps, per account, the first
-- posting read and the few rows the ledger step must look at (candidates): the rows whose snapshot is
-- not the previous row's snapshot + their amount (the first row read always is), and the rows that fail
-- one of the row checks (amount out of bound, charged failed call, rating). The ledger step then judges
-- only those rows, each with the two rows read before it (by the (account_id, posting_seq) index),
-- instead of windowing the whole period a second time. Work rows of a run, removed when it is published.
CREATE TABLE reconciliation_read_accounts (
    job_instance_id bigint      NOT NULL,
    read_start      timestamptz NOT NULL,   -- the start of the range reported (the period's, or a month's gap's)
    account_id      uuid        NOT NULL,
    first_seq       bigint,                 -- the first posting read for the account (from the seal's instant)
    candidates      bigint[]    NOT NULL,   -- posting_seq of the rows the ledger step judges
    PRIMARY KEY (job_instance_id, read_start, account_id)
);

-- Rows posted without a posting_seq (only a faulty writer leaves one) are in no chain; the ledger step
-- still checks them for the row findings, found by this index (empty on a sound ledger; progressing rows,
-- with neither column, are not in it).
CREATE INDEX billing_billings_unsequenced_idx ON billing_billings (tm_posted) WHERE posting_seq IS NULL AND tm_posted IS NOT NULL;
