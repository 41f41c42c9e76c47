package io.billingbatch.topup;

import java.util.UUID;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * Each auto-topup run's outcome per account ({@code auto_topup_results}), the lines of its report. An
 * outcome is replaced by a later one of the same run (a pending top-up becomes {@code topped_up} or
 * {@code failed}) unless the account was topped up already.
 */
@Repository
class TopUpResults {

    private static final String HANDLED_BY_RUN = """
            SELECT EXISTS (SELECT 1 FROM auto_topup_results WHERE job_instance_id = ? AND account_id = ?)
            """;

    private static final String RECORD_RESULT = """
            INSERT INTO auto_topup_results (job_instance_id, account_id, outcome, balance_before, amount_credit,
                balance_after, rule)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (job_instance_id, account_id) DO UPDATE SET outcome = EXCLUDED.outcome,
                balance_before = EXCLUDED.balance_before, amount_credit = EXCLUDED.amount_credit,
                balance_after = EXCLUDED.balance_after, rule = EXCLUDED.rule
            WHERE auto_topup_results.outcome <> 'topped_up'
            """;

    private final JdbcTemplate jdbc;

    TopUpResults(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** Whether the run has an outcome for the account already. */
    boolean has(long jobInstanceId, UUID accountId) {
        return Boolean.TRUE.equals(jdbc.queryForObject(HANDLED_BY_RUN, Boolean.class, jobInstanceId, accountId));
    }

    void record(long jobInstanceId, UUID accountId, String outcome, Long before, Long amount, Long after, String rule) {
        jdbc.update(RECORD_RESULT, jobInstanceId, accountId, outcome, before, amount, after, rule);
    }
}
