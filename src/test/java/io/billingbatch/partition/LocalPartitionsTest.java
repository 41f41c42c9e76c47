package io.billingbatch.partition;

import io.billingbatch.testing.BillingTest;
import io.billingbatch.testing.Tables;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.YearMonth;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import javax.sql.DataSource;

import io.billingbatch.batch.PeriodJobParameters;
import io.billingbatch.demo.DemoLedgerGenerator;
import io.billingbatch.demo.DemoLedgerSpec;
import io.billingbatch.launch.PeriodJobLauncher;
import io.billingbatch.launch.PeriodJobLauncher.LaunchOutcome;
import io.billingbatch.ledger.LedgerFixture;
import io.billingbatch.ledger.ReportPeriod;
import io.billingbatch.report.ReportStore;
import io.billingbatch.report.Workbooks;
import org.junit.jupiter.api.BeforeEach;
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

/** The same results whatever the layout: unpartitioned (grid 1, the default) and four local partitions. */
@BillingTest
class LocalPartitionsTest {

    static final ReportPeriod OCTOBER = ReportPeriod.parse("2026-10", "UTC");

    static final Instant OCT = Instant.parse("2026-10-10T00:00:00Z");

    @Autowired
    Job reconciliationJob;

    @Autowired
    PeriodJobLauncher launcher;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    ReportStore reportStore;

    @Autowired
    DemoLedgerGenerator demoLedger;

    @Autowired
    DataSource dataSource;

    @BeforeEach
    void ledgerWithFindings() {
        Tables.reset(jdbc);
        jdbc.execute("TRUNCATE reconciliation_accounts, reconciliation_findings");
        FileSystemUtils.deleteRecursively(reportStore.directory(OCTOBER.key()).toFile());
        demoLedger.generate(new DemoLedgerSpec(11, 60, YearMonth.of(2026, 9), 2, 20_000));
        LedgerFixture ledger = new LedgerFixture(jdbc);
        UUID altered = ledger.account("Altered");
        ledger.topUp(altered, 100_000_000, OCT.minusSeconds(86_400 * 20));
        UUID alteredRow = ledger.call(altered, 10, OCT);
        ledger.sms(altered, OCT.plusSeconds(5));
        jdbc.update("UPDATE billing_billings SET amount_credit = -100000 WHERE id = ?", alteredRow);
        ledger.sms(UUID.randomUUID(), OCT); // an orphan: its account is in no billing_accounts row
        UUID stuck = ledger.account("Stuck");
        ledger.progressingCall(stuck, OCT);
    }

    @Test
    void reconciliationOnFourPartitionsWritesTheSameFilesAndRowsAsOneStep() throws Exception {
        JobExecution single = run(launcher, reconciliationJob, false);
        assertThat(single.getStepExecutions()).extracting(StepExecution::getStepName)
                .doesNotContain("reconciliationAccountPartitionStep:partition0");
        Map<String, byte[]> singleFiles = files();
        List<String> singleAccounts = accounts(single.getJobInstanceId());
        List<String> singleFindings = findings(single.getJobInstanceId());
        assertThat(singleFindings).hasSizeGreaterThan(3);

        JobExecution four;
        try (ConfigurableApplicationContext partitioned = SharedDatabaseContexts.start(dataSource,
                "billing.partitions.grid-size=4")) {
            four = run(partitioned.getBean(PeriodJobLauncher.class), partitioned.getBean("reconciliationJob", Job.class), true);
        }

        assertThat(four.getStepExecutions()).extracting(StepExecution::getStepName).contains(
                "reconciliationAccountPartitionStep:partition0", "reconciliationAccountPartitionStep:partition3",
                "reconciliationLedgerPartitionStep:partition0", "reconciliationLedgerPartitionStep:partition3");
        assertThat(four.getJobInstanceId()).isNotEqualTo(single.getJobInstanceId());
        assertThat(accounts(four.getJobInstanceId())).isEqualTo(singleAccounts);
        assertThat(findings(four.getJobInstanceId())).isEqualTo(singleFindings);
        Map<String, byte[]> fourFiles = files();
        assertSameFiles(fourFiles, singleFiles);
    }

