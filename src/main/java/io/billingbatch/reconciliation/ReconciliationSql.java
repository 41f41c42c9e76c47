package io.billingbatch.reconciliation;

import io.billingbatch.ledger.PostedCharges;

/**
 * The set work of the reconciliation, done by PostgreSQL; the steps read what comes back.
 * {@code bounds} is {@code NOT MATERIALIZED}: it is referenced many times, and a materialized CTE
 * is parallel-restricted, which kept every scan and grouping of the period in one process; inlined,
 * its values are the statement's parameters. For the same reason the money texts are written as
 * {@code usd()}'s body ({@code to_char(micros / 1000000.0, 'FM999999999999990.000000')}): {@code usd}
 * is not declared PARALLEL SAFE, and one such call anywhere forbids workers for the whole statement.
 */
public final class ReconciliationSql {

    private ReconciliationSql() {
    }

    /**
     * The condition that keeps a partition's accounts ({@code io.billingbatch.partition.AccountRange}):
     * {@code bounds.lo} (inclusive) to {@code bounds.hi} (exclusive), each NULL for an open end; both
     * NULL (an unpartitioned run) fold to true when the statement is planned with its values.
     */
    static String inRange(String column) {
        return "(bounds.lo IS NULL OR " + column + " >= bounds.lo) AND (bounds.hi IS NULL OR " + column + " < bounds.hi)";
    }

