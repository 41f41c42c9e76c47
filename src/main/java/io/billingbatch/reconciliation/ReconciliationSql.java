package io.billingbatch.reconciliation;

/** The set work of the reconciliation, done by PostgreSQL; the steps read what comes back. */
public final class ReconciliationSql {

    private ReconciliationSql() {
    }

    /**
     * One scan of the ledger up to the period's end gives, per account, the posting marks and the
     * period's sums; the snapshots are then looked up by their unique posting_seq. Charges use the
     * cost report's rules (posted usage, not deleted) so both reports tie out. A row whose amount
     * is NULL or beyond the sanity bound is in no sum (the ledger step reports it as
     * {@code invalid_amount}), exactly as the cost report leaves it out; the sums are numeric and
     * checked against a long when read. Parameters: period start, period end, bound (micro-USD).
     */
    public static final String ACCOUNT_BALANCES = """
            WITH bounds AS (SELECT CAST(? AS timestamptz) AS ps, CAST(? AS timestamptz) AS pe,
                                   CAST(? AS bigint) AS max_amount),
            marks AS (
                SELECT b.account_id,
                       max(b.posting_seq) FILTER (WHERE b.tm_posted < bounds.ps) AS opening_seq,
                       min(b.posting_seq) FILTER (WHERE b.tm_posted >= bounds.ps AND b.tm_posted < bounds.pe) AS first_seq,
                       max(b.posting_seq) FILTER (WHERE b.tm_posted >= bounds.ps AND b.tm_posted < bounds.pe) AS closing_seq,
                       max(b.posting_seq) AS latest_seq,
                       count(*) FILTER (WHERE b.tm_posted >= bounds.ps AND b.tm_posted < bounds.pe) AS ledger_rows,
                       coalesce(sum(b.amount_credit) FILTER (WHERE b.tm_posted >= bounds.ps AND b.tm_posted < bounds.pe
                           AND b.amount_credit BETWEEN -bounds.max_amount AND bounds.max_amount), 0) AS net,
                       coalesce(sum(b.amount_credit) FILTER (WHERE b.tm_posted >= bounds.ps AND b.tm_posted < bounds.pe
                           AND b.amount_credit BETWEEN -bounds.max_amount AND bounds.max_amount AND b.tm_delete IS NULL AND b.transaction_type IN ('top_up', 'refund', 'adjustment')
                           AND b.amount_credit > 0), 0) AS credits,
                       coalesce(-sum(b.amount_credit) FILTER (WHERE b.tm_posted >= bounds.ps AND b.tm_posted < bounds.pe
                           AND b.amount_credit BETWEEN -bounds.max_amount AND bounds.max_amount AND b.tm_delete IS NULL AND b.transaction_type = 'usage' AND b.status = 'end'
                           AND b.reference_type = 'call'), 0) AS charges_call,
                       coalesce(-sum(b.amount_credit) FILTER (WHERE b.tm_posted >= bounds.ps AND b.tm_posted < bounds.pe
                           AND b.amount_credit BETWEEN -bounds.max_amount AND bounds.max_amount AND b.tm_delete IS NULL AND b.transaction_type = 'usage' AND b.status = 'end'
                           AND b.reference_type = 'sms'), 0) AS charges_sms,
                       coalesce(-sum(b.amount_credit) FILTER (WHERE b.tm_posted >= bounds.ps AND b.tm_posted < bounds.pe
                           AND b.amount_credit BETWEEN -bounds.max_amount AND bounds.max_amount AND b.tm_delete IS NULL AND b.transaction_type = 'usage' AND b.status = 'end'
                           AND b.reference_type IN ('number', 'number_renew')), 0) AS charges_number
                FROM billing_billings b, bounds
                WHERE b.tm_posted IS NOT NULL
                GROUP BY b.account_id
            ),
            scope AS (
                SELECT account_id FROM marks
                UNION
                SELECT id FROM billing_accounts
            )
            SELECT s.account_id, a.customer_id, a.name AS account_name, a.id IS NOT NULL AS account_exists,
                   a.balance_credit AS stored_balance,
                   coalesce((SELECT o.balance_credit_snapshot FROM billing_billings o WHERE o.posting_seq = m.opening_seq), 0) AS opening,
                   (SELECT c.balance_credit_snapshot FROM billing_billings c WHERE c.posting_seq = m.closing_seq) AS closing_snapshot,
                   (SELECT l.balance_credit_snapshot FROM billing_billings l WHERE l.posting_seq = m.latest_seq) AS latest_snapshot,
                   coalesce(m.net, 0) AS net, coalesce(m.credits, 0) AS credits,
                   coalesce(m.charges_call, 0) AS charges_call, coalesce(m.charges_sms, 0) AS charges_sms,
                   coalesce(m.charges_number, 0) AS charges_number, coalesce(m.ledger_rows, 0) AS ledger_rows,
                   m.first_seq, m.closing_seq
            FROM scope s
            LEFT JOIN marks m ON m.account_id = s.account_id
            LEFT JOIN billing_accounts a ON a.id = s.account_id
            ORDER BY s.account_id
            """;

