package io.billingbatch.api;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import io.billingbatch.ledger.ReportPeriod;
import io.billingbatch.reconciliation.JdbcReconciliationRepository;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * What the finance page shows next to a month's cost: whether the month reconciled (the published
 * reconciliation's summary) and the accounts that cost most (the published cost report's lines).
 */
@Component
class MonthAtAGlance {

    static final int TOP_ACCOUNTS = 10;

    private static final String PUBLISHED = """
            SELECT revision, job_execution_id FROM published_runs WHERE job_name = :job AND period = :period AND zone = :zone""";

    private static final String TOP = """
            SELECT l.account_id, l.customer_id, l.account_name, sum(l.records) AS records, sum(l.cost_credit) AS cost
            FROM cost_report_lines l
            WHERE l.job_instance_id = (SELECT job_instance_id FROM published_runs
                                       WHERE job_name = 'cost-report' AND period = :period AND zone = :zone)
            GROUP BY l.account_id, l.customer_id, l.account_name
            ORDER BY cost DESC, l.account_id
            LIMIT :limit""";

    private final JdbcClient jdbc;

    private final JdbcReconciliationRepository reconciliations;

    MonthAtAGlance(JdbcClient jdbc, JdbcReconciliationRepository reconciliations) {
        this.jdbc = jdbc;
        this.reconciliations = reconciliations;
    }

    /** The published run of a job for the period: revision and job execution. */
    record Run(long revision, long jobExecutionId) {
    }

    /** The month's reconciliation, if one is published. */
    record Reconciliation(Run run, JdbcReconciliationRepository.Summary summary) {

        long findings() {
            return summary.findings();
        }
    }

    record TopAccount(UUID accountId, UUID customerId, String name, long records, long cost) {
    }

    Optional<Reconciliation> reconciliation(ReportPeriod period) {
        return published("reconciliation", period).map(run -> new Reconciliation(run, reconciliations.summary(period)));
    }

    List<TopAccount> topAccounts(ReportPeriod period) {
        return jdbc.sql(TOP).param("period", period.key()).param("zone", period.zone().getId()).param("limit", TOP_ACCOUNTS)
                .query((rs, n) -> new TopAccount(rs.getObject("account_id", UUID.class), rs.getObject("customer_id", UUID.class),
                        rs.getString("account_name"), rs.getLong("records"), rs.getLong("cost")))
                .list();
    }

    private Optional<Run> published(String job, ReportPeriod period) {
        return jdbc.sql(PUBLISHED).param("job", job).param("period", period.key()).param("zone", period.zone().getId())
                .query((rs, n) -> new Run(rs.getLong("revision"), rs.getLong("job_execution_id"))).optional();
    }
}
