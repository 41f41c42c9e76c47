package io.billingbatch.benchmark;

import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.sql.Connection;
import java.time.Duration;
import java.time.YearMonth;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

import javax.sql.DataSource;

import io.billingbatch.batch.PeriodJobParameters;
import io.billingbatch.costreport.CostReportJobConfiguration;
import io.billingbatch.demo.DemoLedgerGenerator;
import io.billingbatch.demo.DemoLedgerResult;
import io.billingbatch.demo.DemoLedgerSpec;
import io.billingbatch.ledger.LedgerAmountBound;
import io.billingbatch.ledger.ReportPeriod;
import io.billingbatch.reconciliation.ReconciliationSql;
import io.billingbatch.launch.CommandLine;
import io.billingbatch.launch.Invocation;
import io.billingbatch.launch.PeriodJobLauncher;
import io.billingbatch.webhook.WebhookBenchmark;
import io.billingbatch.launch.PeriodJobLauncher.LaunchOutcome;
import io.billingbatch.launch.UsageException;
import org.postgresql.PGConnection;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Measures {@code cost-report} and {@code reconciliation} end to end against their floors: the
 * same SQL done by PostgreSQL alone and streamed out with {@code COPY (SELECT ...) TO STDOUT}, in
 * the same run on the same data. Prints rows, seconds, rows/s, the ratio and the job's peak heap. It fills a database of
 * its own ({@code billing_benchmark}), never the demo ledger.
 */
@Component
class Benchmark {

    static final String BENCHMARK_DATABASE = "billing_benchmark";

    private final DemoLedgerGenerator generator;

    private final PeriodJobLauncher launcher;

    private final Job costReportJob;

    private final Job reconciliationJob;

    private final JdbcTemplate jdbc;

    private final DataSource dataSource;

    private final LedgerAmountBound amountBound;

    private final AccountCostBenchmark accountCost;

    private final WebhookBenchmark webhooks;

    private final Job statementsJob;

    private final io.billingbatch.partition.PartitionSettings partitions;

    Benchmark(DemoLedgerGenerator generator, PeriodJobLauncher launcher, @Qualifier("costReportJob") Job costReportJob,
            @Qualifier("reconciliationJob") Job reconciliationJob, JdbcTemplate jdbc, DataSource dataSource,
            LedgerAmountBound amountBound, AccountCostBenchmark accountCost, WebhookBenchmark webhooks,
            @Qualifier("statementsJob") Job statementsJob, io.billingbatch.partition.PartitionSettings partitions) {
        this.partitions = partitions;
        this.accountCost = accountCost;
        this.webhooks = webhooks;
        this.statementsJob = statementsJob;
        this.generator = generator;
        this.launcher = launcher;
        this.costReportJob = costReportJob;
        this.reconciliationJob = reconciliationJob;
        this.jdbc = jdbc;
        this.dataSource = dataSource;
        this.amountBound = amountBound;
    }

