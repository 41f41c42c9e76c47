package io.billingbatch.launch;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.billingbatch.BillingBatchApplication;
import io.billingbatch.api.ServerTestSupport;
import io.billingbatch.ledger.InsertFailure;
import io.billingbatch.ledger.LedgerFixture;
import io.billingbatch.ledger.ReportPeriod;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The schedule of {@code serve} on the shared server's database: schedulers here are built by hand
 * (the shared server runs without one), as several {@code serve} instances would each have one.
 * Every test uses a definition name and periods of its own.
 */
class LaunchSchedulerTest extends ServerTestSupport {

    @Autowired
    DefinitionRunner runner;

    /** The schedule's table, telling the test each outcome as it is recorded (see {@link SignalledRuns}). */
    SignalledRuns runs;

    @org.junit.jupiter.api.BeforeEach
    void signalledRuns() {
        runs = new SignalledRuns(jdbc);
    }

    @Autowired
    JobRunGuard guard;

    @Autowired
    DataSource dataSource; // the pool, behind the wrapper that names connections after job runs

    @TempDir
    Path directory;

    @Test
    void twoInstancesFiringTheSameFireTimeRunItOnce() throws Exception {
        givenACallOn("2024-03-04");
        LaunchDefinition nightly = definition("nightly-" + UUID.randomUUID(), "0 0 2 * * *", "cost-report");
        Instant fireTime = Instant.parse("2024-03-05T02:00:00Z");
        LaunchScheduler first = scheduler(nightly, fireTime.plusSeconds(1), "first");
        LaunchScheduler second = scheduler(nightly, fireTime.plusSeconds(1), "second");
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService instances = Executors.newFixedThreadPool(2);
        try {
            Callable<Boolean> fireFirst = () -> {
                go.await();
                return first.fire(nightly, fireTime, false);
            };
            Callable<Boolean> fireSecond = () -> {
                go.await();
                return second.fire(nightly, fireTime, false);
            };
            Future<Boolean> ranFirst = instances.submit(fireFirst);
            Future<Boolean> ranSecond = instances.submit(fireSecond);
            go.countDown();

            assertThat(List.of(ranFirst.get(), ranSecond.get())).containsExactlyInAnyOrder(true, false);
        }
        finally {
            instances.shutdownNow();
        }
        List<Map<String, Object>> claims = jdbc.queryForList(
                "SELECT claimed_by, outcome, detail, catch_up FROM schedule_runs WHERE definition = ?", nightly.name());
        assertThat(claims).hasSize(1);
        assertThat(claims.get(0).get("outcome")).isEqualTo("completed");
        assertThat(claims.get(0).get("catch_up")).isEqualTo(false);
        assertThat((String) claims.get(0).get("detail")).startsWith("cost-report 2024-03-04 (UTC) COMPLETED (execution ");
        assertThat(executionsOf("cost-report", "2024-03-04")).isEqualTo(1);
    }

    @Test
    void aFireTimeMissedWhileDownIsCaughtUpOnceAtStartUp() throws Exception {
        givenACallOn("2024-04-09");
        LaunchDefinition nightly = definition("catch-up-" + UUID.randomUUID(), "0 0 2 * * *", "reconciliation");
        runs.firstSeen(nightly.name(), Instant.parse("2024-04-09T12:00:00Z")); // served before, then everything was down
        Instant startUp = Instant.parse("2024-04-10T09:00:00Z");
        LaunchScheduler scheduler = scheduler(nightly, startUp, "restarted");

        scheduler.start();
        try {
            awaitFinished(nightly.name(), Instant.parse("2024-04-10T02:00:00Z"));
        }
        finally {
            scheduler.stop();
        }

        assertThat(jdbc.queryForList("SELECT fire_time FROM schedule_runs WHERE definition = ? AND catch_up",
                Instant.class, nightly.name())).containsExactly(Instant.parse("2024-04-10T02:00:00Z"));
        assertThat(executionsOf("reconciliation", "2024-04-09")).isEqualTo(1);
        assertThat(executionsOf("reconciliation", "2024-04-08")).isZero();
        // Started again later the same morning, nothing is missed any more.
        assertThat(scheduler(nightly, startUp.plusSeconds(3600), "again").missedFireTimes(nightly, startUp.plusSeconds(3600)))
                .isEmpty();
    }