    /**
     * The row-level findings of a period. A chain break compares each row with the row posted
     * before it for the same account, over the whole history up to the period's end, so only the
     * first row of a break is reported. A row stuck in {@code progressing} is a state, not an event
     * of one period: every period that ends after it started reports it while it is stuck when the
     * run looks (a row that got stuck late on the last day of a period is older than the threshold
     * only by the next period's run). A row whose amount is NULL or beyond the sanity bound is an
     * {@code invalid_amount} finding and nothing else (no chain break, no rating mismatch of its
     * own). Parameters: period start, period end, the instant before which a progressing row counts
     * as stuck, the bound (micro-USD).
     */
    public static final String LEDGER_FINDINGS = """
            WITH bounds AS (SELECT CAST(? AS timestamptz) AS ps, CAST(? AS timestamptz) AS pe,
                                   CAST(? AS timestamptz) AS stuck_before, CAST(? AS bigint) AS max_amount),
            rates AS (
                SELECT reference_type, credit_per_unit, effective_from,
                       coalesce(lead(effective_from) OVER (PARTITION BY reference_type ORDER BY effective_from),
                                'infinity'::timestamptz) AS effective_to
                FROM billing_rates
            ),
            chain AS (
                SELECT b.id, b.account_id, b.tm_posted, b.amount_credit, b.balance_credit_snapshot,
                       coalesce(lag(b.balance_credit_snapshot) OVER (PARTITION BY b.account_id ORDER BY b.posting_seq), 0)
                           AS previous_snapshot
                FROM billing_billings b, bounds
                WHERE b.posting_seq IS NOT NULL AND b.tm_posted < bounds.pe
            )
            SELECT 'chain_break' AS kind, c.account_id, c.id AS ledger_id,
                   c.previous_snapshot + c.amount_credit AS expected, c.balance_credit_snapshot AS actual,
                   'snapshot != previous snapshot ' || usd(c.previous_snapshot) || ' + amount ' || coalesce(usd(c.amount_credit), 'null') AS detail
            FROM chain c, bounds
            WHERE c.tm_posted >= bounds.ps
              AND c.amount_credit BETWEEN -bounds.max_amount AND bounds.max_amount
              AND c.balance_credit_snapshot IS DISTINCT FROM c.previous_snapshot + c.amount_credit
            UNION ALL
            SELECT 'rating_mismatch', b.account_id, b.id,
                   -(r.credit_per_unit * CASE b.reference_type WHEN 'call' THEN b.usage_duration ELSE 1 END),
                   b.amount_credit,
                   CASE WHEN r.credit_per_unit IS NULL THEN 'no rate in force for ' || b.reference_type || ' at ' || coalesce(b.tm_billing_start::text, 'null')
                        ELSE b.reference_type || ': ' || coalesce(b.billable_units::text, 'null') || ' unit(s) for duration '
                             || coalesce(b.usage_duration::text, 'null') || ' s at ' || usd(r.credit_per_unit) || ' USD per unit' END
            FROM billing_billings b CROSS JOIN bounds
            LEFT JOIN rates r ON r.reference_type = b.reference_type
                             AND b.tm_billing_start >= r.effective_from AND b.tm_billing_start < r.effective_to
            WHERE b.tm_posted >= bounds.ps AND b.tm_posted < bounds.pe AND b.tm_delete IS NULL
              AND b.transaction_type = 'usage' AND b.status = 'end'
              AND b.reference_type IN ('call', 'sms', 'number', 'number_renew')
              AND b.amount_credit BETWEEN -bounds.max_amount AND bounds.max_amount
              AND (r.credit_per_unit IS NULL
                   OR b.billable_units IS DISTINCT FROM CASE b.reference_type WHEN 'call' THEN b.usage_duration ELSE 1 END
                   OR b.amount_credit IS DISTINCT FROM -(r.credit_per_unit * b.billable_units))
            UNION ALL
            SELECT 'invalid_amount', b.account_id, b.id, NULL, b.amount_credit,
                   CASE WHEN b.amount_credit IS NULL THEN 'amount_credit is NULL'
                        ELSE 'amount_credit ' || usd(b.amount_credit) || ' USD is beyond the bound of ±'
                             || usd(bounds.max_amount) || ' USD (billing.ledger.max-row-amount)' END
            FROM billing_billings b, bounds
            WHERE b.tm_posted >= bounds.ps AND b.tm_posted < bounds.pe
              AND (b.amount_credit IS NULL OR b.amount_credit NOT BETWEEN -bounds.max_amount AND bounds.max_amount)
            UNION ALL
            SELECT 'stuck_progressing', b.account_id, b.id, NULL, b.amount_credit,
                   'progressing since ' || coalesce(b.tm_billing_start, b.tm_create)
            FROM billing_billings b, bounds
            WHERE b.status = 'progressing' AND b.tm_delete IS NULL
              AND coalesce(b.tm_billing_start, b.tm_create) < bounds.pe
              AND coalesce(b.tm_billing_start, b.tm_create) < bounds.stuck_before
            UNION ALL
            SELECT 'orphan', b.account_id, b.id, NULL, b.amount_credit,
                   CASE WHEN a.id IS NULL THEN 'account does not exist'
                        ELSE 'account deleted at ' || a.tm_delete || ', before the row was posted at ' || b.tm_posted END
            FROM billing_billings b CROSS JOIN bounds
            LEFT JOIN billing_accounts a ON a.id = b.account_id
            WHERE b.tm_posted >= bounds.ps AND b.tm_posted < bounds.pe
              AND (a.id IS NULL OR a.tm_delete < b.tm_posted)
            UNION ALL
            SELECT 'charged_failed_call', b.account_id, b.id, 0, b.amount_credit,
                   'zero-second call moved ' || usd(b.amount_credit) || ' USD'
            FROM billing_billings b, bounds
            WHERE b.tm_posted >= bounds.ps AND b.tm_posted < bounds.pe AND b.tm_delete IS NULL
              AND b.reference_type = 'call' AND b.usage_duration = 0 AND b.amount_credit <> 0
            ORDER BY 2, 1, 3
            """;
}
