package io.billingbatch.partition;

import java.nio.file.Files;
import java.time.YearMonth;
import java.util.List;
import java.util.Map;
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
import io.billingbatch.testing.BillingTest;
import io.billingbatch.testing.Tables;
import io.billingbatch.topup.JdbcTopUpPolicies;
import io.billingbatch.topup.TopUpPolicy;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.util.FileSystemUtils;

import static org.assertj.core.api.Assertions.assertThat;

/** cost-report and auto-topup on four local partitions give what their unpartitioned runs give. */
@BillingTest
class PartitionedJobsTest {

    static final ReportPeriod OCTOBER = LocalPartitionsTest.OCTOBER;

    static final ReportPeriod DAY = ReportPeriod.parse("2025-12-01", "UTC");

    @Autowired
    Job costReportJob;

    @Autowired
    Job autoTopUpJob;

    @Autowired
    PeriodJobLauncher launcher;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    ReportStore reportStore;

    @Autowired
    DemoLedgerGenerator demoLedger;

    @Autowired
    JdbcTopUpPolicies policies;

    @Autowired
    DataSource dataSource;

    @Autowired
    AmqpAdmin amqpAdmin;

    @BeforeEach
    void empty() {
        Tables.reset(jdbc);
        jdbc.execute("TRUNCATE auto_topup_policies, auto_topups, auto_topup_results, low_balance_alerts, webhook_outbox");
        FileSystemUtils.deleteRecursively(reportStore.directory(OCTOBER.key()).toFile());
        FileSystemUtils.deleteRecursively(reportStore.directory(DAY.key()).toFile());
    }

    @ParameterizedTest
    @ValueSource(strings = { "local", "amqp" })
    void costReportOnFourPartitionsWritesTheSameLinesAndFiles(String mode) throws Exception {
        demoLedger.generate(new DemoLedgerSpec(11, 60, YearMonth.of(2026, 9), 2, 20_000));
        LedgerFixture ledger = new LedgerFixture(jdbc);
        UUID account = ledger.account("Bad rows");
        ledger.post(account, "usage", "call", 1, 1, ledger.rate("call"), -5_000_000_000_000_000_000L,
                java.time.Instant.parse("2026-10-10T00:00:00Z")); // rejected: beyond the bound
        JobExecution single = run(launcher, costReportJob, OCTOBER, false);
        List<String> singleLines = lines(single.getJobInstanceId());
        Map<String, byte[]> singleFiles = LocalPartitionsTest.files(reportStore, OCTOBER);

        JobExecution four;
        try (Layout partitioned = layout(mode)) {
            four = run(partitioned.manager().getBean(PeriodJobLauncher.class),
                    partitioned.manager().getBean("costReportJob", Job.class), OCTOBER, true);
        }

        assertThat(four.getStepExecutions()).extracting(StepExecution::getStepName)
                .contains("costAggregationPartitionStep:partition0", "costAggregationPartitionStep:partition3");
        assertThat(singleLines).hasSizeGreaterThan(100);
        assertThat(lines(four.getJobInstanceId())).isEqualTo(singleLines);
        assertThat(skips(four)).isEqualTo(skips(single)).isEqualTo(1);
        LocalPartitionsTest.assertSameFiles(LocalPartitionsTest.files(reportStore, OCTOBER), singleFiles);
    }