    @Test
    void aRestartAfterAFailedPartitionRunsOnlyThatPartitionAndEndsWithTheSameResults() throws Exception {
        JobExecution single = run(launcher, reconciliationJob, false);
        List<String> singleAccounts = accounts(single.getJobInstanceId());
        List<String> singleFindings = findings(single.getJobInstanceId());
        Map<String, byte[]> singleFiles = files();

        try (ConfigurableApplicationContext partitioned = SharedDatabaseContexts.start(dataSource,
                "billing.partitions.grid-size=4")) {
            PeriodJobLauncher partitionedLauncher = partitioned.getBean(PeriodJobLauncher.class);
            Job job = partitioned.getBean("reconciliationJob", Job.class);
            // given: storing the first account of the third range fails (a crash inside partition2 only)
            UUID poisoned = partitioned.getBean(AccountRangePartitioner.class).ranges(4).get(2).from();
            jdbc.execute("""
                    CREATE FUNCTION fail_partition() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                        IF NEW.account_id = '%s' THEN RAISE EXCEPTION 'simulated crash storing %s'; END IF;
                        RETURN NEW;
                    END $$""".formatted(poisoned, poisoned));
            jdbc.execute("CREATE TRIGGER fail_partition BEFORE INSERT ON reconciliation_accounts FOR EACH ROW"
                    + " EXECUTE FUNCTION fail_partition()");
            JobExecution failed;
            try {
                failed = ((LaunchOutcome.Ran) partitionedLauncher.launch(job, new PeriodJobParameters(OCTOBER, 1), true))
                        .execution();
            }
            finally {
                jdbc.execute("DROP TRIGGER fail_partition ON reconciliation_accounts");
                jdbc.execute("DROP FUNCTION fail_partition()");
            }
            assertThat(failed.getStatus()).isEqualTo(BatchStatus.FAILED);
            assertThat(failed.getStepExecutions()).filteredOn(step -> step.getStatus() == BatchStatus.FAILED)
                    .extracting(StepExecution::getStepName)
                    .containsExactlyInAnyOrder("reconciliationAccountStep", "reconciliationAccountPartitionStep:partition2");
            assertThat(failed.getStepExecutions()).filteredOn(step -> step.getStatus() == BatchStatus.COMPLETED)
                    .extracting(StepExecution::getStepName).containsExactlyInAnyOrder(
                            "reconciliationAccountPartitionStep:partition0", "reconciliationAccountPartitionStep:partition1",
                            "reconciliationAccountPartitionStep:partition3");

            // when: the same launch again (no --rerun) restarts the run
            JobExecution restarted = ((LaunchOutcome.Ran) partitionedLauncher.launch(job,
                    PeriodJobParameters.from(failed.getJobParameters()), false)).execution();

            // then: only the failed partition of the account step ran again, and the results are the one step's
            assertThat(restarted.getStatus()).isEqualTo(BatchStatus.COMPLETED);
            assertThat(restarted.getJobInstanceId()).isEqualTo(failed.getJobInstanceId());
            assertThat(restarted.getStepExecutions()).extracting(StepExecution::getStepName)
                    .filteredOn(name -> name.startsWith("reconciliationAccountPartitionStep"))
                    .containsExactly("reconciliationAccountPartitionStep:partition2");
            assertThat(accounts(restarted.getJobInstanceId())).isEqualTo(singleAccounts);
            assertThat(findings(restarted.getJobInstanceId())).isEqualTo(singleFindings);
            assertSameFiles(files(), singleFiles);
        }
    }

    /**
     * CSVs byte for byte; workbooks cell for cell but the title lines that name the run (revision,
     * execution, time), which differ between any two runs of a period.
     */
    static void assertSameFiles(Map<String, byte[]> actual, Map<String, byte[]> expected) {
        assertThat(actual.keySet()).isEqualTo(expected.keySet());
        expected.forEach((name, bytes) -> {
            if (name.endsWith(".xlsx")) {
                assertThat(Workbooks.content(actual.get(name))).as(name).isEqualTo(Workbooks.content(bytes));
            }
            else {
                assertThat(new String(actual.get(name), java.nio.charset.StandardCharsets.UTF_8)).as(name)
                        .isEqualTo(new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
            }
        });
    }

    static JobExecution run(PeriodJobLauncher launcher, Job job, boolean rerun) throws Exception {
        JobExecution execution = ((LaunchOutcome.Ran) launcher.launch(job, new PeriodJobParameters(OCTOBER, 1), rerun))
                .execution();
        assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        return execution;
    }

    Map<String, byte[]> files() throws IOException {
        return files(reportStore, OCTOBER);
    }

    /** The period's report files but the manifest (it names the run). */
    static Map<String, byte[]> files(ReportStore reportStore, ReportPeriod period) throws IOException {
        Map<String, byte[]> files = new TreeMap<>();
        Path folder = reportStore.directory(period.key());
        try (var list = Files.list(folder)) {
            for (Path file : list.filter(Files::isRegularFile).toList()) {
                if (!file.getFileName().toString().contains("manifest")) {
                    files.put(file.getFileName().toString(), Files.readAllBytes(file));
                }
            }
        }
        return files;
    }

    List<String> accounts(long run) {
        return jdbc.query("""
                SELECT account_id, customer_id, account_name, account_exists, opening, credits, charges_call, charges_sms,
                       charges_number, other_debits, closing, stored_balance, ledger_rows, finding_kinds, last_posting_seq,
                       last_snapshot, last_expected, row_digest, first_seq, closing_seq, closing_snapshot
                FROM reconciliation_accounts WHERE job_instance_id = ? ORDER BY account_id""", (rs, i) -> {
            StringBuilder row = new StringBuilder();
            for (int c = 1; c <= 21; c++) {
                row.append(rs.getString(c)).append('|');
            }
            return row.toString();
        }, run);
    }

    List<String> findings(long run) {
        return jdbc.query("""
                SELECT finding_key, kind, account_id, ledger_id, expected, actual, difference, detail
                FROM reconciliation_findings WHERE job_instance_id = ? ORDER BY finding_key""", (rs, i) -> {
            StringBuilder row = new StringBuilder();
            for (int c = 1; c <= 8; c++) {
                row.append(rs.getString(c)).append('|');
            }
            return row.toString();
        }, run);
    }
}
