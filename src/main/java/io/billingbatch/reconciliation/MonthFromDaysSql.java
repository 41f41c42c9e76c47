package io.billingbatch.reconciliation;

/**
 * The statements of a month assembled from its sealed days (see {@link MonthSegments}): what the
 * account and ledger steps read instead of {@link ReconciliationSql} when the run's plan reuses at
 * least one published day run. Each gives exactly the columns of its cold counterpart.
 */
final class MonthFromDaysSql {

    private MonthFromDaysSql() {
    }

    /** The row finding kinds that are facts about one ledger row of the period: a day's are the month's. */
    static final String REUSED_ROW_KINDS = "'chain_break', 'rating_mismatch', 'invalid_amount', 'charged_failed_call'";

    /**
     * Per segment and account posted to in it, its first and last posting (a reused day run's or a
     * gap's). Parameters: run, run.
     */
    private static final String SEGMENT_POSTINGS = """
            seg AS (
                SELECT s.segment_start, a.account_id, a.first_seq, a.closing_seq
                FROM reconciliation_segments s
                JOIN reconciliation_accounts a ON a.job_instance_id = s.sealed_job_instance_id AND a.ledger_rows > 0
                WHERE s.job_instance_id = ?
                UNION ALL
                SELECT g.segment_start, g.account_id, g.first_seq, g.closing_seq
                FROM reconciliation_gap_accounts g
                WHERE g.job_instance_id = ? AND g.ledger_rows > 0
            )""";