    /**
     * @param historyMonths earlier months of the same size generated before the measured month
     * @param day a day of the month whose reconciliation is measured too (after the day before it is
     *        reconciled once, as the nightly runs leave it), or null
     * @param floorWorkMem the {@code work_mem} the reconciliation's floor sets for its own statement
     * @param monthFromDays whether the month is also measured assembled from its sealed days, after
     *        each of its days is reconciled once (as the nightly runs leave it)
     */
    record Settings(long rows, int accounts, YearMonth month, long seed, boolean skipGenerate, java.util.Set<String> jobs,
            int historyMonths, java.time.LocalDate day, String floorWorkMem, boolean monthFromDays) {

        static Settings from(Invocation invocation) {
            YearMonth month;
            try {
                month = YearMonth.parse(invocation.option("month", "2020-01"));
            }
            catch (java.time.format.DateTimeParseException ex) {
                throw new UsageException("--month must be a month like 2020-01");
            }
            java.time.LocalDate day = null;
            String dayOption = invocation.option("day", null);
            if (dayOption != null) {
                try {
                    day = java.time.LocalDate.parse(dayOption);
                }
                catch (java.time.format.DateTimeParseException ex) {
                    throw new UsageException("--day must be a day like 2020-01-15");
                }
                if (!YearMonth.from(day).equals(month)) {
                    throw new UsageException("--day must be a day of the measured month " + month + ", was " + day);
                }
            }
            String workMem = invocation.option("floor-work-mem", "1GB");
            if (!workMem.matches("[0-9]{1,7}(kB|MB|GB)")) {
                throw new UsageException("--floor-work-mem must be a size like 256MB, was '" + workMem + "'");
            }
            return new Settings(invocation.longOption("rows", 10_000_000, 1_000, 2_000_000_000L),
                    (int) invocation.longOption("accounts", 20_000, 1, 10_000_000), month,
                    invocation.longOption("seed", 7, Long.MIN_VALUE, Long.MAX_VALUE), invocation.flag("skip-generate"),
                    jobs(invocation.option("jobs", "cost-report,reconciliation,statements")),
                    (int) invocation.longOption("history-months", 0, 0, DemoLedgerSpec.MAX_MONTHS - 1), day, workMem,
                    invocation.flag("month-from-days"));
        }

        private static java.util.Set<String> jobs(String list) {
            java.util.Set<String> jobs = new java.util.LinkedHashSet<>(java.util.List.of(list.split(",")));
            if (jobs.isEmpty() || !java.util.Set.of("cost-report", "reconciliation", "statements", "account-cost", "webhooks")
                    .containsAll(jobs)) {
                throw new UsageException("--jobs takes cost-report, reconciliation, statements, account-cost and/or webhooks,"
                        + " comma separated; was '"
                        + list + "'");
            }
            return jobs;
        }
    }

    int run(Settings settings, PrintStream out) throws Exception {
        if (settings.jobs().equals(java.util.Set.of("webhooks"))) { // deliveries to a loopback receiver: no ledger needed
            return webhooks.run(out) ? CommandLine.OK : CommandLine.FAILED;
        }
        String database = jdbc.queryForObject("SELECT current_database()", String.class);
        ReportPeriod period = ReportPeriod.parse(settings.month().toString(), "UTC");
        out.printf("benchmark: database %s, PostgreSQL %s, max heap %d MiB, %d earlier month(s) of history%n", database,
                jdbc.queryForObject("SHOW server_version", String.class), Runtime.getRuntime().maxMemory() >> 20,
                settings.historyMonths());
        out.printf("partitions: %s (README, Partitions: --billing.partitions.mode=local|amqp --billing.partitions.grid-size=N)%n",
                partitions.unpartitioned() ? "none (local, grid 1: the steps unpartitioned)"
                        : partitions.mode().name().toLowerCase() + ", grid " + partitions.gridSize()
                                + (partitions.mode() == io.billingbatch.partition.PartitionSettings.Mode.LOCAL
                                        ? ", " + (partitions.threads() > 0 ? partitions.threads()
                                                : Math.min(partitions.gridSize(), Runtime.getRuntime().availableProcessors()))
                                                + " thread(s)" : ", on worker processes"));
        if (!settings.skipGenerate()) {
            if (!generator.isLedgerEmpty()) {
                if (!BENCHMARK_DATABASE.equals(database)) {
                    throw new UsageException("the ledger in database '" + database + "' is not empty: the benchmark only"
                            + " empties a database named " + BENCHMARK_DATABASE + " (or pass --skip-generate to reuse it)");
                }
                jdbc.execute("TRUNCATE billing_billings, billing_accounts");
            }
            int months = settings.historyMonths() + 1;
            DemoLedgerResult generated = generator.generate(new DemoLedgerSpec(settings.seed(), settings.accounts(),
                    settings.month().minusMonths(settings.historyMonths()), months, settings.rows() * months));
            out.printf("generate: %,d rows, %,d accounts, %d month(s) in %.1f s (%,.0f rows/s)%n", generated.rows(),
                    generated.accounts(), months, generated.elapsed().toMillis() / 1000.0,
                    generated.rows() / Math.max(generated.elapsed().toMillis() / 1000.0, 1e-3));
            jdbc.execute("VACUUM ANALYZE billing_billings");
        }
        long ledgerRows = rowsIn(period);
        out.printf("ledger rows in %s: %,d (of %,d in the ledger)%n", period.key(), ledgerRows,
                jdbc.queryForObject("SELECT count(*) FROM billing_billings", Long.class));
        boolean completed = true;
        if (settings.jobs().contains("cost-report")) {
            completed &= compare(costReportJob, 1.5, period, ledgerRows, out, this::costReportFloor) != null;
        }
        if (settings.jobs().contains("reconciliation")) {
            ReconciliationFloor floor = new ReconciliationFloor(settings.floorWorkMem());
            if (settings.historyMonths() > 0) {
                completed &= closeOnce(ReportPeriod.parse(settings.month().minusMonths(1).toString(), "UTC"), out);
            }
            long publishedDays = sealedDaysPublished(period);
            Result month = null;
            if (publishedDays > 0) { // the month would be assembled from them, not read: its time would not be a cold month's
                out.printf("reconciliation %s not measured: %d sealed day run(s) of it are published, so the month would be"
                        + " assembled from them, not read cold; remove those day runs from published_runs first"
                        + " (.ci/reconciliation-10m.sh does)%n", period.key(), publishedDays);
                completed = false;
            }
            else {
                month = compare(reconciliationJob, 1.5, period, ledgerRows, out, floor);
                completed &= month != null;
            }
            if (month != null && settings.day() != null) {
                ReportPeriod day = ReportPeriod.parse(settings.day().toString(), "UTC");
                completed &= closeOnce(ReportPeriod.parse(settings.day().minusDays(1).toString(), "UTC"), out);
                long dayRows = rowsIn(day);
                out.printf("ledger rows in %s: %,d%n", day.key(), dayRows);
                Result daily = compare(reconciliationJob, 1.5, day, dayRows, out, floor);
                completed &= daily != null;
                if (daily != null) {
                    out.printf("reconciliation day %s / month %s: rows %.1f %%, job %.1f %% (%.2f s / %.2f s),"
                            + " floor %.1f %% (%.2f s / %.2f s)%n", day.key(), period.key(), 100.0 * dayRows / ledgerRows,
                            100.0 * daily.jobSeconds() / month.jobSeconds(), daily.jobSeconds(), month.jobSeconds(),
                            100.0 * daily.floorSeconds() / month.floorSeconds(), daily.floorSeconds(), month.floorSeconds());
                }
            }
            if (month != null && settings.monthFromDays()) {
                completed &= monthFromDays(period, month, out);
            }
        }
        if (settings.jobs().contains("statements")) {
            completed &= statements(period, out);
        }
        if (settings.jobs().contains("account-cost")) {
            accountCost.run(period, out);
        }
        if (settings.jobs().contains("webhooks")) {
            completed &= webhooks.run(out);
        }
        return completed ? CommandLine.OK : CommandLine.FAILED;
    }

