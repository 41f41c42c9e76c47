package io.billingbatch.reconciliation;

import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import javax.sql.DataSource;

import io.billingbatch.batch.PeriodJobParameters;
import io.billingbatch.ledger.LedgerAmountBound;
import io.billingbatch.ledger.RateCard;
import io.billingbatch.ledger.ReportPeriod;
import io.billingbatch.partition.AccountRange;
import io.billingbatch.partition.PartitionedSteps;
import io.billingbatch.report.XlsxReportWriter;

import org.springframework.batch.core.configuration.annotation.StepScope;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.listener.JobExecutionListener;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.infrastructure.item.database.JdbcCursorItemReader;
import org.springframework.batch.infrastructure.item.database.builder.JdbcCursorItemReaderBuilder;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;

@Configuration(proxyBeanMethods = false)
public class ReconciliationJobConfiguration {

    public static final String JOB_NAME = "reconciliation";

    @Bean
    Job reconciliationJob(JobRepository jobRepository, Step reconciliationAccountStep, Step reconciliationLedgerStep,
            Step reconciliationPublishStep, Step reconciliationFilesStep) {
        return new JobBuilder(JOB_NAME, jobRepository)
                .validator(PeriodJobParameters.validator())
                .listener(new JobExecutionListener() {
                    @Override
                    public void beforeJob(JobExecution jobExecution) {
                        XlsxReportWriter.warmUpInBackground(); // the files step's workbook, seconds later
                    }
                })
                .start(reconciliationAccountStep)
                .next(reconciliationLedgerStep)
                .next(reconciliationPublishStep)
                .next(reconciliationFilesStep)
                .build();
    }

    /**
     * The account step: unpartitioned (the default) one chunk step; partitioned
     * ({@code billing.partitions.*}) a manager that plans the month once and runs
     * {@code reconciliationAccountPartitionStep} per range of accounts.
     */
    @Bean
    Step reconciliationAccountStep(JobRepository jobRepository, PlatformTransactionManager transactionManager,
            JdbcCursorItemReader<AccountBalance> accountBalanceReader, AccountBalanceProcessor accountBalanceProcessor,
            AccountReconciliationItemWriter accountReconciliationWriter, MonthSegments monthSegments,
            @Value("${billing.reconciliation.stuck-after:24h}") Duration stuckAfter,
            @Value("${billing.reconciliation.chunk-size:2000}") int chunkSize, PartitionedSteps partitionedSteps,
            Step reconciliationAccountPartitionStep) {
        MonthPlanListener plan = new MonthPlanListener(monthSegments, jobRepository, stuckAfter);
        return partitionedSteps.step("reconciliationAccountStep", () -> accountStep("reconciliationAccountStep", jobRepository,
                transactionManager, accountBalanceReader, accountBalanceProcessor, accountReconciliationWriter, chunkSize)
                .listener(plan).build(), reconciliationAccountPartitionStep, plan);
    }

    /** One range of accounts of the account step (a partition, here or on a worker). */
    @Bean
    Step reconciliationAccountPartitionStep(JobRepository jobRepository, PlatformTransactionManager transactionManager,
            JdbcCursorItemReader<AccountBalance> accountBalanceReader, AccountBalanceProcessor accountBalanceProcessor,
            AccountReconciliationItemWriter accountReconciliationWriter,
            @Value("${billing.reconciliation.chunk-size:2000}") int chunkSize) {
        return accountStep("reconciliationAccountPartitionStep", jobRepository, transactionManager, accountBalanceReader,
                accountBalanceProcessor, accountReconciliationWriter, chunkSize).build();
    }

    private static org.springframework.batch.core.step.builder.ChunkOrientedStepBuilder<AccountBalance, AccountReconciliation> accountStep(
            String name, JobRepository jobRepository, PlatformTransactionManager transactionManager,
            JdbcCursorItemReader<AccountBalance> accountBalanceReader, AccountBalanceProcessor accountBalanceProcessor,
            AccountReconciliationItemWriter accountReconciliationWriter, int chunkSize) {
        return new StepBuilder(name, jobRepository)
                .<AccountBalance, AccountReconciliation>chunk(chunkSize)
                .transactionManager(transactionManager)
                .reader(accountBalanceReader)
                .processor(accountBalanceProcessor)
                .writer(accountReconciliationWriter)
                .listener(PartitionedSteps.progressListener());
    }