    /**
     * The month's accounts from its segments: the sums of what the segments posted (the days' as the
     * bigints they are stored as, grouped per account by hash, the gaps' numerics added after; only
     * the rows of accounts posted to in a segment), the opening of the segment that starts the month
     * and what the month's seal holds from the segment that ends it (a run's accounts include every
     * account posted to before its end); the closing snapshot of the month's largest closing
     * posting_seq: the one the last segment looked up when that posting is its closing one (most
     * accounts), otherwise looked up by it as a cold run does. Names, existence and stored balance as they are
     * now; the accounts in scope are a cold run's. Parameters: run, the partition's first account and
     * its end (NULL: open).
     */
    static final String ACCOUNT_BALANCES = """
            WITH run AS (SELECT CAST(? AS bigint) AS id),
            edges AS (
                SELECT min(x.segment_start) AS first_start, max(x.segment_start) AS last_start
                FROM reconciliation_segments x, run WHERE x.job_instance_id = run.id
            ),
            sums AS ( -- no numeric per row: 31 days of 20,000 accounts are 620,000 rows
                SELECT d.account_id, sum(d.credits) AS credits, sum(d.charges_call) AS charges_call,
                       sum(d.charges_sms) AS charges_sms, sum(d.charges_number) AS charges_number,
                       sum(d.other_debits) AS other_debits, sum(d.ledger_rows) AS ledger_rows, min(d.first_seq) AS first_seq,
                       max(d.closing_seq) AS closing_seq, sum(d.row_digest) AS row_digest
                FROM (
                    SELECT a.account_id, sum(a.credits) AS credits, sum(a.charges_call) AS charges_call,
                           sum(a.charges_sms) AS charges_sms, sum(a.charges_number) AS charges_number,
                           sum(a.other_debits) AS other_debits, sum(a.ledger_rows) AS ledger_rows,
                           min(a.first_seq) AS first_seq, max(a.closing_seq) AS closing_seq, sum(a.row_digest) AS row_digest
                    FROM reconciliation_accounts a
                    -- the reused runs as one array, not a join per segment: one bitmap scan, which runs in parallel
                    WHERE a.job_instance_id = ANY (ARRAY(SELECT s.sealed_job_instance_id FROM reconciliation_segments s, run
                                                         WHERE s.job_instance_id = run.id AND s.sealed_job_instance_id IS NOT NULL))
                      AND a.ledger_rows > 0
                    GROUP BY a.account_id
                    UNION ALL
                    SELECT g.account_id, g.credits, g.charges_call, g.charges_sms, g.charges_number,
                           g.credits - g.charges_call - g.charges_sms - g.charges_number - g.net, g.ledger_rows, g.first_seq,
                           g.closing_seq, g.row_digest
                    FROM reconciliation_gap_accounts g, run WHERE g.job_instance_id = run.id AND g.ledger_rows > 0
                ) d
                GROUP BY d.account_id
            ),
            edge_accounts AS ( -- every account of the segments that start and end the month
                SELECT e.account_id,
                       min(e.opening) FILTER (WHERE e.segment_start = edges.first_start) AS opening,
                       bool_or(e.segment_start = edges.last_start) AS in_last,
                       min(e.last_posting_seq) FILTER (WHERE e.segment_start = edges.last_start) AS last_posting_seq,
                       min(e.last_snapshot) FILTER (WHERE e.segment_start = edges.last_start) AS last_snapshot,
                       min(e.last_expected) FILTER (WHERE e.segment_start = edges.last_start) AS last_expected,
                       min(e.closing_seq) FILTER (WHERE e.segment_start = edges.last_start) AS last_closing_seq,
                       min(e.closing_snapshot) FILTER (WHERE e.segment_start = edges.last_start) AS last_closing_snapshot
                FROM (
                    SELECT s.segment_start, a.account_id, a.opening, a.last_posting_seq, a.last_snapshot, a.last_expected,
                           a.closing_seq, a.closing_snapshot
                    FROM reconciliation_segments s CROSS JOIN run CROSS JOIN edges
                    JOIN reconciliation_accounts a ON a.job_instance_id = s.sealed_job_instance_id
                    WHERE s.job_instance_id = run.id AND s.segment_start IN (edges.first_start, edges.last_start)
                    UNION ALL
                    SELECT g.segment_start, g.account_id, g.opening, g.last_posting_seq, g.last_snapshot, g.last_expected,
                           g.closing_seq, g.closing_snapshot
                    FROM reconciliation_gap_accounts g CROSS JOIN run CROSS JOIN edges
                    WHERE g.job_instance_id = run.id AND g.segment_start IN (edges.first_start, edges.last_start)
                ) e CROSS JOIN edges
                GROUP BY e.account_id
            ),
            marks AS (
                SELECT coalesce(x.account_id, y.account_id) AS account_id, y.opening,
                       x.credits - x.charges_call - x.charges_sms - x.charges_number - x.other_debits AS net,
                       x.credits, x.charges_call, x.charges_sms, x.charges_number, CAST(x.ledger_rows AS bigint) AS ledger_rows,
                       x.first_seq, x.closing_seq, x.row_digest, y.in_last, y.last_posting_seq, y.last_snapshot, y.last_expected,
                       y.last_closing_seq, y.last_closing_snapshot
                FROM sums x FULL JOIN edge_accounts y ON y.account_id = x.account_id
            ),
            scope AS ( -- as a cold run's: accounts with postings before the month's end, and every account row
                SELECT account_id FROM marks WHERE last_posting_seq IS NOT NULL OR ledger_rows > 0
                UNION
                SELECT id FROM billing_accounts
            )
            SELECT s.account_id, a.customer_id, a.name AS account_name, a.id IS NOT NULL AS account_exists,
                   a.balance_credit AS stored_balance,
                   coalesce(m.opening, 0) AS opening,
                   CASE WHEN m.closing_seq = m.last_closing_seq THEN m.last_closing_snapshot -- as the last segment looked it up
                        ELSE (SELECT c.balance_credit_snapshot FROM billing_billings c WHERE c.posting_seq = m.closing_seq)
                        END AS closing_snapshot,
                   coalesce(m.net, 0) AS net, coalesce(m.credits, 0) AS credits,
                   coalesce(m.charges_call, 0) AS charges_call, coalesce(m.charges_sms, 0) AS charges_sms,
                   coalesce(m.charges_number, 0) AS charges_number, coalesce(m.ledger_rows, 0) AS ledger_rows,
                   m.last_posting_seq, coalesce(m.last_snapshot, 0) AS last_snapshot,
                   CASE WHEN m.in_last THEN m.last_expected ELSE 0 END AS last_expected,
                   coalesce(m.row_digest, 0) AS row_digest, m.first_seq, m.closing_seq
            FROM scope s
            CROSS JOIN (SELECT CAST(? AS uuid) AS lo, CAST(? AS uuid) AS hi) bounds
            LEFT JOIN marks m ON m.account_id = s.account_id
            LEFT JOIN billing_accounts a ON a.id = s.account_id
            WHERE {in_range}
            ORDER BY s.account_id
            """.replace("{in_range}", ReconciliationSql.inRange("s.account_id"));