    /**
     * The month's statements, twice (the first run in this JVM loads PDFBox and the fonts), after its
     * reconciliation if none is published: statements per second against the target of 20,000 in 60 s.
     */
    private boolean statements(ReportPeriod period, PrintStream out) throws Exception {
        Integer published = jdbc.queryForObject("SELECT count(*) FROM published_runs WHERE job_name = 'reconciliation'"
                + " AND period = ? AND zone = ?", Integer.class, period.key(), period.zone().getId());
        if (published == 0) {
            JobRun reconciliation = runJob(reconciliationJob, period);
            if (reconciliation.execution().getStatus() != BatchStatus.COMPLETED) {
                out.println("reconciliation " + period.key() + " did not complete: no statements");
                return false;
            }
        }
        double best = Double.MAX_VALUE;
        long issued = 0;
        long withheld = 0;
        java.util.List<String> runs = new java.util.ArrayList<>();
        for (int run = 0; run < 2; run++) {
            JobRun statements = runJob(statementsJob, period);
            if (statements.execution().getStatus() != BatchStatus.COMPLETED) {
                out.println("statements " + period.key() + " did not complete: "
                        + statements.execution().getExitStatus().getExitDescription());
                return false;
            }
            issued = statements.execution().getExecutionContext().getLong("statementsIssued");
            withheld = statements.execution().getExecutionContext().getLong("statementsWithheld");
            best = Math.min(best, statements.seconds());
            runs.add(String.format("%.2f s (peak heap %d MiB)", statements.seconds(), statements.peakHeap() >> 20));
        }
        double perSecond = issued / Math.max(best, 1e-3);
        out.printf("statements %s: %,d PDF(s) issued, %,d withheld, best %.2f s (%,.0f statements/s; runs: %s);"
                + " 20,000 statements would take %.1f s (target < 60 s: %s)%n", period.key(), issued, withheld, best,
                perSecond, String.join(", ", runs), 20_000 / Math.max(perSecond, 1e-9),
                20_000 / Math.max(perSecond, 1e-9) < 60 ? "met" : "NOT met");
        return true;
    }

