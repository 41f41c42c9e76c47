package io.billingbatch.costreport;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.util.UUID;

import javax.sql.DataSource;

import io.billingbatch.batch.ItemRejectRecorder;
import io.billingbatch.batch.PeriodJobParameters;
import io.billingbatch.ledger.LedgerAmountBound;
import io.billingbatch.ledger.PostedCharges;
import io.billingbatch.ledger.ReportPeriod;
import io.billingbatch.partition.AccountRange;
import io.billingbatch.partition.PartitionedSteps;
import io.billingbatch.report.ReportStore;
import io.billingbatch.report.StreamedReportWriter;

import org.springframework.batch.core.configuration.annotation.JobScope;
import org.springframework.batch.core.configuration.annotation.StepScope;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.job.parameters.JobParameters;
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
import org.springframework.jdbc.core.RowMapper;
import org.springframework.transaction.PlatformTransactionManager;

@Configuration(proxyBeanMethods = false)
public class CostReportJobConfiguration {

    public static final String JOB_NAME = "cost-report";

    /**
     * Groups the period's ledger rows in PostgreSQL. Posted usage is what counts; rows of any other
     * non-credit transaction type or status are grouped too so the processor can reject them
     * visibly instead of losing them. A row whose amount is NULL or beyond the sanity bound (the
     * last parameter, micro-USD) is a group of its own, named by its {@code ledger_id}, so it is
     * rejected alone while the good rows of its account and type are reported. Sums are
     * {@code numeric} (PostgreSQL's sum of bigint) and checked against a long when read. The result
     * is read in one round trip (no cursor row limit), which lets PostgreSQL run the grouping as a
     * parallel plan. Parameters: period start, period end, bound, the partition's first account and
     * its end (NULL: open; {@link AccountRange}).
     */
    public static final String GROUPED_LEDGER_SQL = PostedCharges.expand("""
            SELECT g.account_id, a.customer_id, a.name AS account_name, g.transaction_type, g.status, g.type,
                   g.ledger_id, g.amount_missing, g.records, g.billable_units, g.cost
            FROM (
                SELECT b.account_id, b.transaction_type, b.status,
                       {charge_type} AS type,
                       CASE WHEN b.amount_credit IS NULL OR b.amount_credit NOT BETWEEN -p.max_amount AND p.max_amount
                            THEN b.id END AS ledger_id,
                       sum(b.amount_credit) IS NULL AS amount_missing, -- the same sum as cost: no extra aggregate
                       count(*) AS records,
                       coalesce(sum(b.billable_units), 0) AS billable_units,
                       -coalesce(sum(b.amount_credit), 0) AS cost
                FROM billing_billings b
                CROSS JOIN (SELECT CAST(? AS timestamptz) AS ps, CAST(? AS timestamptz) AS pe,
                                   CAST(? AS bigint) AS max_amount, CAST(? AS uuid) AS lo, CAST(? AS uuid) AS hi) p
                WHERE b.tm_posted >= p.ps AND b.tm_posted < p.pe
                  AND (p.lo IS NULL OR b.account_id >= p.lo) AND (p.hi IS NULL OR b.account_id < p.hi)
                  AND b.tm_delete IS NULL
                  AND b.status IS DISTINCT FROM 'progressing'
                  AND (b.transaction_type IS NULL OR b.transaction_type NOT IN ('top_up', 'adjustment', 'refund'))
                GROUP BY 1, 2, 3, 4, 5
            ) g
            LEFT JOIN billing_accounts a ON a.id = g.account_id
            ORDER BY g.account_id, g.type, g.transaction_type, g.status, g.ledger_id NULLS FIRST
            """);