    @ParameterizedTest
    @ValueSource(strings = { "local", "amqp" })
    void autoTopUpOnFourPartitionsTopsUpTheSameAccountsOnceAndWritesTheSameReport(String mode) throws Exception {
        accountsBelowTheirThreshold(40);
        JobExecution single = run(launcher, autoTopUpJob, DAY, false);
        List<String> singleResults = results(single.getJobInstanceId());
        byte[] singleCsv = Files.readAllBytes(reportStore.directory(DAY.key()).resolve("auto-topup-2025-12-01.csv"));

        empty();
        accountsBelowTheirThreshold(40);
        JobExecution four;
        try (Layout partitioned = layout(mode)) {
            four = run(partitioned.manager().getBean(PeriodJobLauncher.class),
                    partitioned.manager().getBean("autoTopUpJob", Job.class), DAY, false);
        }

        assertThat(four.getStepExecutions()).extracting(StepExecution::getStepName)
                .contains("autoTopUpPartitionStep:partition0", "autoTopUpPartitionStep:partition3");
        assertThat(singleResults).hasSize(40).allMatch(row -> row.contains("|topped_up|"));
        assertThat(results(four.getJobInstanceId())).isEqualTo(singleResults);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM billing_billings WHERE reference_type = 'auto_top_up'", Long.class))
                .isEqualTo(40);
        assertThat(new String(Files.readAllBytes(reportStore.directory(DAY.key()).resolve("auto-topup-2025-12-01.csv"))))
                .isEqualTo(new String(singleCsv));
    }

    /**
     * Four partitions of the shared database: on the manager's thread pool ({@code local}), or sent over
     * the broker at 127.0.0.1:5672 to two worker applications ({@code amqp}, a queue of the test's own).
     */
    Layout layout(String mode) throws Exception {
        if (mode.equals("local")) {
            return new Layout(SharedDatabaseContexts.start(dataSource, "billing.partitions.grid-size=4"), List.of(), null);
        }
        String queue = "billing-batch.partitions.test-" + UUID.randomUUID();
        List<ConfigurableApplicationContext> workers = List.of(SharedDatabaseContexts.worker(dataSource, queue),
                SharedDatabaseContexts.worker(dataSource, queue));
        return new Layout(SharedDatabaseContexts.manager(dataSource, queue), workers, () -> amqpAdmin.deleteQueue(queue));
    }

    record Layout(ConfigurableApplicationContext manager, List<ConfigurableApplicationContext> workers, Runnable cleanUp)
            implements AutoCloseable {

        @Override
        public void close() {
            manager.close();
            workers.forEach(ConfigurableApplicationContext::close);
            if (cleanUp != null) {
                cleanUp.run();
            }
        }
    }

    /** Accounts with fixed ids (so two set-ups are the same), each 10 USD with a policy topping up 50 USD below 30. */
    void accountsBelowTheirThreshold(int count) {
        for (int i = 0; i < count; i++) {
            UUID id = UUID.nameUUIDFromBytes(("partitioned top-up " + i).getBytes());
            jdbc.update("""
                    INSERT INTO billing_accounts (id, customer_id, name, detail, status, balance_credit, tm_create)
                    VALUES (?, ?, ?, 'test account', 'active', 10000000, '2020-01-01T00:00:00Z')""", id, id, "Account " + i);
            policies.save(TopUpPolicy.fixed(id, 30_000_000, 50_000_000, 1, 1_000_000_000));
        }
    }

    static JobExecution run(PeriodJobLauncher launcher, Job job, ReportPeriod period, boolean rerun) throws Exception {
        JobExecution execution = ((LaunchOutcome.Ran) launcher.launch(job, new PeriodJobParameters(period, 1), rerun))
                .execution();
        assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        return execution;
    }

    List<String> lines(long run) {
        return jdbc.query("""
                SELECT account_id, type, customer_id, account_name, records, billable_units, cost_credit
                FROM cost_report_lines WHERE job_instance_id = ? ORDER BY account_id, type""",
                (rs, i) -> rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getString(3) + "|" + rs.getString(4) + "|"
                        + rs.getLong(5) + "|" + rs.getLong(6) + "|" + rs.getLong(7), run);
    }

    List<String> results(long run) {
        return jdbc.query("""
                SELECT account_id, outcome, balance_before, amount_credit, balance_after, rule
                FROM auto_topup_results WHERE job_instance_id = ? ORDER BY account_id""",
                (rs, i) -> rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getString(3) + "|" + rs.getString(4) + "|"
                        + rs.getString(5) + "|" + rs.getString(6), run);
    }

    long skips(JobExecution execution) {
        return jdbc.queryForObject("SELECT count(*) FROM batch_item_rejects WHERE job_execution_id = ?", Long.class,
                execution.getId());
    }
}