    /**
     * Item 3 of issue 9: reconciles each day of the month once that is not published and sealed yet
     * (untimed, as the nightly runs do it), then times the month assembled from those days the way
     * the cold month was timed (best of two after a run in this JVM) and prints it against the cold
     * month's best.
     */
    private boolean monthFromDays(ReportPeriod month, Result cold, PrintStream out) throws Exception {
        int days = 0;
        double daysSeconds = 0;
        YearMonth yearMonth = YearMonth.parse(month.key());
        for (int day = 1; day <= yearMonth.lengthOfMonth(); day++) {
            ReportPeriod period = ReportPeriod.parse(yearMonth.atDay(day).toString(), "UTC");
            if (sealed(period)) {
                continue;
            }
            JobRun run = runJob(reconciliationJob, period);
            if (run.execution().getStatus() != BatchStatus.COMPLETED) {
                out.println("reconciliation " + period.key() + " did not complete: "
                        + run.execution().getExitStatus().getExitDescription());
                return false;
            }
            days++;
            daysSeconds += run.seconds();
        }
        out.printf("reconciliation %s, its days: %d reconciled once (%.2f s in all, %.2f s each), the others sealed already%n",
                month.key(), days, daysSeconds, daysSeconds / Math.max(days, 1));
        JobRun first = runJob(reconciliationJob, month);
        JobRun second = runJob(reconciliationJob, month);
        JobRun third = runJob(reconciliationJob, month);
        for (JobRun run : List.of(first, second, third)) {
            if (run.execution().getStatus() != BatchStatus.COMPLETED) {
                out.println("reconciliation " + month.key() + " from its days did not complete: "
                        + run.execution().getExitStatus().getExitDescription());
                return false;
            }
        }
        JobRun best = second.seconds() <= third.seconds() ? second : third;
        out.printf("reconciliation %s from its %d sealed day(s): %7.2f s  (runs: %.2f s, %.2f s; first %.2f s)%n", month.key(),
                reusedDays(month), best.seconds(), second.seconds(), third.seconds(), first.seconds());
        out.printf("reconciliation %s from its days, steps of the best run: %s%n", month.key(), steps(best.execution()));
        out.printf("reconciliation %s from its days / cold: %.2f (%.2f s / %.2f s; target <= 0.20)%n", month.key(),
                best.seconds() / cold.jobSeconds(), best.seconds(), cold.jobSeconds());
        return true;
    }

    /**
     * The published, sealed reconciliation runs of days that lie within the month, in any zone: what the month's
     * plan would reuse ({@code MonthSegments} takes day runs of any zone whose instants tile the month).
     */
    private long sealedDaysPublished(ReportPeriod month) {
        return jdbc.queryForObject("""
                SELECT count(*) FROM published_runs r
                WHERE r.job_name = ? AND r.period ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'
                  AND r.period_start >= ? AND r.period_end <= ?
                  AND EXISTS (SELECT 1 FROM reconciliation_seals s WHERE s.job_instance_id = r.job_instance_id)
                """, Long.class, reconciliationJob.getName(), java.sql.Timestamp.from(month.start()),
                java.sql.Timestamp.from(month.end()));
    }

    /** The sealed day runs the period's published reconciliation reused (its plan; 0 when it read the ledger). */
    private long reusedDays(ReportPeriod period) {
        return jdbc.queryForObject("""
                SELECT count(*) FROM reconciliation_segments s JOIN published_runs r ON r.job_instance_id = s.job_instance_id
                WHERE r.job_name = ? AND r.period = ? AND r.zone = ? AND s.sealed_job_instance_id IS NOT NULL
                """, Long.class, reconciliationJob.getName(), period.key(), period.zone().getId());
    }