    /**
     * Before the account step's first execution: records the run's inputs and, for a month, plans
     * its segments and reads its gaps ({@link MonthSegments}). A restart reads what it planned,
     * unless a day run it reuses was replaced since (--rerun of that day): then it plans again and
     * the step starts over. Runs before the step's reader is built, so the reader reads the plan.
     */
    record MonthPlanListener(MonthSegments monthSegments, JobRepository jobRepository, Duration stuckAfter)
            implements StepExecutionListener {

        static final String PLANNED = "reconciliation.month-planned";

        @Override
        public void beforeStep(StepExecution stepExecution) {
            JobExecution jobExecution = stepExecution.getJobExecution();
            var context = stepExecution.getExecutionContext();
            if (context.containsKey(PLANNED)) {
                if (monthSegments.planHolds(jobExecution.getJobInstanceId())) {
                    return;
                }
                // a day it reuses was run again since: plan again and start the step over (every partition of it too)
                monthSegments.startOver(jobExecution.getJobInstanceId());
                context.putString(PartitionedSteps.START_OVER, "true");
                context.entrySet().stream().map(java.util.Map.Entry::getKey)
                        .filter(key -> key.startsWith("accountBalanceReader.")).toList().forEach(context::remove);
            }
            Instant asOf = asOf(jobExecution, jobRepository);
            monthSegments.prepare(PeriodJobParameters.from(jobExecution.getJobParameters()), jobExecution.getJobInstanceId(),
                    asOf, asOf.minus(stuckAfter));
            stepExecution.getExecutionContext().putString(PLANNED, "true");
        }
    }

    @Bean
    Step reconciliationLedgerStep(JobRepository jobRepository, PlatformTransactionManager transactionManager,
            JdbcCursorItemReader<Finding> ledgerFindingReader, FindingItemWriter findingWriter,
            @Value("${billing.reconciliation.chunk-size:2000}") int chunkSize, PartitionedSteps partitionedSteps,
            Step reconciliationLedgerPartitionStep) {
        return partitionedSteps.step("reconciliationLedgerStep", () -> ledgerStep("reconciliationLedgerStep", jobRepository,
                transactionManager, ledgerFindingReader, findingWriter, chunkSize), reconciliationLedgerPartitionStep);
    }

    /** One range of accounts of the ledger step (a partition, here or on a worker). */
    @Bean
    Step reconciliationLedgerPartitionStep(JobRepository jobRepository, PlatformTransactionManager transactionManager,
            JdbcCursorItemReader<Finding> ledgerFindingReader, FindingItemWriter findingWriter,
            @Value("${billing.reconciliation.chunk-size:2000}") int chunkSize) {
        return ledgerStep("reconciliationLedgerPartitionStep", jobRepository, transactionManager, ledgerFindingReader,
                findingWriter, chunkSize);
    }

    private static Step ledgerStep(String name, JobRepository jobRepository, PlatformTransactionManager transactionManager,
            JdbcCursorItemReader<Finding> ledgerFindingReader, FindingItemWriter findingWriter, int chunkSize) {
        return new StepBuilder(name, jobRepository)
                .<Finding, Finding>chunk(chunkSize)
                .transactionManager(transactionManager)
                .reader(ledgerFindingReader)
                .writer(findingWriter)
                .listener(PartitionedSteps.progressListener())
                .build();
    }