    /**
     * Accounts whose posting order disagrees with posting time across the segments: a segment holds
     * a posting earlier in posting_seq than one of an earlier segment. Their chain in the month is
     * not the chain each day saw, so such a month is read from the ledger. Parameters: run, run.
     */
    static final String REORDERED_ACCOUNTS = "WITH " + SEGMENT_POSTINGS + """

            SELECT count(DISTINCT account_id) FROM (
                SELECT seg.account_id, seg.first_seq,
                       max(seg.closing_seq) OVER (PARTITION BY seg.account_id ORDER BY seg.segment_start
                                                  ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS earlier_max
                FROM seg
            ) x
            WHERE x.first_seq IS NULL OR x.first_seq < x.earlier_max
            """;

    /**
     * The month's row findings: the reused kinds of its segments (copied from the reused day runs
     * and computed for the gaps when the run planned), then the kinds judged afresh over the whole
     * month: rows stuck in progressing as of the run's start and orphans (a fact about the account
     * as it is now), looked up per account of the month's own account step that was posted to and
     * does not exist or is deleted now. The texts are those of {@link ReconciliationSql#LEDGER_FINDINGS}.
     * Parameters: run, period start, period end, stuck before, run, period start, period end, the
     * partition's first account and its end (NULL: open).
     */
    static final String LEDGER_FINDINGS = """
            SELECT f.* FROM (
            SELECT g.kind, g.account_id, g.ledger_id, g.expected, g.actual, g.detail
            FROM reconciliation_gap_findings g
            WHERE g.job_instance_id = ?
            UNION ALL
            SELECT 'stuck_progressing', b.account_id, b.id, NULL, b.amount_credit,
                   'progressing since ' || coalesce(b.tm_billing_start, b.tm_create)
            FROM billing_billings b, (SELECT CAST(? AS timestamptz) AS ps, CAST(? AS timestamptz) AS pe,
                                             CAST(? AS timestamptz) AS stuck_before) bounds
            WHERE b.status = 'progressing' AND b.tm_delete IS NULL -- billing_billings_progressing_idx
              AND coalesce(b.tm_billing_start, b.tm_create) < least(bounds.pe, bounds.stuck_before)
            UNION ALL
            SELECT 'orphan', b.account_id, b.id, NULL, b.amount_credit,
                   CASE WHEN a.id IS NULL THEN 'account does not exist'
                        ELSE 'account deleted at ' || a.tm_delete || ', before the row was posted at ' || b.tm_posted END
            FROM (SELECT m.account_id FROM reconciliation_accounts m
                  WHERE m.job_instance_id = ? AND m.last_posting_seq IS NOT NULL
                    AND NOT EXISTS (SELECT 1 FROM billing_accounts live WHERE live.id = m.account_id AND live.tm_delete IS NULL)
                 ) candidate
            CROSS JOIN (SELECT CAST(? AS timestamptz) AS ps, CAST(? AS timestamptz) AS pe) bounds
            CROSS JOIN LATERAL ( -- by billing_billings_account_posted_idx, only the candidates' rows (OFFSET 0: never
                                 -- flattened into a join the planner made a read of the whole month, 3M rows: 1 s)
                SELECT b.id, b.account_id, b.amount_credit, b.tm_posted FROM billing_billings b
                WHERE b.account_id = candidate.account_id AND b.tm_posted >= bounds.ps AND b.tm_posted < bounds.pe OFFSET 0
            ) b
            LEFT JOIN billing_accounts a ON a.id = b.account_id
            WHERE a.id IS NULL OR a.tm_delete < b.tm_posted
            ) f CROSS JOIN (SELECT CAST(? AS uuid) AS lo, CAST(? AS uuid) AS hi) bounds
            WHERE {in_range}
            ORDER BY 2, 1, 3
            """.replace("{in_range}", ReconciliationSql.inRange("f.account_id"));
}