    /**
     * A month's grouping: the lines of {@link #GROUPED_LEDGER_SQL}, the same groups in the same order,
     * then from the same scan of the ledger the month's charges per day of its zone (the By day sheet):
     * rows with a {@code day} and no {@code account_id}, ordered by day. A day counts the rows the lines
     * report (posted usage of a charge type, an amount within the bound); the other rows fall in one group
     * without a day, which is left out. {@code GROUPING SETS} makes PostgreSQL aggregate in one process
     * (no parallel partial aggregation; the scan stays parallel): measured, with the work_mem its hash table
     * needs (the reader sets it) it takes less CPU and time than the parallel grouping alone, and the month's
     * rows are read once instead of twice (README, Benchmark: workbooks and statements). Parameters: those
     * of {@link #GROUPED_LEDGER_SQL}, then the zone.
     */
    public static final String GROUPED_LEDGER_WITH_DAYS_SQL = PostedCharges.expand("""
            SELECT g.account_id, a.customer_id, a.name AS account_name, g.transaction_type, g.status, g.type,
                   g.ledger_id, g.amount_missing, g.records, g.billable_units, g.cost, g.day
            FROM (
                SELECT b.account_id, b.transaction_type, b.status,
                       {charge_type} AS type,
                       CASE WHEN b.amount_credit IS NULL OR b.amount_credit NOT BETWEEN -p.max_amount AND p.max_amount
                            THEN b.id END AS ledger_id,
                       CASE WHEN {posted_usage} AND {charge_reference} AND b.amount_credit BETWEEN -p.max_amount AND p.max_amount
                            THEN CAST(b.tm_posted AT TIME ZONE p.zone AS date) END AS day,
                       sum(b.amount_credit) IS NULL AS amount_missing,
                       count(*) AS records,
                       coalesce(sum(b.billable_units), 0) AS billable_units,
                       -coalesce(sum(b.amount_credit), 0) AS cost
                FROM billing_billings b
                CROSS JOIN (SELECT CAST(? AS timestamptz) AS ps, CAST(? AS timestamptz) AS pe,
                                   CAST(? AS bigint) AS max_amount, CAST(? AS uuid) AS lo, CAST(? AS uuid) AS hi,
                                   CAST(? AS text) AS zone) p
                WHERE b.tm_posted >= p.ps AND b.tm_posted < p.pe
                  AND (p.lo IS NULL OR b.account_id >= p.lo) AND (p.hi IS NULL OR b.account_id < p.hi)
                  AND b.tm_delete IS NULL
                  AND b.status IS DISTINCT FROM 'progressing'
                  AND (b.transaction_type IS NULL OR b.transaction_type NOT IN ('top_up', 'adjustment', 'refund'))
                GROUP BY GROUPING SETS ((1, 2, 3, 4, 5), (6))
            ) g
            LEFT JOIN billing_accounts a ON a.id = g.account_id
            WHERE g.account_id IS NOT NULL OR g.day IS NOT NULL
            ORDER BY g.account_id, g.type, g.transaction_type, g.status, g.ledger_id NULLS FIRST, g.day
            """);

    /**
     * Maps a group; a row's amount that is not taken (NULL, beyond the bound) or a sum that does not
     * fit a 64-bit micro-USD amount becomes the line's problem, which the processor rejects.
     */
    static RowMapper<CostLine> costLineRowMapper(LedgerAmountBound bound) {
        return (rs, rowNum) -> {
            UUID accountId = rs.getObject("account_id", UUID.class);
            UUID ledgerId = rs.getObject("ledger_id", UUID.class);
            BigDecimal cost = rs.getBigDecimal("cost");
            BigDecimal units = rs.getBigDecimal("billable_units");
            String problem = null;
            if (ledgerId != null) {
                problem = bound.reason(rs.getBoolean("amount_missing") ? null : cost.negate().longValueExact());
            }
            else if (!fitsLong(cost) || !fitsLong(units)) {
                problem = "their sum (cost " + cost.movePointLeft(6).toPlainString() + " USD, " + units.toPlainString()
                        + " billable units) does not fit a 64-bit micro-USD amount";
            }
            return new CostLine(accountId, rs.getObject("customer_id", UUID.class), rs.getString("account_name"),
                    rs.getString("transaction_type"), rs.getString("status"), rs.getString("type"), rs.getLong("records"),
                    problem == null ? units.longValueExact() : 0, problem == null ? cost.longValueExact() : 0, ledgerId,
                    problem);
        };
    }