    @Bean
    @StepScope
    JdbcCursorItemReader<AccountBalance> accountBalanceReader(DataSource dataSource, JdbcTemplate jdbc, LedgerAmountBound bound,
            ReconciliationSeals seals, @Value("#{jobParameters['period']}") String period,
            @Value("#{jobParameters['zone']}") String zone,
            @Value("#{stepExecution.jobExecution.jobInstanceId}") Long jobInstanceId, MonthSegments monthSegments,
            @Value("${billing.reconciliation.work-mem:1GB}") String workMem,
            @Value("#{stepExecution}") StepExecution stepExecution) {
        ReportPeriod reportPeriod = ReportPeriod.parse(period, zone);
        AccountRange range = AccountRange.of(stepExecution);
        boolean fromDays = monthSegments.reusesDays(jobInstanceId);
        ReconciliationSeals.Start start = fromDays ? null : seals.startOfLogged(reportPeriod);
        RateInForce rates = fromDays ? null : RateInForce.of(RateCard.read(jdbc));
        return new JdbcCursorItemReaderBuilder<AccountBalance>()
                .name("accountBalanceReader")
                .dataSource(dataSource)
                .sql(fromDays ? MonthFromDaysSql.ACCOUNT_BALANCES : rates.into(ReconciliationSql.ACCOUNT_BALANCES))
                .connectionAutoCommit(false) // its own transaction, for SET LOCAL work_mem (the period's sort)
                .preparedStatementSetter(new LocalWorkMem(workMem, !fromDays, fromDays
                        ? new Object[] { jobInstanceId, range.from(), range.to() }
                        : rates.arguments(new Object[] { start.jobInstanceId(), start.sealedToArgument(),
                                Timestamp.from(reportPeriod.start()), Timestamp.from(reportPeriod.end()), bound.maxMicros(),
                                range.from(), range.to() })))
                .rowMapper((rs, rowNum) -> {
                    UUID account = rs.getObject("account_id", UUID.class);
                    String what = "reconciliation " + reportPeriod.key() + " (" + reportPeriod.zone().getId() + "), account "
                            + account + ": ";
                    return new AccountBalance(account, rs.getObject("customer_id", UUID.class), rs.getString("account_name"),
                            rs.getBoolean("account_exists"), rs.getLong("opening"), sum(rs, "net", what),
                            sum(rs, "credits", what), sum(rs, "charges_call", what), sum(rs, "charges_sms", what),
                            sum(rs, "charges_number", what), rs.getObject("closing_snapshot", Long.class),
                            rs.getObject("stored_balance", Long.class), rs.getLong("ledger_rows"),
                            rs.getObject("last_posting_seq", Long.class), rs.getLong("last_snapshot"),
                            rs.getObject("last_expected", Long.class), rs.getBigDecimal("row_digest"),
                            rs.getObject("first_seq", Long.class), rs.getObject("closing_seq", Long.class),
                            fromDays ? null : readRows(rs));
                })
                .build();
    }

    /** What the account step read of an account's rows for the ledger step; null when it read none. */
    private static AccountBalance.ReadRows readRows(ResultSet rs) throws SQLException {
        if (!rs.getBoolean("rows_read")) {
            return null;
        }
        Long[] candidates = (Long[]) rs.getArray("candidates").getArray();
        return new AccountBalance.ReadRows(rs.getObject("read_first_seq", Long.class),
                java.util.Arrays.stream(candidates).mapToLong(Long::longValue).toArray());
    }

    /** A numeric sum as a long, or a clear error naming the account and period (never a wrapped number). */
    private static long sum(ResultSet rs, String column, String what) throws SQLException {
        BigDecimal sum = rs.getBigDecimal(column);
        try {
            return sum.longValueExact();
        }
        catch (ArithmeticException ex) {
            throw new ArithmeticException(what + column + " sums to " + sum.toPlainString() + " micro-USD, beyond a 64-bit amount");
        }
    }

    @Bean
    @StepScope
    AccountBalanceProcessor accountBalanceProcessor(@Value("#{jobParameters['period']}") String period,
            @Value("#{jobParameters['zone']}") String zone, @Value("#{stepExecution.jobExecution}") JobExecution jobExecution,
            JobRepository jobRepository) {
        return new AccountBalanceProcessor(ReportPeriod.parse(period, zone).contains(asOf(jobExecution, jobRepository)));
    }

    @Bean
    @StepScope
    JdbcCursorItemReader<Finding> ledgerFindingReader(DataSource dataSource,
            @Value("#{jobParameters['period']}") String period, @Value("#{jobParameters['zone']}") String zone,
            @Value("#{stepExecution.jobExecution}") JobExecution jobExecution, JobRepository jobRepository,
            @Value("${billing.reconciliation.stuck-after:24h}") Duration stuckAfter, LedgerAmountBound bound,
            ReconciliationSeals seals, MonthSegments monthSegments,
            @Value("${billing.reconciliation.work-mem:1GB}") String workMem,
            @Value("#{stepExecution}") StepExecution stepExecution) {
        ReportPeriod reportPeriod = ReportPeriod.parse(period, zone);
        AccountRange range = AccountRange.of(stepExecution);
        Instant stuckBefore = asOf(jobExecution, jobRepository).minus(stuckAfter);
        long run = jobExecution.getJobInstanceId();
        Timestamp start = Timestamp.from(reportPeriod.start());
        Timestamp end = Timestamp.from(reportPeriod.end());
        boolean fromDays = monthSegments.reusesDays(run);
        ReconciliationSeals.Start seal = fromDays ? null : seals.startOf(reportPeriod); // the account step logged it
        return new JdbcCursorItemReaderBuilder<Finding>()
                .name("ledgerFindingReader")
                .dataSource(dataSource)
                .sql(fromDays ? MonthFromDaysSql.LEDGER_FINDINGS : ReconciliationSql.LEDGER_FINDINGS)
                .connectionAutoCommit(false) // its own transaction, for SET LOCAL work_mem
                .preparedStatementSetter(new LocalWorkMem(workMem, fromDays
                        ? new Object[] { run, start, end, Timestamp.from(stuckBefore), run, start, end, range.from(), range.to() }
                        : new Object[] { run, seal.jobInstanceId(), seal.sealedToArgument(), start, end,
                                Timestamp.from(stuckBefore), bound.maxMicros(), range.from(), range.to() }))
                .rowMapper((rs, rowNum) -> new Finding(rs.getString("kind"), rs.getObject("account_id", UUID.class),
                        rs.getObject("ledger_id", UUID.class), rs.getObject("expected", Long.class),
                        rs.getObject("actual", Long.class), rs.getString("detail")))
                .build();
    }