    private boolean sealed(ReportPeriod period) {
        return Boolean.TRUE.equals(jdbc.queryForObject(
                """
                SELECT EXISTS (SELECT 1 FROM published_runs r WHERE r.job_name = ? AND r.period = ? AND r.zone = ?
                                 AND EXISTS (SELECT 1 FROM reconciliation_seals s WHERE s.job_instance_id = r.job_instance_id))
                """, Boolean.class, reconciliationJob.getName(), period.key(), period.zone().getId()));
    }

    private long rowsIn(ReportPeriod period) {
        return jdbc.queryForObject("SELECT count(*) FROM billing_billings WHERE tm_posted >= ? AND tm_posted < ?",
                Long.class, java.sql.Timestamp.from(period.start()), java.sql.Timestamp.from(period.end()));
    }

    /**
     * Reconciles the period before the measured one once, unless it is published with seals
     * already: as the nightly and monthly runs leave a ledger, so the measured period can start
     * from its close (before seals existed, this only costs the run).
     */
    private boolean closeOnce(ReportPeriod before, PrintStream out) throws Exception {
        if (sealed(before)) {
            out.printf("reconciliation %s: published and sealed already (the measured period starts from its close)%n",
                    before.key());
            return true;
        }
        JobRun run = runJob(reconciliationJob, before);
        if (run.execution().getStatus() != BatchStatus.COMPLETED) {
            out.println("reconciliation " + before.key() + " did not complete: "
                    + run.execution().getExitStatus().getExitDescription());
            return false;
        }
        out.printf("reconciliation %s (the period before, reconciled once, cold): %.2f s; steps: %s%n", before.key(),
                run.seconds(), steps(run.execution()));
        return true;
    }

    private Timing costReportFloor(ReportPeriod period) throws Exception {
        String start = "'" + period.start() + "'::timestamptz";
        String end = "'" + period.end() + "'::timestamptz";
        String maxAmount = Long.toString(amountBound.maxMicros());
        return copyOut(null, null, bind(CostReportJobConfiguration.GROUPED_LEDGER_SQL, start, end, maxAmount, "NULL", "NULL"));
    }

    /**
     * Times both contenders the same way: a warm-up run, then the best of two timed runs (the
     * floor is SQL done by PostgreSQL alone, streamed out with COPY). The job's warm-up run is the
     * first in this JVM for the period: it is printed too, as what a freshly started process pays
     * once for loading and compiling the job's code. Returns the best times, or null if the job
     * failed.
     */
    private Result compare(Job job, double target, ReportPeriod period, long ledgerRows, PrintStream out, Floor floorOf)
            throws Exception {
        floorOf.time(period); // warm-up: both contenders then find the ledger in the same caches
        Timing floorFirst = floorOf.time(period);
        JobRun first = runJob(job, period);
        if (first.execution().getStatus() != BatchStatus.COMPLETED) {
            out.println(job.getName() + " did not complete: " + first.execution().getExitStatus().getExitDescription());
            return null;
        }
        JobRun second = runJob(job, period);
        Timing floorSecond = floorOf.time(period);
        JobRun third = runJob(job, period);
        double floorSeconds = Math.min(floorFirst.seconds(), floorSecond.seconds());
        JobRun best = second.seconds() <= third.seconds() ? second : third;
        String name = job.getName() + " " + period.key();
        out.printf("%s floor (%s, %,d rows out): %7.2f s  %,12.0f ledger rows/s  (runs: %.2f s, %.2f s)%n", name,
                floorFirst.what(), floorFirst.rows(), floorSeconds, ledgerRows / floorSeconds, floorFirst.seconds(),
                floorSecond.seconds());
        out.printf("%s job:   %7.2f s  %,12.0f ledger rows/s  (runs: %.2f s, %.2f s)%n", name, best.seconds(),
                ledgerRows / best.seconds(), second.seconds(), third.seconds());
        out.printf("%s job, its first run in this JVM: %7.2f s  (warm-up; loads and compiles what earlier runs did not)%n",
                name, first.seconds());
        out.printf("%s steps, first run: %s%n", name, steps(first.execution()));
        out.printf("%s steps, best run:  %s%n", name, steps(best.execution()));
        out.printf("%s ratio job / floor: %.2f (target <= %.1f); its first run in this JVM %.2f; peak heap %d MiB (first run %d MiB, max %d MiB)%n",
                name, best.seconds() / floorSeconds, target, first.seconds() / floorSeconds, best.peakHeap() >> 20,
                first.peakHeap() >> 20, Runtime.getRuntime().maxMemory() >> 20);
        return new Result(floorSeconds, best.seconds());
    }