    @Test
    void aFireTimeWhoseInstanceDiedMidRunIsResumedAtStartUpAndALiveOneIsLeftAlone() throws Exception {
        givenACallOn("2024-06-11");
        LaunchDefinition nightly = definition("resume-" + UUID.randomUUID(), "0 0 2 * * *", "cost-report");
        Instant fireTime = Instant.parse("2024-06-12T02:00:00Z");
        Instant startUp = Instant.parse("2024-06-12T08:00:00Z");
        // An instance claimed the fire time and died before it finished: no outcome, and no session holds its lease.
        runs.claim(nightly.name(), fireTime, "dead instance", false);

        // While a live instance holds the lease, nobody takes the fire time over.
        try (JobRunGuard.Lease live = guard.tryAcquire("schedule|" + nightly.name() + "|" + fireTime).orElseThrow()) {
            assertThat(scheduler(nightly, startUp, "impatient").resume(nightly, fireTime)).isFalse();
        }
        assertThat(executionsOf("cost-report", "2024-06-11")).isZero();

        LaunchScheduler restarted = scheduler(nightly, startUp, "restarted");
        restarted.start();
        try {
            awaitFinished(nightly.name(), fireTime);
        }
        finally {
            restarted.stop();
        }
        Map<String, Object> claim = jdbc.queryForMap("SELECT claimed_by, outcome FROM schedule_runs WHERE definition = ?",
                nightly.name());
        assertThat(claim).containsEntry("claimed_by", "restarted").containsEntry("outcome", "completed");
        assertThat(executionsOf("cost-report", "2024-06-11")).isEqualTo(1);
        assertThat(scheduler(nightly, startUp, "later").resume(nightly, fireTime)).isFalse();
    }