    /** Maps a row of {@link #GROUPED_LEDGER_WITH_DAYS_SQL}: a group as {@link #costLineRowMapper}, or a day's total. */
    static RowMapper<CostLineItemReader.GroupedRow> groupedRowMapper(LedgerAmountBound bound) {
        RowMapper<CostLine> lines = costLineRowMapper(bound);
        return (rs, rowNum) -> {
            if (rs.getObject("account_id") == null) {
                return new CostLineItemReader.GroupedRow(null, rs.getObject("day", java.time.LocalDate.class), rs.getLong("records"),
                        rs.getBigDecimal("cost"));
            }
            return new CostLineItemReader.GroupedRow(lines.mapRow(rs, rowNum), null, 0, null);
        };
    }

    static boolean fitsLong(BigDecimal value) {
        return value.compareTo(BigDecimal.valueOf(Long.MIN_VALUE)) >= 0 && value.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) <= 0;
    }

    @Bean
    Job costReportJob(JobRepository jobRepository, Step costAggregationStep, Step costPublishStep,
            Step costReportFilesStep) {
        return new JobBuilder(JOB_NAME, jobRepository)
                .validator(PeriodJobParameters.validator())
                .start(costAggregationStep)
                .next(costPublishStep)
                .next(costReportFilesStep)
                .build();
    }

    /**
     * The aggregation: unpartitioned (the default) one step that also renders the files from its
     * committed chunks; partitioned ({@code billing.partitions.*}) {@code costAggregationPartitionStep}
     * per range of accounts, which only store lines: the files step then renders them from the table,
     * in the same order and layout, so the files are the same bytes.
     */
    @Bean
    Step costAggregationStep(JobRepository jobRepository, PlatformTransactionManager transactionManager,
            CostLineItemReader costLineReader, StreamedReportWriter<CostLine> costReportStreamWriter,
            JdbcTemplate jdbc, @Value("${billing.cost-report.chunk-size:5000}") int chunkSize,
            PartitionedSteps partitionedSteps, Step costAggregationPartitionStep) {
        // stores the lines (COPY) and renders the files from each committed chunk meanwhile; also a listener
        return partitionedSteps.step("costAggregationStep", () -> aggregationStep("costAggregationStep", jobRepository,
                transactionManager, costLineReader, costReportStreamWriter, jdbc, chunkSize), costAggregationPartitionStep);
    }

    /** One range of accounts of the aggregation (a partition, here or on a worker): stores its lines. */
    @Bean
    Step costAggregationPartitionStep(JobRepository jobRepository, PlatformTransactionManager transactionManager,
            CostLineItemReader costLineReader, CostLineItemWriter costLineWriter, JdbcTemplate jdbc,
            @Value("${billing.cost-report.chunk-size:5000}") int chunkSize) {
        return aggregationStep("costAggregationPartitionStep", jobRepository, transactionManager, costLineReader,
                costLineWriter, jdbc, chunkSize);
    }

    private static Step aggregationStep(String name, JobRepository jobRepository, PlatformTransactionManager transactionManager,
            CostLineItemReader costLineReader, org.springframework.batch.infrastructure.item.ItemWriter<CostLine> writer,
            JdbcTemplate jdbc, int chunkSize) {
        ItemRejectRecorder<CostLine> rejects = new ItemRejectRecorder<>(jdbc);
        return new StepBuilder(name, jobRepository)
                .<CostLine, CostLine>chunk(chunkSize)
                .transactionManager(transactionManager)
                .reader(costLineReader)
                .processor(new CostLineProcessor())
                .writer(writer)
                .faultTolerant()
                .skipPolicy((failure, skipCount) -> failure instanceof InvalidCostLineException)
                .skipListener(rejects)
                .listener((StepExecutionListener) rejects)
                .listener(PartitionedSteps.progressListener())
                .build();
    }

    /**
     * The aggregation's reader. A final month's unpartitioned run reads the month's day totals with its
     * lines ({@link CostLineItemReader}); a day, a provisional run and a partition read the lines alone
     * (their files have no By day sheet, or a partitioned run's files step sums the days itself).
     */
    @Bean
    @StepScope
    CostLineItemReader costLineReader(DataSource dataSource, LedgerAmountBound bound,
            @Value("#{stepExecution.jobExecution.jobParameters}") JobParameters jobParameters,
            @Value("#{stepExecution}") StepExecution stepExecution,
            @Value("${billing.cost-report.work-mem:64MB}") String workMem) {
        PeriodJobParameters parameters = PeriodJobParameters.from(jobParameters);
        // the whole period, or a provisional run's period up to its as-of instant
        ReportPeriod reportPeriod = parameters.covered();
        AccountRange range = AccountRange.of(stepExecution);
        boolean withDays = parameters.period().isMonth() && !parameters.provisional() && AccountRange.ALL.equals(range);
        Object[] arguments = { Timestamp.from(reportPeriod.start()), Timestamp.from(reportPeriod.end()), bound.maxMicros(),
                range.from(), range.to() };
        RowMapper<CostLine> lines = costLineRowMapper(bound);
        if (!withDays) {
            return new CostLineItemReader(new JdbcCursorItemReaderBuilder<CostLineItemReader.GroupedRow>()
                    .name("costLineReader")
                    .dataSource(dataSource)
                    .sql(GROUPED_LEDGER_SQL)
                    .queryArguments(arguments)
                    .rowMapper((rs, rowNum) -> new CostLineItemReader.GroupedRow(lines.mapRow(rs, rowNum), null, 0, null))
                    .build(), false);
        }
        if (workMem == null || !workMem.matches("[0-9]{1,7}(kB|MB|GB)")) {
            throw new IllegalArgumentException("billing.cost-report.work-mem must be a size like 64MB (kB, MB or GB), was '"
                    + workMem + "'");
        }
        Object[] withZone = append(arguments, reportPeriod.zone().getId());
        return new CostLineItemReader(new JdbcCursorItemReaderBuilder<CostLineItemReader.GroupedRow>()
                .name("costLineReader")
                .dataSource(dataSource)
                .sql(GROUPED_LEDGER_WITH_DAYS_SQL)
                // its own transaction, for SET LOCAL work_mem: the grouping sets' hash table (an entry per account and
                // type) is aggregated in one process and spills to disk under the server's default of 4 MB (measured:
                // 0.15 s more CPU at 1M rows, 20,000 accounts); no fetch size, so the plan stays parallel
                .connectionAutoCommit(false)
                .preparedStatementSetter(statement -> {
                    try (java.sql.Statement set = statement.getConnection().createStatement()) {
                        set.execute("SET LOCAL work_mem = '" + workMem + "'");
                    }
                    new org.springframework.jdbc.core.ArgumentPreparedStatementSetter(withZone).setValues(statement);
                })
                .rowMapper(groupedRowMapper(bound))
                .build(), true);
    }

    private static Object[] append(Object[] arguments, Object last) {
        Object[] all = java.util.Arrays.copyOf(arguments, arguments.length + 1);
        all[arguments.length] = last;
        return all;
    }

    @Bean
    @StepScope
    CostLineItemWriter costLineWriter(DataSource dataSource,
            @Value("#{stepExecution.jobExecution.jobInstanceId}") Long jobInstanceId) {
        return new CostLineItemWriter(dataSource, jobInstanceId);
    }

    /**
     * The step's writer, one per job execution: {@link CostLineItemWriter} stores the lines, and a
     * first, final run's files are rendered from them as chunks commit. A provisional run's files have
     * their own layout and come from its lines.
     */
    @Bean
    @JobScope
    StreamedReportWriter<CostLine> costReportStreamWriter(CostLineItemWriter costLineWriter, ReportStore store,
            JobRepository jobRepository, @Value("#{jobExecution.jobParameters}") JobParameters jobParameters) {
        PeriodJobParameters parameters = PeriodJobParameters.from(jobParameters);
        return new StreamedReportWriter<>(costLineWriter, CostReportFiles.layout(parameters.period()), store, jobRepository,
                !parameters.provisional());
    }

    @Bean
    Step costPublishStep(JobRepository jobRepository, PlatformTransactionManager transactionManager,
            CostReportRepository costReports) {
        return new StepBuilder("costPublishStep", jobRepository)
                .tasklet(new CostReportPublishTasklet(costReports), transactionManager)
                .build();
    }

    @Bean
    Step costReportFilesStep(JobRepository jobRepository, PlatformTransactionManager transactionManager,
            CostReportFiles costReportFiles, StreamedReportWriter<CostLine> costReportStreamWriter) {
        return new StepBuilder("costReportFilesStep", jobRepository)
                .tasklet(new CostReportFilesTasklet(costReportFiles, costReportStreamWriter, jobRepository), transactionManager)
                .build();
    }
}