    private record Result(double floorSeconds, double jobSeconds) {
    }

    @FunctionalInterface
    private interface Floor {
        Timing time(ReportPeriod period) throws Exception;
    }

    /**
     * The reconciliation's floor, written independently of the job: one statement that reads the
     * period's rows once, checks the chain (each row's snapshot = the previous snapshot of its
     * account + its amount, in posting_seq order) and streams the breaks out with COPY. The first
     * row of an account in the period chains from the balance at the period's start: from the
     * latest seal at or before the start when there is one (the rows between the seal's end and the
     * start are read too, to carry the chain forward, as the job must), otherwise from the account's
     * last row before it (one index probe per account on (account_id, posting_seq)).
     */
    private final class ReconciliationFloor implements Floor {

        private final String workMem;

        ReconciliationFloor(String workMem) {
            this.workMem = workMem;
        }

        @Override
        public Timing time(ReportPeriod period) throws Exception {
            String start = "'" + period.start() + "'::timestamptz";
            String end = "'" + period.end() + "'::timestamptz";
            java.util.List<java.util.Map<String, Object>> seal = jdbc.queryForList(LATEST_SEAL,
                    reconciliationJob.getName(), java.sql.Timestamp.from(period.start()));
            if (seal.isEmpty()) {
                return copyOut("chain check from the last row before the period, work_mem " + workMem + ", no index-ordered scan, no JIT", workMem,
                        bind(FLOOR_CHAIN_FROM_LEDGER, start, start, end));
            }
            String sealEnd = "'" + ((java.sql.Timestamp) seal.get(0).get("period_end")).toInstant() + "'::timestamptz";
            String sealRun = Long.toString(((Number) seal.get(0).get("job_instance_id")).longValue());
            return copyOut("chain check from the seal ending " + seal.get(0).get("period_end") + ", work_mem " + workMem
                    + ", no index-ordered scan, no JIT",
                    workMem, bind(FLOOR_CHAIN_FROM_SEAL, sealRun, start, sealEnd, end));
        }
    }

    /** The latest published reconciliation at or before an instant that left seals. */
    private static final String LATEST_SEAL = """
            SELECT p.job_instance_id, p.period_end
            FROM published_runs p
            WHERE p.job_name = ? AND p.period_end <= ?
              AND EXISTS (SELECT 1 FROM reconciliation_seals s WHERE s.job_instance_id = p.job_instance_id)
            ORDER BY p.period_end DESC
            LIMIT 1
            """;

    /**
     * Parameters: period start (the rows reported), the first instant read (the period's start
     * here), period end. The opening of an account's first row in the period is its last row
     * before it, found through the (account_id, posting_seq) index only for that row.
     */
    private static final String FLOOR_CHAIN_FROM_LEDGER = """
            SELECT c.account_id, c.id, c.posting_seq, c.expected, c.balance_credit_snapshot
            FROM (
                SELECT b.id, b.account_id, b.posting_seq, b.tm_posted, b.balance_credit_snapshot,
                       b.amount_credit + CASE WHEN lag(b.posting_seq) OVER w IS NOT NULL THEN lag(b.balance_credit_snapshot) OVER w
                           ELSE coalesce((SELECT o.balance_credit_snapshot FROM billing_billings o
                                          WHERE o.account_id = b.account_id AND o.posting_seq < b.posting_seq
                                          ORDER BY o.posting_seq DESC LIMIT 1), 0) END AS expected,
                       ? AS ps
                FROM billing_billings b
                WHERE b.tm_posted >= ? AND b.tm_posted < ? AND b.posting_seq IS NOT NULL
                WINDOW w AS (PARTITION BY b.account_id ORDER BY b.posting_seq)
            ) c
            WHERE c.tm_posted >= c.ps AND c.balance_credit_snapshot IS DISTINCT FROM c.expected
            """;

