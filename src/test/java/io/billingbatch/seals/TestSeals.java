package io.billingbatch.seals;

import org.springframework.jdbc.core.JdbcTemplate;

/** Until the seals branch writes seals at publish: the V17 contract's seals of a published run, written by SQL. */
final class TestSeals {

    private TestSeals() {
    }

    static void sealIfUnsealed(JdbcTemplate jdbc, long jobInstanceId) {
        jdbc.update("DELETE FROM reconciliation_seals WHERE job_instance_id NOT IN (SELECT job_instance_id FROM published_runs)");
        if (jdbc.queryForObject("SELECT count(*) FROM reconciliation_seals WHERE job_instance_id = ?", Long.class,
                jobInstanceId) > 0) {
            return;
        }
        jdbc.update("""
                INSERT INTO reconciliation_seals (job_instance_id, account_id, last_posting_seq, closing_snapshot, row_count,
                                                  row_digest)
                SELECT a.job_instance_id, a.account_id, m.last_seq, coalesce(l.balance_credit_snapshot, 0), m.row_count,
                       coalesce(m.digest, 0)
                FROM reconciliation_accounts a
                JOIN published_runs r ON r.job_instance_id = a.job_instance_id
                CROSS JOIN LATERAL (
                    SELECT max(b.posting_seq) FILTER (WHERE b.tm_posted < r.period_end) AS last_seq,
                           count(*) FILTER (WHERE b.tm_posted >= r.period_start AND b.tm_posted < r.period_end) AS row_count,
                           sum(ledger_row_digest(b)) FILTER (WHERE b.tm_posted >= r.period_start AND b.tm_posted < r.period_end)
                               AS digest
                    FROM billing_billings b WHERE b.account_id = a.account_id AND b.tm_posted IS NOT NULL) m
                LEFT JOIN billing_billings l ON l.posting_seq = m.last_seq
                WHERE a.job_instance_id = ?
                """, jobInstanceId);
    }
}
