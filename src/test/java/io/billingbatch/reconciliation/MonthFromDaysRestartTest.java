package io.billingbatch.reconciliation;

import java.time.ZoneId;
import java.time.YearMonth;

import io.billingbatch.testing.Tables;
import io.billingbatch.testing.ServerTest;
import io.billingbatch.batch.PeriodJobParameters;
import io.billingbatch.launch.PeriodJobLauncher;
import io.billingbatch.launch.PeriodJobLauncher.LaunchOutcome;
import io.billingbatch.ledger.InsertFailure;
import io.billingbatch.ledger.LedgerFixture;
import io.billingbatch.ledger.ReportPeriod;
import io.billingbatch.reconciliation.MonthFromDaysTest.Result;
import io.billingbatch.report.ReportStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.util.FileSystemUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A month assembled from its days that fails mid-step, restarted, ends exactly like a cold run.
 * Same context as {@link ReconciliationRestartTest} (one item per chunk: a failure is mid-step).
 */
@ServerTest
class MonthFromDaysRestartTest {

    static final ReportPeriod OCTOBER = ReportPeriod.parse("2026-10", "UTC");

    @Autowired
    Job reconciliationJob;

    @Autowired
    PeriodJobLauncher launcher;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    ReportStore reportStore;

    Result cold;

    @BeforeEach
    void givenAColdMonthRunAndThenItsDays() throws Exception {
        Tables.reset(jdbc);
        FileSystemUtils.deleteRecursively(reportStore.directory(OCTOBER.key()).toFile());
        MonthFromDaysTest.plantLedgerWithFindings(new LedgerFixture(jdbc), jdbc, ZoneId.of("UTC"));
        cold = MonthFromDaysTest.result(jdbc, reportStore, OCTOBER, run(OCTOBER, 1).getJobInstanceId());
        for (int day = 1; day <= YearMonth.of(2026, 10).lengthOfMonth(); day++) {
            if (day != 10) { // one gap read from the ledger
                assertThat(run(ReportPeriod.parse("2026-10-%02d".formatted(day), "UTC"), 1).getStatus())
                        .isEqualTo(BatchStatus.COMPLETED);
            }
        }
    }

    @Test
    void aFailureInTheAccountStepRestartedGivesTheColdRunsRowsAndFiles() throws Exception {
        int written = jdbc.queryForObject("SELECT count(*) FROM reconciliation_accounts", Integer.class);
        JobExecution failed;
        try (InsertFailure crash = InsertFailure.afterRows(jdbc, "reconciliation_accounts", written + 4)) {
            failed = launch(OCTOBER, 2);
        }
        assertThat(failed.getStatus()).isEqualTo(BatchStatus.FAILED);
        assertThat(failed.getStepExecutions()).filteredOn(step -> step.getStatus() == BatchStatus.FAILED)
                .extracting(step -> step.getStepName()).containsExactly("reconciliationAccountStep");

        JobExecution restarted = restart(OCTOBER);

        assertThat(restarted.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(restarted.getJobInstanceId()).isEqualTo(failed.getJobInstanceId());
        Result assembled = MonthFromDaysTest.result(jdbc, reportStore, OCTOBER, restarted.getJobInstanceId());
        assertThat(MonthFromDaysTest.plan(jdbc, assembled)).isEqualTo("30 sealed, 1 gaps");
        assertThat(assembled).isEqualTo(cold);
    }

    @Test
    void aFailureInTheLedgerStepRestartedGivesTheColdRunsRowsAndFiles() throws Exception {
        // the account step stores its account findings, then the ledger step fails on its third row finding
        int findings = jdbc.queryForObject("SELECT count(*) FROM reconciliation_findings", Integer.class);
        long accountFindings = cold.findings().stream().filter(f -> f.startsWith("balance_mismatch ")
                || f.startsWith("negative_balance ")).count();
        JobExecution failed;
        try (InsertFailure crash = InsertFailure.afterRows(jdbc, "reconciliation_findings",
                findings + (int) accountFindings + 2)) {
            failed = launch(OCTOBER, 2);
        }
        assertThat(failed.getStatus()).isEqualTo(BatchStatus.FAILED);
        assertThat(failed.getStepExecutions()).filteredOn(step -> step.getStatus() == BatchStatus.FAILED)
                .extracting(step -> step.getStepName()).containsExactly("reconciliationLedgerStep");

        JobExecution restarted = restart(OCTOBER);

        assertThat(restarted.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        Result assembled = MonthFromDaysTest.result(jdbc, reportStore, OCTOBER, restarted.getJobInstanceId());
        assertThat(MonthFromDaysTest.plan(jdbc, assembled)).isEqualTo("30 sealed, 1 gaps");
        assertThat(assembled).isEqualTo(cold);
    }

    JobExecution run(ReportPeriod period, long revision) throws Exception {
        JobExecution execution = launch(period, revision);
        assertThat(execution.getStatus()).as(period.key()).isEqualTo(BatchStatus.COMPLETED);
        return execution;
    }

    /** The same period launched without --rerun: the failed revision restarts where it stopped. */
    JobExecution restart(ReportPeriod period) throws Exception {
        return ((LaunchOutcome.Ran) launcher.launch(reconciliationJob, new PeriodJobParameters(period, 1), false))
                .execution();
    }

    JobExecution launch(ReportPeriod period, long revision) throws Exception {
        return ((LaunchOutcome.Ran) launcher.launch(reconciliationJob, new PeriodJobParameters(period, revision),
                revision > 1)).execution();
    }
}