    /**
     * Parameters: the seal's run, period start (the rows reported), the seal's end (the first
     * instant read), period end. The opening of an account's first row read is the seal's
     * closing snapshot (a primary key probe).
     */
    private static final String FLOOR_CHAIN_FROM_SEAL = """
            SELECT c.account_id, c.id, c.posting_seq, c.expected, c.balance_credit_snapshot
            FROM (
                SELECT b.id, b.account_id, b.posting_seq, b.tm_posted, b.balance_credit_snapshot,
                       b.amount_credit + CASE WHEN lag(b.posting_seq) OVER w IS NOT NULL THEN lag(b.balance_credit_snapshot) OVER w
                           ELSE coalesce((SELECT s.closing_snapshot FROM reconciliation_seals s
                                          WHERE s.job_instance_id = ? AND s.account_id = b.account_id), 0) END AS expected,
                       ? AS ps
                FROM billing_billings b
                WHERE b.tm_posted >= ? AND b.tm_posted < ? AND b.posting_seq IS NOT NULL
                WINDOW w AS (PARTITION BY b.account_id ORDER BY b.posting_seq)
            ) c
            WHERE c.tm_posted >= c.ps AND c.balance_credit_snapshot IS DISTINCT FROM c.expected
            """;

    /** COPY takes no bind parameters: the values are instants this class formatted itself. */
    private static String bind(String sql, String... values) {
        String bound = sql;
        for (String value : values) {
            bound = bound.replaceFirst("\\?", java.util.regex.Matcher.quoteReplacement(value));
        }
        return bound;
    }

    /** Where a run's time went: each step's seconds, in the order the steps ran. */
    private static String steps(JobExecution execution) {
        return execution.getStepExecutions().stream()
                .filter(step -> step.getStartTime() != null && step.getEndTime() != null)
                .sorted(Comparator.comparing(StepExecution::getStartTime))
                .map(step -> String.format("%s %.2f s", step.getStepName(),
                        Duration.between(step.getStartTime(), step.getEndTime()).toNanos() / 1e9))
                .collect(Collectors.joining(", "));
    }

    /** One end-to-end run as a re-run of the period (so the benchmark can be repeated), with its peak heap. */
    private JobRun runJob(Job job, ReportPeriod period) throws Exception {
        System.gc();
        heapPools().forEach(MemoryPoolMXBean::resetPeakUsage);
        long started = System.nanoTime();
        LaunchOutcome outcome = launcher.launch(job, new PeriodJobParameters(period, 1), true);
        double seconds = (System.nanoTime() - started) / 1e9;
        long peakHeap = heapPools().stream().mapToLong(pool -> pool.getPeakUsage().getUsed()).sum();
        return new JobRun(((LaunchOutcome.Ran) outcome).execution(), seconds, peakHeap);
    }

    private record JobRun(JobExecution execution, double seconds, long peakHeap) {
    }

    /** Streams each statement out with COPY in one transaction (with work_mem set locally when given). */
    private Timing copyOut(String what, String workMem, String... statements) throws Exception {
        CountingOutputStream sink = new CountingOutputStream();
        long started = System.nanoTime();
        long rows = 0;
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                if (workMem != null) {
                    try (java.sql.Statement statement = connection.createStatement()) {
                        // Its sort in memory; the seq (or, with history, bitmap range) scan and sort rather than the
                        // index-ordered scan on (account_id, posting_seq) the planner prefers at 10M rows, which reads
                        // the heap in account order (measured: more than 48 s against 33 s); no JIT compilation.
                        statement.execute("SET LOCAL work_mem = '" + workMem + "'");
                        statement.execute("SET LOCAL enable_indexscan = off");
                        statement.execute("SET LOCAL jit = off");
                    }
                }
                for (String sql : statements) {
                    rows += connection.unwrap(PGConnection.class).getCopyAPI()
                            .copyOut("COPY (" + sql + ") TO STDOUT WITH (FORMAT csv)", sink);
                }
            }
            finally {
                connection.rollback();
                connection.setAutoCommit(true);
            }
        }
        return new Timing(what == null ? "COPY of its SQL" : what, rows, (System.nanoTime() - started) / 1e9);
    }

    private static java.util.List<MemoryPoolMXBean> heapPools() {
        return ManagementFactory.getMemoryPoolMXBeans().stream().filter(pool -> pool.getType() == MemoryType.HEAP).toList();
    }

    private record Timing(String what, long rows, double seconds) {
    }

    private static final class CountingOutputStream extends OutputStream {

        private long bytes;

        @Override
        public void write(int b) {
            bytes++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            bytes += len;
        }
    }
}