    @Test
    void aFireTimeThatFailsToStartDoesNotEndTheSchedule() throws Exception {
        Path file = directory.resolve("flaky.properties");
        String name = "flaky-" + UUID.randomUUID();
        Files.writeString(file, "name=" + name + "\ncron=* * * * * *\njobs=cost-report\ncost-report.period=2019-07-03\n");
        LaunchDefinition everySecond = LaunchDefinition.load(file);
        java.util.concurrent.atomic.AtomicInteger blips = new java.util.concurrent.atomic.AtomicInteger();
        SignalledRuns flaky = new SignalledRuns(jdbc) {

            @Override
            public boolean claim(String definition, Instant fireTime, String claimedBy, boolean catchUp) {
                if (blips.getAndIncrement() == 0) {
                    throw new org.springframework.dao.DataAccessResourceFailureException("simulated database blip");
                }
                return super.claim(definition, fireTime, claimedBy, catchUp);
            }
        };
        LaunchScheduler scheduler = new LaunchScheduler(List.of(everySecond), runner, flaky, guard, Clock.systemUTC(),
                Duration.ofMinutes(1), "flaky");
        scheduler.start();
        try {
            flaky.await(finished -> finished.stream().filter(run -> run.startsWith(name + " ") && run.endsWith(" completed"))
                    .count() >= 2, "two completed fire times of " + name);
        }
        finally {
            scheduler.stop();
        }
        assertThat(blips.get()).isGreaterThanOrEqualTo(3);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM schedule_runs WHERE definition = ? AND outcome = 'completed'",
                Long.class, name)).isGreaterThanOrEqualTo(2);
        assertThat(executionsOf("cost-report", "2019-07-03")).isEqualTo(1);
    }

    @Test
    void nothingIsCaughtUpOutsideTheWindowOrWhenTheFireTimeRan() {
        LaunchDefinition nightly = definition("window-" + UUID.randomUUID(), "0 0 2 * * *", "cost-report");
        runs.firstSeen(nightly.name(), Instant.parse("2024-05-01T00:00:00Z"));
        Instant startUp = Instant.parse("2024-05-10T09:00:00Z");
        LaunchScheduler scheduler = scheduler(nightly, startUp, "window");
        assertThat(scheduler.missedFireTimes(nightly, startUp)).containsExactly(Instant.parse("2024-05-08T02:00:00Z"),
                Instant.parse("2024-05-09T02:00:00Z"), Instant.parse("2024-05-10T02:00:00Z"));
        assertThat(scheduler.missedFireTimes(nightly, Instant.parse("2024-05-10T01:59:59Z")))
                .containsExactly(Instant.parse("2024-05-07T02:00:00Z"), Instant.parse("2024-05-08T02:00:00Z"),
                        Instant.parse("2024-05-09T02:00:00Z"));
        LaunchScheduler narrow = new LaunchScheduler(List.of(nightly), runner, runs, guard, fixed(startUp), Duration.ofHours(6), "narrow");
        assertThat(narrow.missedFireTimes(nightly, Instant.parse("2024-05-10T09:00:00Z"))).isEmpty();

        runs.claim(nightly.name(), Instant.parse("2024-05-10T02:00:00Z"), "another instance", false);
        runs.claim(nightly.name(), Instant.parse("2024-05-08T02:00:00Z"), "another instance", false);
        assertThat(scheduler.missedFireTimes(nightly, startUp)).containsExactly(Instant.parse("2024-05-09T02:00:00Z"));
    }

    @Test
    void everyFireTimeMissedWhileDownRunsOnceOldestFirst() {
        LaunchDefinition nightly = definition("missed-" + UUID.randomUUID(), "0 0 2 * * *", "cost-report");
        MutableClock clock = new MutableClock(Instant.parse("2023-07-01T12:00:00Z"));
        LaunchScheduler first = scheduler(nightly, clock, Duration.ofDays(3), "first");
        first.tick(); // serve starts: the definition is seen, nothing is due
        assertThat(runsOf(nightly)).isEmpty();

        clock.set(Instant.parse("2023-07-04T09:00:00Z")); // everything was down for three nights
        first.tick();
        scheduler(nightly, clock, Duration.ofDays(3), "second").tick(); // a second instance finds them all run
        first.tick();

        assertThat(runsOf(nightly)).containsExactly("2023-07-02T02:00:00Z completed 1", "2023-07-03T02:00:00Z completed 1",
                "2023-07-04T02:00:00Z completed 1");
        List<Long> executions = jdbc.queryForList("""
                SELECT e.job_execution_id FROM batch_job_execution e
                JOIN batch_job_instance i ON i.job_instance_id = e.job_instance_id
                JOIN batch_job_execution_params p ON p.job_execution_id = e.job_execution_id
                WHERE i.job_name = 'cost-report' AND p.parameter_name = 'period' AND p.parameter_value IN (?, ?, ?)
                ORDER BY p.parameter_value""", Long.class, "2023-07-01", "2023-07-02", "2023-07-03");
        assertThat(executions).hasSize(3).isSorted(); // the oldest day's report ran first
    }

    @Test
    void aFreshInstallationRunsNothingFromBeforeItsFirstStart() {
        LaunchDefinition nightly = definition("fresh-" + UUID.randomUUID(), "0 0 2 * * *", "cost-report");
        MutableClock clock = new MutableClock(Instant.parse("2023-08-10T09:00:00Z"));
        LaunchScheduler scheduler = scheduler(nightly, clock, Duration.ofDays(3), "fresh");

        scheduler.tick(); // the very first serve: last night's and earlier fire times were never due

        assertThat(runsOf(nightly)).isEmpty();
        assertThat(executionsOf("cost-report", "2023-08-09")).isZero();
        clock.set(Instant.parse("2023-08-11T02:30:00Z"));
        scheduler(nightly, clock, Duration.ofDays(3), "restarted").tick(); // a restart does not make it new again
        assertThat(runsOf(nightly)).containsExactly("2023-08-11T02:00:00Z completed 1");
    }

    @Test
    void aDefinitionThatRanBeforeFirstSeenWasKeptCountsAsSeenByItsFirstFireTime() {
        String name = "upgraded-" + UUID.randomUUID();
        runs.claim(name, Instant.parse("2023-06-01T02:00:00Z"), "an instance before V14", false);
        runs.claim(name, Instant.parse("2023-06-02T02:00:00Z"), "an instance before V14", false);

        assertThat(runs.firstSeen(name, Instant.parse("2023-06-05T09:00:00Z"))).isEqualTo(Instant.parse("2023-06-01T02:00:00Z"));
        assertThat(runs.firstSeen(name, Instant.parse("2023-06-09T09:00:00Z"))).isEqualTo(Instant.parse("2023-06-01T02:00:00Z"));
    }

    @Test
    void aFailedFireTimeIsRetriedWithBackoffUntilItSucceeds() {
        givenACallOn("2023-09-04");
        LaunchDefinition nightly = definition("retry-" + UUID.randomUUID(), "0 0 2 * * *", "reconciliation");
        Instant fireTime = Instant.parse("2023-09-05T02:00:00Z");
        MutableClock clock = new MutableClock(fireTime.minusSeconds(3600));
        LaunchScheduler scheduler = scheduler(nightly, clock, Duration.ofDays(3), "retrying");
        scheduler.tick();

        try (InsertFailure crash = InsertFailure.afterRows(jdbc, "reconciliation_accounts", 0);
                Quiet expected = Quiet.loggers("org.springframework.batch.core.step")) {
            clock.set(fireTime.plusSeconds(5));
            scheduler.tick();
            assertThat(runsOf(nightly)).containsExactly("2023-09-05T02:00:00Z failed 1");
            assertThat(nextTry(nightly, fireTime)).isEqualTo(fireTime.plusSeconds(5 + 60)); // first backoff: 1 minute

            clock.set(fireTime.plusSeconds(5 + 59));
            scheduler.tick(); // not yet
            assertThat(runsOf(nightly)).containsExactly("2023-09-05T02:00:00Z failed 1");
            clock.set(fireTime.plusSeconds(5 + 60));
            scheduler.tick();
            assertThat(runsOf(nightly)).containsExactly("2023-09-05T02:00:00Z failed 2");
            assertThat(nextTry(nightly, fireTime)).isEqualTo(fireTime.plusSeconds(5 + 60 + 120)); // doubled
        }
        clock.set(fireTime.plusSeconds(5 + 60 + 119));
        scheduler.tick();
        assertThat(runsOf(nightly)).containsExactly("2023-09-05T02:00:00Z failed 2");
        clock.set(fireTime.plusSeconds(5 + 60 + 120));
        scheduler.tick();

        assertThat(runsOf(nightly)).containsExactly("2023-09-05T02:00:00Z completed 3");
        assertThat(nextTry(nightly, fireTime)).isNull();
        assertThat(jdbc.queryForObject("SELECT detail FROM schedule_runs WHERE definition = ?", String.class, nightly.name()))
                .contains("FAILED").contains("attempt 3: reconciliation 2023-09-04 (UTC) COMPLETED");
        assertThat(executionsOf("reconciliation", "2023-09-04")).isEqualTo(3); // one job instance, restarted twice
        clock.set(fireTime.plusSeconds(3600));
        scheduler.tick();
        assertThat(runsOf(nightly)).containsExactly("2023-09-05T02:00:00Z completed 3");
    }

    @Test
    void aFireTimeThatFoundItsJobBusyIsRetried() {
        LaunchDefinition nightly = definition("busy-" + UUID.randomUUID(), "0 0 2 * * *", "cost-report");
        Instant fireTime = Instant.parse("2023-10-05T02:00:00Z");
        MutableClock clock = new MutableClock(fireTime.minusSeconds(60));
        LaunchScheduler scheduler = scheduler(nightly, clock, Duration.ofDays(3), "patient");
        scheduler.tick();

        try (JobRunGuard.Lease running = guard.tryAcquire("cost-report|2023-10-04|UTC").orElseThrow()) {
            clock.set(fireTime);
            scheduler.tick();
        }
        assertThat(runsOf(nightly)).containsExactly("2023-10-05T02:00:00Z busy 1");
        assertThat(executionsOf("cost-report", "2023-10-04")).isZero();

        clock.set(fireTime.plusSeconds(60));
        scheduler.tick();

        assertThat(runsOf(nightly)).containsExactly("2023-10-05T02:00:00Z completed 2");
        assertThat(executionsOf("cost-report", "2023-10-04")).isEqualTo(1);
    }

    @Test
    void retriesEndWithTheCatchUpWindow() {
        LaunchDefinition nightly = definition("bounded-" + UUID.randomUUID(), "0 0 2 * * *", "cost-report");
        Instant fireTime = Instant.parse("2023-11-05T02:00:00Z");
        MutableClock clock = new MutableClock(fireTime.minusSeconds(60));
        LaunchScheduler scheduler = new LaunchScheduler(List.of(nightly), runner, runs, guard, clock, Duration.ofMinutes(10),
                "bounded", Duration.ofMinutes(4), Duration.ofHours(1));
        scheduler.tick();

        try (JobRunGuard.Lease running = guard.tryAcquire("cost-report|2023-11-04|UTC").orElseThrow()) {
            clock.set(fireTime);
            scheduler.tick(); // busy: next try at 02:04, inside the window (02:10)
            assertThat(nextTry(nightly, fireTime)).isEqualTo(fireTime.plusSeconds(240));
            clock.set(fireTime.plusSeconds(240));
            scheduler.tick(); // busy again: the next try (02:12) would be outside the window, so there is none
            assertThat(runsOf(nightly)).containsExactly("2023-11-05T02:00:00Z busy 2");
            assertThat(nextTry(nightly, fireTime)).isNull();
        }
        clock.set(fireTime.plusSeconds(720));
        scheduler.tick();
        clock.set(fireTime.plusSeconds(3 * 3600));
        scheduler.tick();

        assertThat(runsOf(nightly)).containsExactly("2023-11-05T02:00:00Z busy 2");
        assertThat(jdbc.queryForObject("SELECT detail FROM schedule_runs WHERE definition = ?", String.class, nightly.name()))
                .contains("no retry: the next try at 2023-11-05T02:12:00Z is after the catch-up window (PT10M)");
        assertThat(executionsOf("cost-report", "2023-11-04")).isZero();
    }

    @Test
    void aBadDefinitionStopsServeStartUpNamingFileAndField() throws IOException, SQLException {
        Files.writeString(directory.resolve("nightly.properties"), "cron=0 0 2 * * *\njobs=cost-report\n");
        Path broken = directory.resolve("broken.properties");
        Files.writeString(broken, "cron=0 0 25 * * *\njobs=cost-report\n");
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        int exit;
        HikariDataSource pool = dataSource.unwrap(HikariDataSource.class);
        try {
            // On the shared server's database (migrated already), so the failed start-up costs no second PostgreSQL.
            exit = CommandLine.run(BillingBatchApplication.class, new String[] { "serve", "--server.port=0",
                    "--billing.schedule.dir=" + directory, "--spring.datasource.url=" + pool.getJdbcUrl(),
                    "--spring.datasource.username=" + pool.getUsername() });
        }
        finally {
            System.setErr(original);
        }
        assertThat(exit).isEqualTo(CommandLine.FAILED);
        assertThat(captured.toString(StandardCharsets.UTF_8))
                .startsWith("billing-batch: serve failed to start: " + broken + ": field cron '0 0 25 * * *' is not a cron");
    }

    @Test
    void definitionsAreLoadedFromTheDirectoryAndDuplicateNamesRefused() throws IOException {
        Files.writeString(directory.resolve("a.properties"), "name=nightly\ncron=0 0 2 * * *\njobs=cost-report\n");
        assertThat(LaunchScheduler.load(directory)).extracting(LaunchDefinition::name).containsExactly("nightly");
        Path twin = directory.resolve("b.properties");
        Files.writeString(twin, "name=nightly\ncron=0 0 3 * * *\njobs=reconciliation\n");
        assertThatThrownBy(() -> LaunchScheduler.load(directory)).hasMessageStartingWith(twin + ": field name 'nightly'");
        assertThat(LaunchScheduler.load(Path.of("jobs"))).extracting(LaunchDefinition::name)
                .containsExactly("monthly", "nightly");
    }

    @Test
    void aScheduledPeriodThatHasNotEndedIsRefusedAndRecordedWithTheReason() throws Exception {
        String name = "literal-" + UUID.randomUUID();
        Path file = directory.resolve(name + ".properties");
        Files.writeString(file, "name=" + name + "\ncron=0 0 2 * * *\njobs=cost-report\ncost-report.period=2037-01\n");
        LaunchDefinition literal = LaunchDefinition.load(file);
        Instant fireTime = Instant.parse("2036-12-15T02:00:00Z");
        clock.pin(fireTime);
        try {
            assertThat(scheduler(literal, fireTime, "a").fire(literal, fireTime, false)).isTrue();
        }
        finally {
            clock.unpin();
        }

        assertThat(jdbc.queryForObject("SELECT outcome || ': ' || detail FROM schedule_runs WHERE definition = ?", String.class,
                name)).isEqualTo("error: " + file + ": cost-report 2037-01 (UTC) is in the future (it begins"
                        + " 2037-01-01T00:00:00Z): nothing was run");
        assertThat(executionsOf("cost-report", "2037-01")).isZero();
    }

    @Test
    void aDefinitionNamingAnUnknownJobOrAWrongPeriodIsRefused() throws IOException {
        Path pack = directory.resolve("pack.properties");
        Files.writeString(pack, "cron=0 0 3 1 * *\njobs=payroll\n");
        assertThatThrownBy(() -> LaunchDefinition.load(pack)).hasMessageStartingWith(pack + ": field jobs 'payroll'");
        Files.writeString(pack, "cron=0 0 3 1 * *\njobs=cost-report,finance-pack\n");
        LaunchDefinition monthly = LaunchDefinition.load(pack);
        new LaunchScheduler(List.of(monthly), runner, runs, guard, Clock.systemUTC(), Duration.ofDays(3), "x"); // finance-pack is a job here
        Files.writeString(pack, "cron=0 0 3 1 * *\njobs=finance-pack\nfinance-pack.period=previous-day\n");
        assertThatThrownBy(() -> LaunchDefinition.load(pack))
                .hasMessage(pack + ": field finance-pack.period 'previous-day': finance-pack runs for a month, not a day");
    }

    private LaunchDefinition definition(String name, String cron, String job) {
        try {
            Path file = directory.resolve(name + ".properties");
            Files.writeString(file, "name=" + name + "\ncron=" + cron + "\nzone=UTC\njobs=" + job + "\n");
            return LaunchDefinition.load(file);
        }
        catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private LaunchScheduler scheduler(LaunchDefinition definition, Clock clock, Duration catchUp, String instance) {
        return new LaunchScheduler(List.of(definition), runner, runs, guard, clock, catchUp, instance);
    }

    /** Each fire time of the definition with its outcome and number of attempts, oldest first. */
    private List<String> runsOf(LaunchDefinition definition) {
        return jdbc.query("SELECT fire_time, outcome, attempts FROM schedule_runs WHERE definition = ? ORDER BY fire_time",
                (rs, i) -> rs.getTimestamp(1).toInstant() + " " + rs.getString(2) + " " + rs.getInt(3), definition.name());
    }

    private Instant nextTry(LaunchDefinition definition, Instant fireTime) {
        java.sql.Timestamp next = jdbc.queryForObject("SELECT next_try FROM schedule_runs WHERE definition = ? AND fire_time = ?",
                java.sql.Timestamp.class, definition.name(), java.sql.Timestamp.from(fireTime));
        return next == null ? null : next.toInstant();
    }

    /** Silences loggers while an expected failure logs its stack traces, then restores their levels. */
    static final class Quiet implements AutoCloseable {

        private final Map<ch.qos.logback.classic.Logger, ch.qos.logback.classic.Level> levels = new java.util.HashMap<>();

        static Quiet loggers(String... names) {
            Quiet quiet = new Quiet();
            for (String name : names) {
                ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(name);
                quiet.levels.put(logger, logger.getLevel());
                logger.setLevel(ch.qos.logback.classic.Level.OFF);
            }
            return quiet;
        }

        @Override
        public void close() {
            levels.forEach(ch.qos.logback.classic.Logger::setLevel);
        }
    }

    /** A clock the test moves by hand. */
    static final class MutableClock extends Clock {

        private volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void set(Instant now) {
            this.now = now;
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    private LaunchScheduler scheduler(LaunchDefinition definition, Instant now, String instance) {
        return new LaunchScheduler(List.of(definition), runner, runs, guard, fixed(now), Duration.ofDays(3), instance);
    }

    private static Clock fixed(Instant now) {
        return Clock.fixed(now, ZoneOffset.UTC);
    }

    private long executionsOf(String job, String period) {
        return jdbc.queryForObject("""
                SELECT count(*) FROM batch_job_execution e
                JOIN batch_job_instance i ON i.job_instance_id = e.job_instance_id
                JOIN batch_job_execution_params p ON p.job_execution_id = e.job_execution_id
                WHERE i.job_name = ? AND p.parameter_name = 'period' AND p.parameter_value = ?
                """, Long.class, job, period);
    }

    private void awaitFinished(String definition, Instant fireTime) throws InterruptedException {
        runs.await(finished -> finished.stream().anyMatch(run -> run.startsWith(definition + " " + fireTime + " ")),
                "schedule " + definition + " to run its fire time " + fireTime);
        assertThat(jdbc.queryForList("SELECT outcome FROM schedule_runs WHERE definition = ? AND fire_time = ?"
                + " AND outcome IS NOT NULL", String.class, definition, java.sql.Timestamp.from(fireTime)))
                .containsExactly("completed");
    }

    /** The schedule's table, which tells a waiting test each outcome it records: a wait for that, not a poll. */
    static class SignalledRuns extends JdbcScheduleRuns {

        private final List<String> finished = new java.util.ArrayList<>();

        SignalledRuns(org.springframework.jdbc.core.JdbcTemplate jdbc) {
            super(jdbc);
        }

        @Override
        public void finish(String definition, Instant fireTime, String outcome, String detail, Instant nextTry) {
            super.finish(definition, fireTime, outcome, detail, nextTry);
            synchronized (finished) {
                finished.add(definition + " " + fireTime + " " + outcome);
                finished.notifyAll();
            }
        }

        /** Waits until the outcomes recorded so far ("definition fireTime outcome") satisfy {@code done}. */
        void await(java.util.function.Predicate<List<String>> done, String what) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            synchronized (finished) {
                while (!done.test(finished)) {
                    long left = deadline - System.nanoTime();
                    assertThat(left).as("waiting for " + what + "; recorded: " + finished).isPositive();
                    finished.wait(Math.max(1, left / 1_000_000));
                }
            }
        }
    }

    private void givenACallOn(String day) {
        ReportPeriod period = ReportPeriod.parse(day, "UTC");
        LedgerFixture ledger = new LedgerFixture(jdbc);
        UUID account = ledger.account("Schedule " + day);
        ledger.topUp(account, 10_000_000, period.start());
        ledger.call(account, 42, period.start().plusSeconds(600));
    }
}
