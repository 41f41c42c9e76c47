package io.billingbatch.topup;

import java.time.Clock;
import java.time.LocalDate;
import java.util.List;
import java.util.UUID;

import javax.sql.DataSource;

import io.billingbatch.batch.ItemRejectRecorder;
import io.billingbatch.batch.PeriodJobParameters;
import io.billingbatch.ledger.JdbcBillingAccounts;
import io.billingbatch.ledger.CreditPosting;
import io.billingbatch.ledger.ReportPeriod;
import io.billingbatch.partition.AccountRange;
import io.billingbatch.partition.PartitionedSteps;
import io.billingbatch.report.CsvReportWriter;
import io.billingbatch.report.ReportColumn;
import io.billingbatch.report.ReportFileNames;
import io.billingbatch.report.ReportStore;
import io.billingbatch.report.ReportTable;
import io.billingbatch.webhook.WebhookOutbox;

import org.springframework.batch.core.configuration.annotation.StepScope;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.infrastructure.item.database.JdbcCursorItemReader;
import org.springframework.batch.infrastructure.item.database.builder.JdbcCursorItemReaderBuilder;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.batch.infrastructure.support.transaction.ResourcelessTransactionManager;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/** The {@code auto-topup} job: its period is the business day ({@code 2026-11-25}), in UTC. */
@Configuration(proxyBeanMethods = false)
public class AutoTopUpJobConfiguration {

    public static final String JOB_NAME = "auto-topup";

    /** Parameters: the partition's first account and its end, each twice (NULL: open; {@link AccountRange}). */
    static final String CANDIDATES_SQL = PolicyRow.SELECT + """
            WHERE p.enabled AND (a.id IS NULL OR a.balance_credit < p.threshold_credit)
              AND (CAST(? AS uuid) IS NULL OR p.account_id >= CAST(? AS uuid))
              AND (CAST(? AS uuid) IS NULL OR p.account_id < CAST(? AS uuid))
            ORDER BY p.account_id
            """;

    static final ReportTable RESULTS = new ReportTable("Auto top-up", List.of(ReportColumn.id("account_id"),
            ReportColumn.text("outcome", 12), ReportColumn.usd("balance_before_usd"), ReportColumn.usd("amount_usd"),
            ReportColumn.usd("balance_after_usd"), ReportColumn.text("rule", 60)));

    @Bean
    Job autoTopUpJob(JobRepository jobRepository, Step autoTopUpStep, Step autoTopUpPaymentStep, Step lowBalanceAlertStep,
            Step autoTopUpReportStep) {
        return new JobBuilder(JOB_NAME, jobRepository)
                .validator(parameters -> {
                    PeriodJobParameters.validator().validate(parameters);
                    if (PeriodJobParameters.from(parameters).period().isMonth()) {
                        throw new org.springframework.batch.core.job.parameters.InvalidJobParametersException(
                                "auto-topup runs for a day (yyyy-MM-dd), not a month");
                    }
                })
                .start(autoTopUpStep)
                .next(autoTopUpPaymentStep)
                .next(lowBalanceAlertStep)
                .next(autoTopUpReportStep)
                .build();
    }

    /**
     * Reserves the top-ups: unpartitioned (the default) one step; partitioned ({@code billing.partitions.*})
     * {@code autoTopUpPartitionStep} per range of accounts. A partition run again (a restart, a request
     * redelivered after its worker died) reserves nothing twice: the writer knows the run's results and
     * each reservation's idempotency key.
     */
    @Bean
    Step autoTopUpStep(JobRepository jobRepository, PlatformTransactionManager transactionManager,
            JdbcCursorItemReader<PolicyRow> topUpCandidateReader, AutoTopUpItemWriter autoTopUpWriter, JdbcTemplate jdbc,
            PartitionedSteps partitionedSteps, Step autoTopUpPartitionStep) {
        return partitionedSteps.step("autoTopUpStep", () -> topUpStep("autoTopUpStep", jobRepository, transactionManager,
                topUpCandidateReader, autoTopUpWriter, jdbc), autoTopUpPartitionStep);
    }

    /** One range of accounts of the top-up step (a partition, here or on a worker). */
    @Bean
    Step autoTopUpPartitionStep(JobRepository jobRepository, PlatformTransactionManager transactionManager,
            JdbcCursorItemReader<PolicyRow> topUpCandidateReader, AutoTopUpItemWriter autoTopUpWriter, JdbcTemplate jdbc) {
        return topUpStep("autoTopUpPartitionStep", jobRepository, transactionManager, topUpCandidateReader, autoTopUpWriter,
                jdbc);
    }

    private static Step topUpStep(String name, JobRepository jobRepository, PlatformTransactionManager transactionManager,
            JdbcCursorItemReader<PolicyRow> topUpCandidateReader, AutoTopUpItemWriter autoTopUpWriter, JdbcTemplate jdbc) {
        ItemRejectRecorder<PolicyRow> rejects = new ItemRejectRecorder<>(jdbc);
        return new StepBuilder(name, jobRepository)
                .<PolicyRow, TopUpCandidate>chunk(100)
                .transactionManager(transactionManager)
                .reader(topUpCandidateReader)
                // A stored row that is not a valid policy (a direct write) is rejected with its reason; the run goes on.
                .processor(PolicyRow::toCandidate)
                .writer(autoTopUpWriter)
                .faultTolerant()
                .skipPolicy((failure, skipCount) -> failure instanceof InvalidTopUpPolicyException)
                .skipListener(rejects)
                .skipListener(autoTopUpWriter)
                .listener((StepExecutionListener) rejects)
                .listener(PartitionedSteps.progressListener())
                .build();
    }