    /**
     * The period's one read. The ledger rows from the seal the run starts from (its period's end; the
     * beginning of the ledger when there is none) up to the period's end are sorted once by account
     * and posting_seq (in the parallel workers, with what each row contributes computed there: its
     * class of amount, its digest (stored with the row, V29), whether a row check may hold for it); on
     * that stream each account's chain is checked against the row before it, and the account's posting
     * marks, the period's sums, and the count and digest its seal will hold are summed. What the ledger
     * step must judge is kept as the account's candidates: the rows whose snapshot is not the previous
     * row's + their amount (the first row read always is), whose amount is NULL or beyond the bound, or
     * for which a row check may hold (charged failed call, rating by the rate in force, {@link RateInForce}). The
     * snapshots are then looked up by their unique posting_seq, or taken from the seal when its
     * posting is the latest; the last posting's expected snapshot is its own when the read found it
     * chained (each probe is gated on the account's values). Charges use the cost report's rules
     * (posted usage, not deleted) so both reports tie out. A row whose amount is NULL or beyond the
     * sanity bound is in no sum (the ledger step reports it as {@code invalid_amount}), exactly as the
     * cost report leaves it out; the sums are numeric and checked against a long when read. An
     * account of the seal is in scope while it has postings or a billing_accounts row, as it would be
     * read from the beginning.
     * Parameters: the seal's job instance (-1: none), its instant (-infinity: none), period start,
     * period end, bound (micro-USD), the partition's first account and its end (NULL: open), then the
     * rate card's ({@link RateInForce#arguments}).
     */
    public static final String ACCOUNT_BALANCES = PostedCharges.expand("""
            WITH bounds AS NOT MATERIALIZED (SELECT CAST(? AS bigint) AS seal, CAST(? AS timestamptz) AS sealed_to,
                                   CAST(? AS timestamptz) AS ps, CAST(? AS timestamptz) AS pe,
                                   CAST(? AS bigint) AS max_amount, CAST(? AS uuid) AS lo, CAST(? AS uuid) AS hi),
            read AS ( -- each row read, with what the sums and checks need of it, computed in the workers
                SELECT b.account_id, b.posting_seq, b.amount_credit AS amount, b.balance_credit_snapshot AS snapshot,
                       CASE WHEN b.tm_posted >= bounds.ps THEN b.row_digest END AS digest,
                       CASE WHEN b.tm_posted < bounds.ps THEN -1 -- between the seal and the period: carries the chain
                            WHEN b.amount_credit IS NULL OR b.amount_credit NOT BETWEEN -bounds.max_amount AND bounds.max_amount
                                THEN 0 -- in no sum: the ledger step reports it as invalid_amount
                            WHEN {posted_usage} THEN CASE WHEN {is_call} THEN 3 WHEN {is_sms} THEN 4 WHEN {is_number} THEN 5 ELSE 1 END
                            WHEN b.tm_delete IS NULL AND b.transaction_type IN ('top_up', 'refund', 'adjustment')
                                 AND b.amount_credit > 0 THEN 2
                            ELSE 1 END AS class,
                       b.tm_posted >= bounds.ps -- a row check may hold (an amount out of bound is class 0)
                           AND ((b.tm_delete IS NULL AND b.reference_type = 'call' AND b.usage_duration = 0 AND b.amount_credit <> 0)
                                OR ({posted_usage}
                                    AND {charge_reference}
                                    AND (b.billable_units IS DISTINCT FROM CASE b.reference_type WHEN 'call' THEN b.usage_duration ELSE 1 END
                                         -- no rate in force: NULL, distinct from any amount
                                         OR b.amount_credit IS DISTINCT FROM -({rate_in_force} * b.billable_units)))) AS flagged
                FROM billing_billings b CROSS JOIN bounds
                WHERE b.tm_posted >= bounds.sealed_to AND b.tm_posted < bounds.pe AND {in_range_b}
            ),
            chained AS ( -- in posting_seq order per account: does each row carry on the snapshot of the row before it
                SELECT r.account_id, r.posting_seq, r.amount, r.digest, r.class, r.flagged,
                       r.snapshot = lag(r.snapshot) OVER w + r.amount AS chained -- NULL for the first row read
                FROM read r
                -- posting_seq is unique: the other keys never decide the order, they make the workers compute
                -- them before the sort instead of the leader after it (so only raw columns may appear beside
                -- the window function: any other use of them would carry their columns through the sort)
                WINDOW w AS (PARTITION BY r.account_id ORDER BY r.posting_seq, r.digest, r.class, r.flagged)
            ),
            marks AS (
                SELECT c.account_id, min(c.posting_seq) AS first_seq,
                       max(c.posting_seq) FILTER (WHERE c.class < 0) AS opening_seq,
                       min(c.posting_seq) FILTER (WHERE c.class >= 0) AS period_first_seq,
                       max(c.posting_seq) FILTER (WHERE c.class >= 0) AS closing_seq,
                       count(c.digest) AS ledger_rows,
                       coalesce(sum(c.digest), 0) AS row_digest,
                       coalesce(sum(c.amount) FILTER (WHERE c.class > 0), 0) AS net,
                       coalesce(sum(c.amount) FILTER (WHERE c.class = 2), 0) AS credits,
                       coalesce(-sum(c.amount) FILTER (WHERE c.class = 3), 0) AS charges_call,
                       coalesce(-sum(c.amount) FILTER (WHERE c.class = 4), 0) AS charges_sms,
                       coalesce(-sum(c.amount) FILTER (WHERE c.class = 5), 0) AS charges_number,
                       coalesce(array_agg(c.posting_seq) FILTER (WHERE c.posting_seq IS NOT NULL
                           AND (c.flagged OR c.class = 0 OR (c.class > 0 AND c.chained IS NOT TRUE))), '{}') AS candidates
                FROM chained c
                GROUP BY c.account_id
            ),
            seal AS (
                SELECT s.account_id, s.last_posting_seq, s.closing_snapshot, s.expected_snapshot, s.row_count
                FROM reconciliation_seals s, bounds
                WHERE s.job_instance_id = bounds.seal AND {in_range_s}
            ),
            scope AS (
                SELECT account_id FROM marks
                UNION
                SELECT account_id FROM seal WHERE last_posting_seq IS NOT NULL OR row_count > 0
                UNION
                SELECT id FROM billing_accounts, bounds WHERE {in_range_id}
            )
            SELECT s.account_id, a.customer_id, a.name AS account_name, a.id IS NOT NULL AS account_exists,
                   a.balance_credit AS stored_balance,
                   CASE WHEN m.opening_seq IS NOT NULL AND (sl.last_posting_seq IS NULL OR m.opening_seq > sl.last_posting_seq)
                        THEN coalesce((SELECT o.balance_credit_snapshot FROM billing_billings o WHERE o.posting_seq = m.opening_seq), 0)
                        ELSE coalesce(sl.closing_snapshot, 0) END AS opening,
                   cl.snapshot AS closing_snapshot,
                   greatest(sl.last_posting_seq, m.opening_seq, m.closing_seq) AS last_posting_seq,
                   CASE WHEN l.found THEN coalesce(l.snapshot, 0) ELSE coalesce(sl.closing_snapshot, 0) END AS last_snapshot,
                   CASE WHEN l.found THEN l.expected WHEN sl.account_id IS NOT NULL THEN sl.expected_snapshot ELSE 0 END
                       AS last_expected,
                   coalesce(m.net, 0) AS net, coalesce(m.credits, 0) AS credits,
                   coalesce(m.charges_call, 0) AS charges_call, coalesce(m.charges_sms, 0) AS charges_sms,
                   coalesce(m.charges_number, 0) AS charges_number, coalesce(m.ledger_rows, 0) AS ledger_rows,
                   coalesce(m.row_digest, 0) AS row_digest, m.period_first_seq AS first_seq, m.closing_seq,
                   m.account_id IS NOT NULL AS rows_read, m.first_seq AS read_first_seq, m.candidates
            FROM scope s CROSS JOIN bounds
            LEFT JOIN marks m ON m.account_id = s.account_id
            LEFT JOIN seal sl ON sl.account_id = s.account_id
            LEFT JOIN billing_accounts a ON a.id = s.account_id
            LEFT JOIN LATERAL (SELECT c.balance_credit_snapshot AS snapshot FROM billing_billings c
                               WHERE c.posting_seq = m.closing_seq) cl ON true
            LEFT JOIN LATERAL (
                -- the account's last posting before the period's end, unless it is the seal's and the chain
                -- before it is the sealed one: its snapshot, and what the chain expected of it (the posting
                -- before it + its amount); a row read that was posted before the seal's last posting puts a
                -- new posting before that one. Mostly it is the period's closing posting, and the read found it
                -- carrying on the row before it (not a candidate): the chain expected its own snapshot then,
                -- and no probe is made (each branch is gated on the account's values alone)
                SELECT true AS found, cl.snapshot, cl.snapshot AS expected
                WHERE {last_is_closing}
                UNION ALL
                (SELECT true AS found, r.balance_credit_snapshot AS snapshot,
                        CASE WHEN r.amount_credit BETWEEN -bounds.max_amount AND bounds.max_amount
                             THEN coalesce((SELECT p.balance_credit_snapshot FROM billing_billings p
                                            WHERE p.account_id = r.account_id AND p.posting_seq < r.posting_seq
                                              AND p.tm_posted < bounds.pe
                                            ORDER BY p.posting_seq DESC LIMIT 1), 0) + r.amount_credit END AS expected
                 FROM billing_billings r
                 WHERE r.posting_seq = greatest(m.opening_seq, m.closing_seq,
                                                CASE WHEN m.first_seq < sl.last_posting_seq THEN sl.last_posting_seq END)
                   AND (sl.last_posting_seq IS NULL OR greatest(m.opening_seq, m.closing_seq) > sl.last_posting_seq
                        OR m.first_seq < sl.last_posting_seq)
                   AND m.account_id IS NOT NULL AND NOT {last_is_closing}
                 LIMIT 1) -- posting_seq is unique: keeps this a probe of its index per account, never a hash of the period
            ) l ON true
            ORDER BY s.account_id
            """).replace("{last_is_closing}", """
                (m.closing_seq IS NOT NULL AND (m.opening_seq IS NULL OR m.closing_seq > m.opening_seq)
                 AND (sl.last_posting_seq IS NULL OR m.first_seq > sl.last_posting_seq)
                 AND NOT m.closing_seq = ANY (m.candidates))""")
            .replace("{in_range_b}", inRange("b.account_id")).replace("{in_range_s}", inRange("s.account_id"))
            .replace("{in_range_id}", inRange("id"));

