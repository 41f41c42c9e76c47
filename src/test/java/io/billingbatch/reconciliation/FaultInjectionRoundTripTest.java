package io.billingbatch.reconciliation;

import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.billingbatch.testing.Tables;
import io.billingbatch.testing.BillingTest;
import io.billingbatch.batch.PeriodJobParameters;
import io.billingbatch.demo.DemoFaultInjector;
import io.billingbatch.demo.DemoFaultInjector.Injection;
import io.billingbatch.demo.DemoLedgerGenerator;
import io.billingbatch.demo.DemoLedgerSpec;
import io.billingbatch.launch.PeriodJobLauncher;
import io.billingbatch.launch.PeriodJobLauncher.LaunchOutcome;
import io.billingbatch.ledger.LedgerFixture;
import io.billingbatch.ledger.ReportPeriod;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/** The reconciliation finds exactly the faults injected into a demo ledger, and nothing on a clean one. */
@BillingTest
class FaultInjectionRoundTripTest {

    static final YearMonth THIS_MONTH = YearMonth.now(ZoneOffset.UTC);

    /** Two months back, so even its last rows are far older than the stuck threshold whenever the test runs. */
    static final ReportPeriod LAST_MONTH = ReportPeriod.parse(THIS_MONTH.minusMonths(2).toString(), "UTC");

    static final ReportPeriod CURRENT = ReportPeriod.parse(THIS_MONTH.toString(), "UTC");

    @Autowired
    DemoLedgerGenerator demoLedger;

    @Autowired
    DemoFaultInjector faults;

    @Autowired
    Job reconciliationJob;

    @Autowired
    Job costReportJob;

    @Autowired
    PeriodJobLauncher launcher;

    @Autowired
    org.springframework.batch.core.launch.JobOperator jobOperator;

    @Autowired
    JdbcTemplate jdbc;

    @BeforeEach
    void givenACleanDemoLedgerOfTwoMonths() {
        Tables.reset(jdbc);
        demoLedger.generate(new DemoLedgerSpec(5, 120, THIS_MONTH.minusMonths(3), 2, 40_000));
    }

    @Test
    void aCleanDemoLedgerHasNoFindingsAlthoughPostingOrderDiffersFromCallEndOrder() throws Exception {
        long outOfOrder = jdbc.queryForObject("""
                SELECT count(*) FROM (SELECT tm_billing_end < lag(tm_billing_end) OVER (ORDER BY posting_seq) AS earlier
                                      FROM billing_billings WHERE reference_type = 'call') x WHERE earlier""", Long.class);
        assertThat(outOfOrder).isPositive();

        reconcile(LAST_MONTH);
        assertThat(findings()).isEmpty();
        reconcile(CURRENT);
        assertThat(findings()).isEmpty();
        // nothing is posted in the current month: every account carries its balance, which is the stored one
        assertThat(jdbc.queryForObject("""
                SELECT count(*) FROM reconciliation_accounts a
                JOIN published_runs r ON r.job_instance_id = a.job_instance_id AND r.job_name = 'reconciliation' AND r.period = ?
                WHERE a.ledger_rows = 0 AND a.opening = a.closing AND a.closing = a.stored_balance AND a.closing > 0""",
                Long.class, CURRENT.key())).isEqualTo(120L);
    }

    @Test
    void findsExactlyTheInjectedFaultsByKindAndRow() throws Exception {
        Injection injection = faults.inject(LAST_MONTH, 2, 99);
        assertThat(injection.periodFindings()).hasSize(2 * (3 + 1 + 2 + 2 + 1 + 1 + 1 + 2));

        reconcile(LAST_MONTH);
        assertThat(findings()).containsExactlyInAnyOrderElementsOf(injection.periodFindings());
        assertThat(chargesOfTheReconciliation()).hasSizeGreaterThan(200).isEqualTo(costsOfTheCostReport(LAST_MONTH));

        reconcile(CURRENT);
        List<String> storedBalanceFindings = new ArrayList<>();
        for (UUID account : injection.storedBalanceDrift()) {
            storedBalanceFindings.add("balance_mismatch " + account + " -");
        }
        for (UUID account : injection.duplicatedAccounts()) { // the copy is now the account's last posting
            storedBalanceFindings.add("balance_mismatch " + account + " -");
        }
        // rows stuck in progressing are still stuck: every later period reports them until they are resolved
        injection.periodFindings().stream().filter(finding -> finding.startsWith("stuck_progressing "))
                .forEach(storedBalanceFindings::add);
        assertThat(findings()).containsExactlyInAnyOrderElementsOf(storedBalanceFindings);
    }

    List<String> costsOfTheCostReport(ReportPeriod period) throws Exception {
        LaunchOutcome outcome = launcher.launch(costReportJob, new PeriodJobParameters(period, 1), true);
        assertThat(((LaunchOutcome.Ran) outcome).execution().getStatus()).isEqualTo(BatchStatus.COMPLETED);
        return jdbc.query("SELECT account_id, type, cost_credit FROM cost_summary WHERE period = ? AND cost_credit <> 0 ORDER BY 1, 2",
                (rs, i) -> rs.getString(1) + " " + rs.getString(2) + " " + rs.getLong(3), period.key());
    }

    List<String> chargesOfTheReconciliation() {
        return jdbc.query("""
                SELECT a.account_id, c.type, c.charged FROM reconciliation_accounts a
                JOIN published_runs r ON r.job_instance_id = a.job_instance_id AND r.job_name = 'reconciliation' AND r.period = ?
                CROSS JOIN LATERAL (VALUES ('call', a.charges_call), ('number', a.charges_number), ('sms', a.charges_sms)) c(type, charged)
                WHERE c.charged <> 0 ORDER BY 1, 2""", (rs, i) -> rs.getString(1) + " " + rs.getString(2) + " " + rs.getLong(3),
                lastPeriod.key());
    }

    void reconcile(ReportPeriod period) throws Exception {
        // the demo ledger's last month is the running one: the job starts directly (see RunningPeriods)
        assertThat(io.billingbatch.ledger.RunningPeriods.startDirectly(jobOperator, launcher, reconciliationJob, period)
                .getStatus()).isEqualTo(BatchStatus.COMPLETED);
        lastPeriod = period;
    }

    ReportPeriod lastPeriod;

    List<String> findings() {
        return jdbc.query("""
                SELECT f.kind, f.account_id, f.ledger_id FROM reconciliation_findings f
                JOIN published_runs r ON r.job_instance_id = f.job_instance_id WHERE r.job_name = 'reconciliation' AND r.period = ?""",
                (rs, i) -> rs.getString(1) + " " + rs.getString(2) + " " + (rs.getString(3) == null ? "-" : rs.getString(3)),
                lastPeriod.key());
    }
}