    @Bean
    @StepScope
    JdbcCursorItemReader<PolicyRow> topUpCandidateReader(DataSource dataSource,
            @Value("#{stepExecution}") StepExecution stepExecution) {
        AccountRange range = AccountRange.of(stepExecution);
        return new JdbcCursorItemReaderBuilder<PolicyRow>()
                .name("topUpCandidateReader")
                // A restart reads the candidates afresh: accounts topped up by a committed chunk have left the
                // result, so skipping the saved read count would skip accounts never handled. The writer knows
                // what this run already did (its results) and does not do it again.
                .saveState(false)
                .dataSource(dataSource)
                .sql(CANDIDATES_SQL)
                .queryArguments(range.from(), range.from(), range.to(), range.to())
                .rowMapper(PolicyRow.ROW_MAPPER)
                .build();
    }

    @Bean
    @StepScope
    AutoTopUpItemWriter autoTopUpWriter(JdbcTemplate jdbc, JdbcBillingAccounts accounts, CreditPosting credits,
            TopUpReservations reservations, TopUpResults results, Clock clock,
            @Value("#{stepExecution.jobExecution}") JobExecution jobExecution) {
        PeriodJobParameters parameters = PeriodJobParameters.from(jobExecution.getJobParameters());
        return new AutoTopUpItemWriter(jdbc, accounts, credits, reservations, results, clock,
                LocalDate.parse(parameters.period().key()), parameters.dryRun(), jobExecution.getJobInstanceId(),
                jobExecution.getId());
    }

    /**
     * Pays the top-ups the step before reserved (and any a stopped run left pending). Its tasklet runs
     * without a transaction of its own (a resourceless one), so nothing is held while the provider is
     * asked; each payment is posted in a short transaction of its own.
     */
    @Bean
    Step autoTopUpPaymentStep(JobRepository jobRepository, AutoTopUpPaymentTasklet autoTopUpPaymentTasklet) {
        return new StepBuilder("autoTopUpPaymentStep", jobRepository)
                .tasklet(autoTopUpPaymentTasklet, new ResourcelessTransactionManager())
                .build();
    }

    @Bean
    @StepScope
    AutoTopUpPaymentTasklet autoTopUpPaymentTasklet(TopUpReservations reservations, TopUpResults results,
            CreditPosting credits, PaymentPort payments, WebhookOutbox outbox, JdbcTemplate jdbc,
            PlatformTransactionManager transactionManager, Clock clock,
            @Value("#{stepExecution.jobExecution}") JobExecution jobExecution) {
        return new AutoTopUpPaymentTasklet(reservations, results, credits, payments, outbox, jdbc,
                new TransactionTemplate(transactionManager), clock, jobExecution.getJobInstanceId(),
                PeriodJobParameters.from(jobExecution.getJobParameters()).dryRun());
    }

    @Bean
    Step lowBalanceAlertStep(JobRepository jobRepository, PlatformTransactionManager transactionManager,
            LowBalanceAlerts alerts) {
        return new StepBuilder("lowBalanceAlertStep", jobRepository)
                .tasklet((contribution, chunkContext) -> {
                    PeriodJobParameters parameters = PeriodJobParameters.from(
                            chunkContext.getStepContext().getStepExecution().getJobExecution().getJobParameters());
                    if (!parameters.dryRun()) {
                        contribution.incrementWriteCount(alerts.raise(LocalDate.parse(parameters.period().key())));
                    }
                    return RepeatStatus.FINISHED;
                }, transactionManager)
                .build();
    }

    @Bean
    Step autoTopUpReportStep(JobRepository jobRepository, PlatformTransactionManager transactionManager,
            JdbcTemplate jdbc, ReportStore store) {
        return new StepBuilder("autoTopUpReportStep", jobRepository)
                .tasklet((contribution, chunkContext) -> {
                    JobExecution jobExecution = chunkContext.getStepContext().getStepExecution().getJobExecution();
                    PeriodJobParameters parameters = PeriodJobParameters.from(jobExecution.getJobParameters());
                    ReportPeriod day = parameters.period();
                    String name = ReportFileNames.ofRun(JOB_NAME, day, parameters.dryRun(), parameters.revision(),
                            ReportFileNames.CSV);
                    store.write(day.key(), name, out -> {
                        try (CsvReportWriter csv = new CsvReportWriter(out, RESULTS)) {
                            jdbc.query("""
                                    SELECT account_id, outcome, balance_before, amount_credit, balance_after, rule
                                    FROM auto_topup_results WHERE job_instance_id = ? ORDER BY account_id""",
                                    (java.sql.ResultSet rs) -> {
                                        csv.row(rs.getObject(1, UUID.class), rs.getString(2), rs.getObject(3, Long.class),
                                                rs.getObject(4, Long.class), rs.getObject(5, Long.class), rs.getString(6));
                                    }, jobExecution.getJobInstanceId());
                        }
                    });
                    return RepeatStatus.FINISHED;
                }, transactionManager)
                .build();
    }
}
