package io.billingbatch.launch;

import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.sql.Connection;
import java.time.Duration;
import java.time.YearMonth;
import java.util.Comparator;
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
import io.billingbatch.launch.PeriodJobLauncher.LaunchOutcome;
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

    Benchmark(DemoLedgerGenerator generator, PeriodJobLauncher launcher, @Qualifier("costReportJob") Job costReportJob,
            @Qualifier("reconciliationJob") Job reconciliationJob, JdbcTemplate jdbc, DataSource dataSource,
            LedgerAmountBound amountBound) {
        this.generator = generator;
        this.launcher = launcher;
        this.costReportJob = costReportJob;
        this.reconciliationJob = reconciliationJob;
        this.jdbc = jdbc;
        this.dataSource = dataSource;
        this.amountBound = amountBound;
    }

    record Settings(long rows, int accounts, YearMonth month, long seed, boolean skipGenerate, java.util.Set<String> jobs) {

        static Settings from(Invocation invocation) {
            YearMonth month;
            try {
                month = YearMonth.parse(invocation.option("month", "2020-01"));
            }
            catch (java.time.format.DateTimeParseException ex) {
                throw new UsageException("--month must be a month like 2020-01");
            }
            return new Settings(invocation.longOption("rows", 10_000_000, 1_000, 2_000_000_000L),
                    (int) invocation.longOption("accounts", 20_000, 1, 10_000_000), month,
                    invocation.longOption("seed", 7, Long.MIN_VALUE, Long.MAX_VALUE), invocation.flag("skip-generate"),
                    jobs(invocation.option("jobs", "cost-report,reconciliation")));
        }

        private static java.util.Set<String> jobs(String list) {
            java.util.Set<String> jobs = new java.util.LinkedHashSet<>(java.util.List.of(list.split(",")));
            if (jobs.isEmpty() || !java.util.Set.of("cost-report", "reconciliation").containsAll(jobs)) {
                throw new UsageException("--jobs takes cost-report and/or reconciliation, comma separated; was '" + list + "'");
            }
            return jobs;
        }
    }

    int run(Settings settings, PrintStream out) throws Exception {
        String database = jdbc.queryForObject("SELECT current_database()", String.class);
        ReportPeriod period = ReportPeriod.parse(settings.month().toString(), "UTC");
        out.printf("benchmark: database %s, PostgreSQL %s, max heap %d MiB%n", database,
                jdbc.queryForObject("SHOW server_version", String.class), Runtime.getRuntime().maxMemory() >> 20);
        if (!settings.skipGenerate()) {
            if (!generator.isLedgerEmpty()) {
                if (!BENCHMARK_DATABASE.equals(database)) {
                    throw new UsageException("the ledger in database '" + database + "' is not empty: the benchmark only"
                            + " empties a database named " + BENCHMARK_DATABASE + " (or pass --skip-generate to reuse it)");
                }
                jdbc.execute("TRUNCATE billing_billings, billing_accounts");
            }
            DemoLedgerResult generated = generator.generate(
                    new DemoLedgerSpec(settings.seed(), settings.accounts(), settings.month(), 1, settings.rows()));
            out.printf("generate: %,d rows, %,d accounts in %.1f s (%,.0f rows/s)%n", generated.rows(), generated.accounts(),
                    generated.elapsed().toMillis() / 1000.0, generated.rows() / Math.max(generated.elapsed().toMillis() / 1000.0, 1e-3));
            jdbc.execute("VACUUM ANALYZE billing_billings");
        }
        long ledgerRows = jdbc.queryForObject("SELECT count(*) FROM billing_billings WHERE tm_posted >= ? AND tm_posted < ?",
                Long.class, java.sql.Timestamp.from(period.start()), java.sql.Timestamp.from(period.end()));

        out.printf("ledger rows in %s: %,d%n", period.key(), ledgerRows);
        String start = "'" + period.start() + "'::timestamptz";
        String end = "'" + period.end() + "'::timestamptz";
        String stuckBefore = "'" + java.time.Instant.now().minus(Duration.ofHours(24)) + "'::timestamptz";
        String maxAmount = Long.toString(amountBound.maxMicros());
        boolean completed = true;
        if (settings.jobs().contains("cost-report")) {
            completed &= compare(costReportJob, 1.5, period, ledgerRows, out,
                    bind(CostReportJobConfiguration.GROUPED_LEDGER_SQL, start, end, maxAmount));
        }
        if (settings.jobs().contains("reconciliation")) {
            completed &= compare(reconciliationJob, 2.0, period, ledgerRows, out,
                    bind(ReconciliationSql.ACCOUNT_BALANCES, start, end, maxAmount),
                    bind(ReconciliationSql.LEDGER_FINDINGS, start, end, stuckBefore, maxAmount));
        }
        return completed ? CommandLine.OK : CommandLine.FAILED;
    }

    /**
     * Times both contenders the same way: a warm-up run, then the best of two timed runs (the
     * floor is each SQL statement alone, streamed out with COPY). The job's warm-up run is the
     * first in this JVM: it is printed too, as what a freshly started process pays once for
     * loading and compiling the job's code.
     */
    private boolean compare(Job job, double target, ReportPeriod period, long ledgerRows, PrintStream out,
            String... floorSql) throws Exception {
        floor(floorSql); // warm-up: both contenders then find the ledger in the same caches
        Timing floorFirst = floor(floorSql);
        JobRun first = runJob(job, period);
        if (first.execution().getStatus() != BatchStatus.COMPLETED) {
            out.println(job.getName() + " did not complete: " + first.execution().getExitStatus().getExitDescription());
            return false;
        }
        JobRun second = runJob(job, period);
        Timing floorSecond = floor(floorSql);
        JobRun third = runJob(job, period);
        double floorSeconds = Math.min(floorFirst.seconds(), floorSecond.seconds());
        JobRun best = second.seconds() <= third.seconds() ? second : third;
        String name = job.getName();
        out.printf("%s floor (COPY of its SQL, %,d rows out): %7.2f s  %,12.0f ledger rows/s  (runs: %.2f s, %.2f s)%n",
                name, floorFirst.rows(), floorSeconds, ledgerRows / floorSeconds, floorFirst.seconds(), floorSecond.seconds());
        out.printf("%s job:                                 %7.2f s  %,12.0f ledger rows/s  (runs: %.2f s, %.2f s)%n", name,
                best.seconds(), ledgerRows / best.seconds(), second.seconds(), third.seconds());
        out.printf("%s job, its first run in this JVM: %7.2f s  (warm-up; loads and compiles what earlier runs did not)%n",
                name, first.seconds());
        out.printf("%s steps, first run: %s%n", name, steps(first.execution()));
        out.printf("%s steps, best run:  %s%n", name, steps(best.execution()));
        out.printf("%s ratio job / floor: %.2f (target <= %.1f); its first run in this JVM %.2f; peak heap %d MiB (first run %d MiB, max %d MiB)%n",
                name, best.seconds() / floorSeconds, target, first.seconds() / floorSeconds, best.peakHeap() >> 20,
                first.peakHeap() >> 20, Runtime.getRuntime().maxMemory() >> 20);
        return true;
    }

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

    private Timing floor(String... statements) throws Exception {
        CountingOutputStream sink = new CountingOutputStream();
        long started = System.nanoTime();
        long rows = 0;
        try (Connection connection = dataSource.getConnection()) {
            for (String sql : statements) {
                rows += connection.unwrap(PGConnection.class).getCopyAPI()
                        .copyOut("COPY (" + sql + ") TO STDOUT WITH (FORMAT csv)", sink);
            }
        }
        return new Timing(rows, (System.nanoTime() - started) / 1e9);
    }

    private static java.util.List<MemoryPoolMXBean> heapPools() {
        return ManagementFactory.getMemoryPoolMXBeans().stream().filter(pool -> pool.getType() == MemoryType.HEAP).toList();
    }

    private record Timing(long rows, double seconds) {
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
