package io.billingbatch.reconciliation;

import io.billingbatch.testing.BillingTest;
import io.billingbatch.testing.Tables;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.UUID;

import javax.sql.DataSource;

import io.billingbatch.batch.PeriodJobParameters;
import io.billingbatch.launch.PeriodJobLauncher;
import io.billingbatch.launch.PeriodJobLauncher.LaunchOutcome;
import io.billingbatch.ledger.LedgerFixture;
import io.billingbatch.ledger.ReportPeriod;
import io.billingbatch.partition.AccountRangePartitioner;
import io.billingbatch.partition.SharedDatabaseContexts;
import io.billingbatch.reconciliation.MonthFromDaysTest.Result;
import io.billingbatch.report.ReportStore;
import org.junit.jupiter.api.Test;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.util.FileSystemUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A month assembled from its sealed days, on four partitions: the same rows and files as the cold
 * run; and when a day it reused is run again between a failure and the restart, the restart starts
 * the account step over in every partition, those that had completed too.
 */
@BillingTest
class PartitionedMonthFromDaysTest {

    static final ReportPeriod OCTOBER = ReportPeriod.parse("2026-10", "UTC");

    @Autowired
    Job reconciliationJob;

    @Autowired
    PeriodJobLauncher launcher;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    ReportStore reportStore;

    @Autowired
    DataSource dataSource;

    @Test
    void aMonthFromItsDaysOnFourPartitionsEqualsTheColdRunAndStartsOverWhenADayWasRunAgain() throws Exception {
        Tables.reset(jdbc);
        jdbc.execute("TRUNCATE reconciliation_accounts, reconciliation_findings, reconciliation_seals, reconciliation_run_inputs,"
                + " reconciliation_segments, reconciliation_gap_accounts, reconciliation_gap_findings");
        FileSystemUtils.deleteRecursively(reportStore.directory(OCTOBER.key()).toFile());
        MonthFromDaysTest.plantLedgerWithFindings(new LedgerFixture(jdbc), jdbc, ZoneId.of("UTC"));
        Result cold = MonthFromDaysTest.result(jdbc, reportStore, OCTOBER,
                run(launcher, reconciliationJob, OCTOBER, 1, false).getJobInstanceId());
        for (int day = 1; day <= YearMonth.of(2026, 10).lengthOfMonth(); day++) {
            if (day != 10) { // one gap read from the ledger
                run(launcher, reconciliationJob, ReportPeriod.parse("2026-10-%02d".formatted(day), "UTC"), 1, false);
            }
        }

        try (ConfigurableApplicationContext partitioned = SharedDatabaseContexts.start(dataSource,
                "billing.partitions.grid-size=4")) {
            PeriodJobLauncher partitionedLauncher = partitioned.getBean(PeriodJobLauncher.class);
            // given: the month from its days on four partitions, storing one account of the third range fails
            UUID poisoned = partitioned.getBean(AccountRangePartitioner.class).ranges(4).get(2).from();
            jdbc.execute("""
                    CREATE FUNCTION fail_partition() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                        IF NEW.account_id = '%s' THEN RAISE EXCEPTION 'simulated crash'; END IF;
                        RETURN NEW;
                    END $$""".formatted(poisoned));
            jdbc.execute("CREATE TRIGGER fail_partition BEFORE INSERT ON reconciliation_accounts FOR EACH ROW"
                    + " EXECUTE FUNCTION fail_partition()");
            JobExecution failed;
            try {
                failed = ((LaunchOutcome.Ran) partitionedLauncher.launch(partitioned.getBean("reconciliationJob", Job.class),
                        new PeriodJobParameters(OCTOBER, 2), true)).execution();
            }
            finally {
                jdbc.execute("DROP TRIGGER fail_partition ON reconciliation_accounts");
                jdbc.execute("DROP FUNCTION fail_partition()");
            }
            assertThat(failed.getStatus()).isEqualTo(BatchStatus.FAILED);
            assertThat(failed.getStepExecutions()).filteredOn(step -> step.getStatus() == BatchStatus.COMPLETED)
                    .extracting(StepExecution::getStepName).hasSize(3);

            // when: a day the month reused is run again, then the month's launch again
            run(launcher, reconciliationJob, ReportPeriod.parse("2026-10-05", "UTC"), 2, true);
            JobExecution restarted = run(partitionedLauncher, partitioned.getBean("reconciliationJob", Job.class), OCTOBER, 1,
                    false);

            // then: every partition of the account step ran again, and the month is the cold run's
            assertThat(restarted.getJobInstanceId()).isEqualTo(failed.getJobInstanceId());
            assertThat(restarted.getStepExecutions()).extracting(StepExecution::getStepName)
                    .filteredOn(name -> name.startsWith("reconciliationAccountPartitionStep")).hasSize(4);
            Result assembled = MonthFromDaysTest.result(jdbc, reportStore, OCTOBER, restarted.getJobInstanceId());
            assertThat(MonthFromDaysTest.plan(jdbc, assembled)).isEqualTo("30 sealed, 1 gaps");
            assertThat(assembled).isEqualTo(cold);
        }
    }

    static JobExecution run(PeriodJobLauncher launcher, Job job, ReportPeriod period, long revision, boolean rerun)
            throws Exception {
        JobExecution execution = ((LaunchOutcome.Ran) launcher.launch(job, new PeriodJobParameters(period, revision), rerun))
                .execution();
        assertThat(execution.getStatus()).as(period.key()).isEqualTo(BatchStatus.COMPLETED);
        return execution;
    }
}