    /**
     * The row-level findings of a period, judged on the rows the account step's read left as
     * candidates ({@code reconciliation_read_accounts} under the run and the start of the range it
     * reported), each with the two rows read before it, found by the (account_id, posting_seq) index:
     * the period is not read a second time. A chain break compares each row with the row posted
     * before it for the same account (in posting_seq order), among the rows read from the run's seal
     * (its instant) up to the period's end: the first row after the seal is compared with the
     * seal's closing snapshot. Only the first row of a break is reported: a row that agrees with
     * the row two back (the previous row's snapshot alone was off, so this one carries the true
     * balance on) is not a second break; for the first row after the seal, the seal's expected
     * snapshot stands for that. An account with a row read that was posted (posting_seq) before the
     * seal's last posting is read from the beginning, so the chain is the one a run from the
     * beginning would see. A row stuck in {@code progressing} is a state, not an event of one
     * period: every period that ends after it started reports it while it is stuck when the run
     * looks (a row that got stuck late on the last day of a period is older than the threshold only
     * by the next period's run). A row whose amount is NULL or beyond the sanity bound is an
     * {@code invalid_amount} finding and nothing else (no chain break, no rating mismatch of its
     * own). The row checks look at the candidates, at every row of an account that does not exist or
     * is deleted, and at rows posted without a posting_seq. Parameters: the run's job instance, the
     * seal's job instance (-1: none), its instant (-infinity: none), period start, period end, the
     * instant before which a progressing row counts as stuck, the bound (micro-USD), the partition's
     * first account and its end (NULL: open).
     */
    public static final String LEDGER_FINDINGS = PostedCharges.expand("""
            WITH bounds AS NOT MATERIALIZED (SELECT CAST(? AS bigint) AS run, CAST(? AS bigint) AS seal,
                                   CAST(? AS timestamptz) AS sealed_to, CAST(? AS timestamptz) AS ps,
                                   CAST(? AS timestamptz) AS pe, CAST(? AS timestamptz) AS stuck_before,
                                   CAST(? AS bigint) AS max_amount, CAST(? AS uuid) AS lo, CAST(? AS uuid) AS hi),
            rates AS (
                SELECT reference_type, credit_per_unit, effective_from,
                       coalesce(lead(effective_from) OVER (PARTITION BY reference_type ORDER BY effective_from),
                                'infinity'::timestamptz) AS effective_to
                FROM billing_rates
            ),
            seal AS (
                SELECT s.account_id, s.last_posting_seq, s.closing_snapshot, s.expected_snapshot
                FROM reconciliation_seals s, bounds
                WHERE s.job_instance_id = bounds.seal AND {in_range_s}
            ),
            read AS ( -- what the account step kept of each account it read rows of
                SELECT ra.account_id, ra.first_seq, ra.candidates
                FROM reconciliation_read_accounts ra, bounds
                WHERE ra.job_instance_id = bounds.run AND ra.read_start = bounds.ps AND {in_range_ra}
            ),
            tangled AS ( -- posted before the seal's last posting yet read after the seal: read from the beginning
                SELECT r.account_id FROM read r JOIN seal s ON s.account_id = r.account_id
                WHERE r.first_seq < s.last_posting_seq
            ),
            candidates AS ( -- each candidate with the two rows read before it (n: 1 for the first row read, 2, or more)
                SELECT b.id, b.account_id, b.posting_seq, b.tm_posted, b.amount_credit, b.balance_credit_snapshot,
                       CASE WHEN p1.posting_seq IS NULL THEN 1 WHEN p2.found IS NULL THEN 2 ELSE 3 END AS n,
                       p1.snapshot AS p1, p2.snapshot AS p2, p1.amount AS pa
                FROM read r CROSS JOIN bounds CROSS JOIN LATERAL unnest(r.candidates) AS c (posting_seq)
                JOIN billing_billings b ON b.posting_seq = c.posting_seq
                LEFT JOIN LATERAL ( -- by billing_billings_account_seq_idx, between the first row read and this one
                    SELECT p.posting_seq, p.balance_credit_snapshot AS snapshot, p.amount_credit AS amount
                    FROM billing_billings p
                    WHERE p.account_id = r.account_id AND p.posting_seq >= r.first_seq AND p.posting_seq < b.posting_seq
                      AND p.tm_posted >= bounds.sealed_to AND p.tm_posted < bounds.pe
                      AND b.posting_seq > r.first_seq -- gated: the first row read has none (a day's candidates mostly)
                    ORDER BY p.posting_seq DESC LIMIT 1
                ) p1 ON true
                LEFT JOIN LATERAL (
                    SELECT true AS found, p.balance_credit_snapshot AS snapshot
                    FROM billing_billings p
                    WHERE p.account_id = r.account_id AND p.posting_seq >= r.first_seq AND p.posting_seq < p1.posting_seq
                      AND p.tm_posted >= bounds.sealed_to AND p.tm_posted < bounds.pe
                      AND p1.posting_seq IS NOT NULL
                    ORDER BY p.posting_seq DESC LIMIT 1
                ) p2 ON true
                WHERE r.account_id NOT IN (SELECT account_id FROM tangled)
            ),
            linked AS (
                SELECT c.*, coalesce(s.closing_snapshot, 0) AS base_snapshot,
                       CASE WHEN s.account_id IS NULL THEN 0 ELSE s.expected_snapshot END AS base_expected
                FROM candidates c LEFT JOIN seal s ON s.account_id = c.account_id
                UNION ALL
                SELECT r.*, 0, 0
                FROM tangled t CROSS JOIN bounds CROSS JOIN LATERAL ( -- by billing_billings_account_seq_idx, never a scan
                    SELECT b.id, b.account_id, b.posting_seq, b.tm_posted, b.amount_credit, b.balance_credit_snapshot,
                           row_number() OVER w AS n, lag(b.balance_credit_snapshot) OVER w AS p1,
                           lag(b.balance_credit_snapshot, 2) OVER w AS p2, lag(b.amount_credit) OVER w AS pa
                    FROM billing_billings b
                    WHERE b.account_id = t.account_id AND b.posting_seq IS NOT NULL AND b.tm_posted < bounds.pe
                    WINDOW w AS (ORDER BY b.posting_seq)
                ) r
            ),
            checked AS ( -- the rows a row check may hold for: the candidates (as found above; a tangled account's
                         -- by their posting_seq), every row of an account that does not exist or is deleted (by the
                         -- account's index), and rows posted without a posting_seq
                SELECT c.id FROM candidates c
                UNION
                SELECT b.id FROM read r JOIN tangled t ON t.account_id = r.account_id
                CROSS JOIN LATERAL unnest(r.candidates) AS c (posting_seq)
                JOIN billing_billings b ON b.posting_seq = c.posting_seq
                UNION
                SELECT b.id
                FROM read r CROSS JOIN bounds LEFT JOIN billing_accounts a ON a.id = r.account_id
                CROSS JOIN LATERAL ( -- by billing_billings_account_posted_idx, only these accounts' rows (OFFSET 0: never
                                     -- flattened into a join the planner could make a read of the whole period)
                    SELECT b.id FROM billing_billings b
                    WHERE b.account_id = r.account_id AND b.tm_posted >= bounds.ps AND b.tm_posted < bounds.pe OFFSET 0
                ) b
                WHERE a.id IS NULL OR a.tm_delete IS NOT NULL
                UNION
                SELECT b.id FROM billing_billings b, bounds -- billing_billings_unsequenced_idx
                WHERE b.posting_seq IS NULL AND b.tm_posted >= bounds.ps AND b.tm_posted < bounds.pe AND {in_range_b}
            ),
            judged AS ( -- each row with the snapshot before it and what the chain expected of that snapshot
                SELECT l.id, l.account_id, l.tm_posted, l.amount_credit, l.balance_credit_snapshot,
                       CASE WHEN l.n > 1 THEN l.p1 ELSE l.base_snapshot END AS previous_snapshot,
                       CASE WHEN l.n = 1 THEN l.base_expected
                            WHEN l.pa BETWEEN -bounds.max_amount AND bounds.max_amount
                                THEN CASE WHEN l.n = 2 THEN l.base_snapshot ELSE l.p2 END + l.pa END AS previous_expected
                FROM linked l, bounds
            )
            SELECT 'chain_break' AS kind, c.account_id, c.id AS ledger_id,
                   c.previous_snapshot + c.amount_credit AS expected, c.balance_credit_snapshot AS actual,
                   'snapshot != previous snapshot ' || to_char((c.previous_snapshot) / 1000000.0, 'FM999999999999990.000000') || ' + amount ' || coalesce(to_char((c.amount_credit) / 1000000.0, 'FM999999999999990.000000'), 'null') AS detail
            FROM judged c, bounds
            WHERE CASE WHEN c.tm_posted < bounds.ps OR c.amount_credit IS NULL
                            OR c.amount_credit NOT BETWEEN -bounds.max_amount AND bounds.max_amount THEN false
                       ELSE c.balance_credit_snapshot IS DISTINCT FROM c.previous_snapshot + c.amount_credit
                            AND c.balance_credit_snapshot IS DISTINCT FROM c.previous_expected + c.amount_credit END
            UNION ALL
            SELECT 'stuck_progressing', b.account_id, b.id, NULL, b.amount_credit,
                   'progressing since ' || coalesce(b.tm_billing_start, b.tm_create)
            FROM billing_billings b, bounds
            WHERE b.status = 'progressing' AND b.tm_delete IS NULL -- billing_billings_progressing_idx
              AND coalesce(b.tm_billing_start, b.tm_create) < least(bounds.pe, bounds.stuck_before)
              AND {in_range_b}
            UNION ALL -- the kinds that are conditions on one row of the period, in one read of it
            SELECT k.kind, b.account_id, b.id, k.expected, b.amount_credit, k.detail
            FROM checked x CROSS JOIN bounds JOIN billing_billings b ON b.id = x.id
            LEFT JOIN rates r ON {posted_usage}
                             AND r.reference_type = b.reference_type
                             AND b.tm_billing_start >= r.effective_from AND b.tm_billing_start < r.effective_to
            LEFT JOIN billing_accounts a ON a.id = b.account_id
            CROSS JOIN LATERAL (VALUES
                ('rating_mismatch',
                 {posted_usage}
                     AND {charge_reference}
                     AND b.amount_credit BETWEEN -bounds.max_amount AND bounds.max_amount
                     AND (r.credit_per_unit IS NULL
                          OR b.billable_units IS DISTINCT FROM CASE b.reference_type WHEN 'call' THEN b.usage_duration ELSE 1 END
                          OR b.amount_credit IS DISTINCT FROM -(r.credit_per_unit * b.billable_units)),
                 -(r.credit_per_unit * CASE b.reference_type WHEN 'call' THEN b.usage_duration ELSE 1 END),
                 CASE WHEN r.credit_per_unit IS NULL THEN 'no rate in force for ' || b.reference_type || ' at ' || coalesce(b.tm_billing_start::text, 'null')
                      ELSE b.reference_type || ': ' || coalesce(b.billable_units::text, 'null') || ' unit(s) for duration '
                           || coalesce(b.usage_duration::text, 'null') || ' s at ' || to_char((r.credit_per_unit) / 1000000.0, 'FM999999999999990.000000') || ' USD per unit' END),
                ('invalid_amount',
                 b.amount_credit IS NULL OR b.amount_credit NOT BETWEEN -bounds.max_amount AND bounds.max_amount,
                 NULL,
                 CASE WHEN b.amount_credit IS NULL THEN 'amount_credit is NULL'
                      ELSE 'amount_credit ' || to_char((b.amount_credit) / 1000000.0, 'FM999999999999990.000000') || ' USD is beyond the bound of ±'
                           || to_char((bounds.max_amount) / 1000000.0, 'FM999999999999990.000000') || ' USD (billing.ledger.max-row-amount)' END),
                ('orphan',
                 a.id IS NULL OR a.tm_delete < b.tm_posted,
                 NULL,
                 CASE WHEN a.id IS NULL THEN 'account does not exist'
                      ELSE 'account deleted at ' || a.tm_delete || ', before the row was posted at ' || b.tm_posted END),
                ('charged_failed_call',
                 b.tm_delete IS NULL AND b.reference_type = 'call' AND b.usage_duration = 0 AND b.amount_credit <> 0,
                 0,
                 'zero-second call moved ' || to_char((b.amount_credit) / 1000000.0, 'FM999999999999990.000000') || ' USD')
            ) k (kind, found, expected, detail)
            WHERE b.tm_posted >= bounds.ps AND b.tm_posted < bounds.pe AND {in_range_b}
              AND (a.id IS NULL OR a.tm_delete < b.tm_posted -- only the rows with a finding go through the list
                   OR b.amount_credit IS NULL OR b.amount_credit NOT BETWEEN -bounds.max_amount AND bounds.max_amount
                   OR (b.tm_delete IS NULL AND b.reference_type = 'call' AND b.usage_duration = 0 AND b.amount_credit <> 0)
                   OR ({posted_usage}
                       AND {charge_reference}
                       AND (r.credit_per_unit IS NULL
                            OR b.billable_units IS DISTINCT FROM CASE b.reference_type WHEN 'call' THEN b.usage_duration ELSE 1 END
                            OR b.amount_credit IS DISTINCT FROM -(r.credit_per_unit * b.billable_units))))
              AND k.found
            ORDER BY 2, 1, 3
            """).replace("{in_range_b}", inRange("b.account_id")).replace("{in_range_s}", inRange("s.account_id"))
            .replace("{in_range_ra}", inRange("ra.account_id"));
}