    /**
     * The instant the run judges "now" by: when its first execution was created, so a restart
     * judges exactly as the run it continues; a provisional run's as-of instant.
     */
    static Instant asOf(JobExecution jobExecution, JobRepository jobRepository) {
        Instant provisionalAsOf = PeriodJobParameters.from(jobExecution.getJobParameters()).provisionalAsOf();
        if (provisionalAsOf != null) {
            return provisionalAsOf; // a provisional run judges as of the instant it reports up to
        }
        return jobRepository.getJobExecutions(jobExecution.getJobInstance()).stream()
                .map(JobExecution::getCreateTime)
                .min(java.util.Comparator.naturalOrder())
                .orElse(jobExecution.getCreateTime())
                .atZone(java.time.ZoneId.systemDefault()).toInstant();
    }

    @Bean
    @StepScope
    AccountReconciliationItemWriter accountReconciliationWriter(JdbcTemplate jdbc,
            @Value("#{stepExecution.jobExecution.jobInstanceId}") Long jobInstanceId,
            @Value("#{jobParameters['period']}") String period, @Value("#{jobParameters['zone']}") String zone) {
        return new AccountReconciliationItemWriter(jdbc, jobInstanceId, ReportPeriod.parse(period, zone).start());
    }

    @Bean
    @StepScope
    FindingItemWriter findingWriter(JdbcTemplate jdbc,
            @Value("#{stepExecution.jobExecution.jobInstanceId}") Long jobInstanceId) {
        return new FindingItemWriter(jdbc, jobInstanceId);
    }

    @Bean
    Step reconciliationPublishStep(JobRepository jobRepository, PlatformTransactionManager transactionManager,
            JdbcReconciliationRepository reconciliations) {
        return new StepBuilder("reconciliationPublishStep", jobRepository)
                .tasklet((contribution, chunkContext) -> {
                    JobExecution jobExecution = chunkContext.getStepContext().getStepExecution().getJobExecution();
                    PeriodJobParameters parameters = PeriodJobParameters.from(jobExecution.getJobParameters());
                    if (!parameters.provisional()) { // the period so far is never the period's result
                        // sealed only once the period has ended as of the run: rows may still be posted in a running one
                        boolean ended = !parameters.period().end().isAfter(asOf(jobExecution, jobRepository));
                        reconciliations.publish(parameters, jobExecution.getJobInstanceId(), jobExecution.getId(), ended);
                    }
                    return org.springframework.batch.infrastructure.repeat.RepeatStatus.FINISHED;
                }, transactionManager)
                .build();
    }

    @Bean
    Step reconciliationFilesStep(JobRepository jobRepository, PlatformTransactionManager transactionManager,
            ReconciliationFiles files) {
        return new StepBuilder("reconciliationFilesStep", jobRepository)
                .tasklet((contribution, chunkContext) -> {
                    JobExecution jobExecution = chunkContext.getStepContext().getStepExecution().getJobExecution();
                    PeriodJobParameters parameters = PeriodJobParameters.from(jobExecution.getJobParameters());
                    if (parameters.provisional()) {
                        files.writeProvisional(parameters, jobExecution.getJobInstanceId(), jobExecution.getId(),
                                jobExecution.getStartTime() == null ? java.time.Instant.EPOCH
                                        : jobExecution.getStartTime().atZone(java.time.ZoneId.systemDefault()).toInstant());
                    }
                    else {
                        files.write(parameters.period());
                        files.removeProvisional(parameters.period());
                    }
                    return org.springframework.batch.infrastructure.repeat.RepeatStatus.FINISHED;
                }, transactionManager)
                .build();
    }
}
