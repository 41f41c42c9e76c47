package io.billingbatch.seals;

/**
 * The set work of verify-seals, done by PostgreSQL in one transaction; its temporary tables go with
 * the transaction. The ledger is read once: {@link #CELLS} scans the rows posted in the span of the
 * sealed ranges and groups them by hash per account and elementary interval (the stretches between
 * consecutive range boundaries, found by {@code width_bucket} on the sorted boundaries, so a range
 * check needs no join on instants); the ranges' digests are then sums of their intervals' sums. No
 * statement sorts ledger rows.
 */
final class VerifySealsSql {

    private VerifySealsSql() {
    }

    /**
     * For this transaction only: memory for the hash aggregates (one that does not fit spills to
     * disk), and no sort at all, full or incremental, so that the planner never sorts ledger rows for
     * a group aggregate or a merge join, whatever it estimates. It overestimates the groups of
     * (account, interval) as one per row, so a hash aggregate looks as if it spilled and it would
     * rather read the account index in order and sort each account's rows (measured on 3M rows:
     * 43 s with that incremental sort and 2.4M random page reads, 27 s hashed over a sequential scan).
     */
    static final String SETTINGS = """
            SELECT set_config('work_mem', :workMem, true), set_config('enable_sort', 'off', true),
                   set_config('enable_incremental_sort', 'off', true)""";

    /**
     * The sealed ranges: every published reconciliation run that ended by {@code :sealedThrough} and
     * has seals (runs published before seals existed have none), in any zone.
     */
    static final String RANGES = """
            CREATE TEMPORARY TABLE seal_ranges ON COMMIT DROP AS
            SELECT r.job_instance_id, r.period, r.zone, r.period_start, r.period_end
            FROM published_runs r
            WHERE r.job_name = 'reconciliation' AND r.period_end <= :sealedThrough
              AND EXISTS (SELECT 1 FROM reconciliation_seals s WHERE s.job_instance_id = r.job_instance_id)
            """;

    static final String RANGE_BOUNDS = "SELECT period_start, period_end FROM seal_ranges";

    /**
     * The one pass over the ledger: per account and elementary interval (1-based, between
     * {@code :edges[i]} and {@code :edges[i+1]}), the rows, their digest and the last posting as
     * {@code [posting_seq, snapshot]} (array max compares the unique posting_seq first). Rows posted
     * from the first boundary to the last; a hash aggregate, no sort.
     */
    static final String CELLS = """
            CREATE TEMPORARY TABLE seal_cells ON COMMIT DROP AS
            SELECT b.account_id, width_bucket(b.tm_posted, CAST(:edges AS timestamptz[])) AS bucket,
                   count(*) AS row_count, sum(ledger_row_digest(b)) AS row_digest,
                   max(ARRAY[b.posting_seq, b.balance_credit_snapshot]) FILTER (WHERE b.posting_seq IS NOT NULL) AS last_posting
            FROM billing_billings b
            WHERE b.tm_posted >= :spanStart AND b.tm_posted < :spanEnd
            GROUP BY 1, 2
            """;

    /** Each range's elementary intervals: a range [edges[a], edges[b]) covers a .. b-1. */
    static final String RANGE_BUCKETS = """
            CREATE TEMPORARY TABLE seal_range_buckets ON COMMIT DROP AS
            SELECT g.job_instance_id,
                   generate_series(width_bucket(g.period_start, CAST(:edges AS timestamptz[])),
                                   width_bucket(g.period_end, CAST(:edges AS timestamptz[])) - 1) AS bucket
            FROM seal_ranges g
            """;

    /** The ledger now, per sealed range and account: the sums of the range's intervals (hash join and aggregate). */
    static final String ACTUAL = """
            CREATE TEMPORARY TABLE seal_actual ON COMMIT DROP AS
            SELECT k.job_instance_id, c.account_id, sum(c.row_count) AS row_count, sum(c.row_digest) AS row_digest,
                   max(c.last_posting) AS last_posting
            FROM seal_cells c
            JOIN seal_range_buckets k ON k.bucket = c.bucket
            GROUP BY k.job_instance_id, c.account_id
            """;

    /**
     * Every seal compared with the ledger now, and every account the ledger has in a sealed range
     * but the seal does not. An account with rows in the range has its last posting among them; one
     * without rows keeps the sealed posting, which must still be there: the same row (looked up by
     * its unique posting_seq), of the same account, posted before the range, with the same snapshot.
     */
    static final String FINDINGS = """
            INSERT INTO seal_findings (job_instance_id, sealed_instance_id, account_id, kind, period, zone, period_start,
                                       period_end, expected_rows, actual_rows, expected_digest, actual_digest,
                                       expected_last_seq, actual_last_seq, expected_snapshot, actual_snapshot, detail)
            WITH sealed AS (
                SELECT s.* FROM reconciliation_seals s JOIN seal_ranges g ON g.job_instance_id = s.job_instance_id
            ),
            compared AS (
                SELECT coalesce(s.job_instance_id, a.job_instance_id) AS sealed_instance_id,
                       coalesce(s.account_id, a.account_id) AS account_id, s.account_id IS NOT NULL AS in_seal,
                       s.row_count AS expected_rows, coalesce(a.row_count, 0) AS actual_rows,
                       s.row_digest AS expected_digest, coalesce(a.row_digest, 0) AS actual_digest,
                       s.last_posting_seq AS expected_last_seq, s.closing_snapshot AS expected_snapshot,
                       a.last_posting
                FROM sealed s
                FULL JOIN seal_actual a ON a.job_instance_id = s.job_instance_id AND a.account_id = s.account_id
            ),
            judged AS (
                SELECT c.*, g.period, g.zone, g.period_start, g.period_end,
                       CASE WHEN c.actual_rows > 0 THEN c.last_posting[1] ELSE p.posting_seq END AS actual_last_seq,
                       CASE WHEN c.actual_rows > 0 THEN c.last_posting[2] ELSE p.balance_credit_snapshot END AS actual_snapshot
                FROM compared c
                JOIN seal_ranges g ON g.job_instance_id = c.sealed_instance_id
                LEFT JOIN LATERAL (
                    SELECT l.posting_seq, l.balance_credit_snapshot FROM billing_billings l
                    WHERE c.actual_rows = 0 AND l.posting_seq = c.expected_last_seq AND l.account_id = c.account_id
                      AND l.tm_posted < g.period_start
                    LIMIT 1) p ON true
            ),
            changed AS (
                SELECT j.*,
                       j.in_seal AND (j.expected_last_seq IS DISTINCT FROM j.actual_last_seq
                           OR coalesce(j.expected_snapshot, 0) IS DISTINCT FROM coalesce(j.actual_snapshot, 0)) AS last_moved
                FROM judged j
            )
            SELECT :run, c.sealed_instance_id, c.account_id, 'sealed_period_changed', c.period, c.zone, c.period_start,
                   c.period_end, c.expected_rows, c.actual_rows, c.expected_digest, c.actual_digest, c.expected_last_seq,
                   c.actual_last_seq, c.expected_snapshot, c.actual_snapshot,
                   concat_ws('; ',
                       CASE WHEN NOT c.in_seal THEN 'account not in the seal: ' || c.actual_rows || ' row(s) in the sealed range now' END,
                       CASE WHEN c.in_seal AND c.actual_rows > c.expected_rows
                            THEN (c.actual_rows - c.expected_rows) || ' row(s) added' END,
                       CASE WHEN c.in_seal AND c.actual_rows < c.expected_rows
                            THEN (c.expected_rows - c.actual_rows) || ' row(s) removed' END,
                       CASE WHEN c.in_seal AND c.actual_rows = c.expected_rows AND c.actual_digest <> c.expected_digest
                            THEN 'row(s) altered (same count, different digest)' END,
                       CASE WHEN c.last_moved
                            THEN 'last posting before the period''s end: sealed ' || coalesce('#' || c.expected_last_seq
                                 || ' at ' || usd(c.expected_snapshot) || ' USD', 'none') || ', now '
                                 || coalesce('#' || c.actual_last_seq || ' at ' || coalesce(usd(c.actual_snapshot), 'null')
                                 || ' USD', 'none') END)
            FROM changed c
            WHERE NOT c.in_seal OR c.expected_rows <> c.actual_rows OR c.expected_digest <> c.actual_digest OR c.last_moved
            """;

    /** The run's summary; a restart of the check writes it again. */
    static final String SUMMARY = """
            INSERT INTO seal_verifications (job_instance_id, sealed_through, ranges_checked, seals_checked, rows_read,
                                            rows_checked, findings)
            SELECT :run, :sealedThrough,
                   (SELECT count(*) FROM seal_ranges),
                   (SELECT count(*) FROM reconciliation_seals s JOIN seal_ranges g ON g.job_instance_id = s.job_instance_id),
                   (SELECT coalesce(sum(row_count), 0) FROM seal_cells),
                   (SELECT coalesce(sum(row_count), 0) FROM seal_actual),
                   (SELECT count(*) FROM seal_findings WHERE job_instance_id = :run)
            """;

    /** The summary of a run that found no sealed range. */
    static final String EMPTY_SUMMARY = """
            INSERT INTO seal_verifications (job_instance_id, sealed_through, ranges_checked, seals_checked, rows_read,
                                            rows_checked, findings)
            VALUES (:run, :sealedThrough, 0, 0, 0, 0, 0)
            """;

    static final String FORGET_RUN_FINDINGS = "DELETE FROM seal_findings WHERE job_instance_id = :run";

    static final String FORGET_RUN_SUMMARY = "DELETE FROM seal_verifications WHERE job_instance_id = :run";
}
