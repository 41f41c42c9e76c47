package io.billingbatch.launch;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import io.billingbatch.testing.Tables;
import io.billingbatch.testing.ServerTest;
import io.billingbatch.testing.UpdateSignal;
import io.billingbatch.batch.PeriodJobParameters;
import io.billingbatch.batch.StoppedRuns;
import io.billingbatch.launch.BackgroundJobLauncher.Launched;
import io.billingbatch.launch.PeriodJobLauncher.LaunchOutcome;
import io.billingbatch.ledger.InsertBarrier;
import io.billingbatch.ledger.LedgerFixture;
import io.billingbatch.ledger.ReportPeriod;
import io.billingbatch.reconciliation.ReconciliationFiles;
import io.billingbatch.report.ReportStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.util.FileSystemUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A period is taken over only when the process running it is gone: a run whose lock session dies
 * stops itself before it writes more while nobody takes it over, and a launch recovers an execution
 * only once its heartbeat is stale, ending what PostgreSQL still runs for it. Same context as
 * ReconciliationRestartTest (chunks of one account, so a run can be held between two of them).
 */
@ServerTest
class RunTakeoverTest {

    static final ReportPeriod PERIOD = ReportPeriod.parse("2026-08", "UTC");

    static final String KEY = "reconciliation|2026-08|UTC";

    @Autowired
    Job reconciliationJob;

    @Autowired
    PeriodJobLauncher launcher;

    @Autowired
    BackgroundJobLauncher background;

    @Autowired
    JobRepository jobRepository;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    DataSource dataSource;

    @Autowired
    ReportStore reportStore;

    @org.springframework.beans.factory.annotation.Value("${billing.runs.heartbeat-timeout}")
    Duration heartbeatTimeout;

    @BeforeEach
    void givenSixAccountsThreeOfThemNegative() {
        Tables.reset(jdbc);
        FileSystemUtils.deleteRecursively(reportStore.directory(PERIOD.key()).toFile());
        LedgerFixture ledger = new LedgerFixture(jdbc);
        Instant day = Instant.parse("2026-08-05T00:00:00Z");
        for (int i = 0; i < 6; i++) {
            UUID account = ledger.account("Account " + i);
            ledger.topUp(account, 1_000_000, day.minusSeconds(86_400 * 10));
            ledger.call(account, 10 + 20 * i, day.plusSeconds(60L * i));
        }
    }

    @Test
    void aRunThatLosesItsLockStopsBeforeWritingMoreAndIsNotTakenOverWhileItBeats() throws Exception {
        PeriodJobParameters parameters = new PeriodJobParameters(PERIOD, 1);
        long id;
        try (InsertBarrier barrier = InsertBarrier.afterRows(jdbc, dataSource, "reconciliation_accounts", 2)) {
            id = ((Launched.Started) background.launch(reconciliationJob, parameters, false)).execution().getId();
            barrier.awaitArrival(); // the run is writing its third account
            assertThat(jdbc.queryForObject("SELECT count(*) FROM pg_stat_activity WHERE application_name = ?", Long.class,
                    "billing-batch/reconciliation/" + id)).as("the run's connections carry its name").isPositive();

            long lockSession = jdbc.queryForObject("""
                    SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1
                      AND ((classid::bigint << 32) | objid::bigint) = ?""", Long.class, JobRunGuard.lockId(KEY));
            try (UpdateSignal lossRecorded = UpdateSignal.afterUpdate(jdbc, dataSource, "batch_run_heartbeats",
                    "NEW.job_execution_id = " + id + " AND NEW.stop_reason LIKE 'lost its run lock%'")) {
                jdbc.queryForObject("SELECT pg_terminate_backend(CAST(? AS integer))", Boolean.class, lockSession);
                lossRecorded.await("execution " + id + " records that it lost its lock", Duration.ofSeconds(30));
            }

            LaunchOutcome meanwhile = launcher.launch(reconciliationJob, parameters, false);

            assertThat(meanwhile).as("the lock is free, but the run still beats").isInstanceOf(LaunchOutcome.AlreadyRunning.class);
            assertThat(((LaunchOutcome.AlreadyRunning) meanwhile).execution().getId()).isEqualTo(id);
            barrier.release();
            awaitEnd(id);
        }
        JobExecution stopped = jobRepository.getJobExecution(id);
        StoppedRuns.assertStoppedAfterTheChunkInFlight(stopped, "reconciliationAccountStep", 3);
        assertThat(stopped.getExitStatus().getExitDescription()).startsWith("lost its run lock");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM reconciliation_accounts", Long.class)).isEqualTo(3);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM published_runs WHERE job_name = 'reconciliation'", Long.class))
                .as("a run that lost its lock never publishes").isZero();
        assertThat(Files.exists(csv())).isFalse();

        JobExecution restarted = ((LaunchOutcome.Ran) launcher.launch(reconciliationJob, parameters, false)).execution();

        assertThat(restarted.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(restarted.getJobInstanceId()).isEqualTo(stopped.getJobInstanceId());
        List<String> restartedFindings = findings();
        byte[] restartedCsv = Files.readAllBytes(csv());
        JobExecution uninterrupted = ((LaunchOutcome.Ran) launcher.launch(reconciliationJob, parameters, true)).execution();
        assertThat(uninterrupted.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(findings()).hasSize(3).containsExactlyElementsOf(restartedFindings);
        assertThat(Files.readAllBytes(csv())).isEqualTo(restartedCsv);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM batch_run_heartbeats", Long.class)).as("ended runs beat no more")
                .isZero();
    }

    @Test
    void aStopAskedThroughTheDatabaseByAnotherProcessIsSeenAtTheNextBeat() throws Exception {
        PeriodJobParameters parameters = new PeriodJobParameters(PERIOD, 1);
        long id;
        try (InsertBarrier barrier = InsertBarrier.afterRows(jdbc, dataSource, "reconciliation_accounts", 2)) {
            id = ((Launched.Started) background.launch(reconciliationJob, parameters, false)).execution().getId();
            barrier.awaitArrival();
            // a beat that updates the row as the request left it: the run has read the request (RETURNING stop_reason)
            try (UpdateSignal beatAfterTheRequest = UpdateSignal.afterUpdate(jdbc, dataSource, "batch_run_heartbeats",
                    "NEW.job_execution_id = " + id
                            + " AND NEW.stop_requested IS NOT NULL AND NEW.tm_beat IS DISTINCT FROM OLD.tm_beat")) {
                // what RunHeartbeats.requestStop writes in a process that does not run the execution itself
                jdbc.update("UPDATE batch_run_heartbeats SET stop_requested = now(), stop_reason = 'stopped on request'"
                        + " WHERE job_execution_id = ?", id);
                beatAfterTheRequest.await("a beat after the request", Duration.ofSeconds(30));
            }

            barrier.release();
            awaitEnd(id);
        }
        JobExecution stopped = jobRepository.getJobExecution(id);
        assertThat(stopped.getStatus()).isEqualTo(BatchStatus.STOPPED);
        assertThat(stopped.getExitStatus().getExitDescription()).isEqualTo("stopped on request");
        assertThat(stopped.getStepExecutions()).singleElement()
                .satisfies(step -> assertThat(step.getWriteCount()).isEqualTo(3));
        assertThat(jdbc.queryForObject("SELECT count(*) FROM published_runs WHERE job_name = 'reconciliation'", Long.class))
                .isZero();
        assertThat(((LaunchOutcome.Ran) launcher.launch(reconciliationJob, parameters, false)).execution().getStatus())
                .isEqualTo(BatchStatus.COMPLETED);
    }

    @Test
    void anExecutionIsTakenOverOnlyOnceItsBeatIsStaleAndWhatItStillRunsIsEnded() throws Exception {
        PeriodJobParameters parameters = new PeriodJobParameters(PERIOD, 1);
        JobExecution left = startedExecution(parameters);
        jdbc.update("""
                INSERT INTO batch_run_heartbeats (job_execution_id, job_name, lock_key, host, pid, instance_id, tm_started, tm_beat)
                VALUES (?, 'reconciliation', ?, 'another-host', 4242, 'another process', now(), now())""", left.getId(), KEY);
        String tag = "billing-batch/reconciliation/" + left.getId();
        // What PostgreSQL still runs for that execution, as after a kill -9 of its process
        CompletableFuture<SQLException> leftover = leftoverQuery(tag);

        LaunchOutcome whileItBeats = launcher.launch(reconciliationJob, parameters, false);

        assertThat(whileItBeats).as("lock free, beat fresh").isInstanceOf(LaunchOutcome.AlreadyRunning.class);
        java.time.Instant beat = jdbc.queryForObject("SELECT tm_beat FROM batch_run_heartbeats WHERE job_execution_id = ?",
                java.sql.Timestamp.class, left.getId()).toInstant();
        assertThat(((LaunchOutcome.AlreadyRunning) whileItBeats).whereItRuns()).as("what the refused user is told")
                .isEqualTo("its process (pid 4242 on another-host) last beat at " + beat + "; if that process has stopped,"
                        + " its period can be taken over from " + beat.plus(heartbeatTimeout) + " (billing.runs.heartbeat-timeout "
                        + heartbeatTimeout.toSeconds() + " s)");
        assertThat(jobRepository.getJobExecution(left.getId()).getStatus()).isEqualTo(BatchStatus.STARTED);
        assertThat(leftover).isNotDone();

        jdbc.update("UPDATE batch_run_heartbeats SET tm_beat = now() - interval '1 hour' WHERE job_execution_id = ?",
                left.getId()); // its process stopped beating: it is gone

        LaunchOutcome takenOver = launcher.launch(reconciliationJob, parameters, false);

        assertThat(takenOver).isInstanceOf(LaunchOutcome.Ran.class);
        JobExecution restarted = ((LaunchOutcome.Ran) takenOver).execution();
        assertThat(restarted.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(restarted.getJobInstanceId()).isEqualTo(left.getJobInstanceId());
        assertThat(jobRepository.getJobExecution(left.getId()).getStatus()).isEqualTo(BatchStatus.FAILED);
        SQLException ended = leftover.get(30, TimeUnit.SECONDS);
        assertThat(ended == null ? "it ran to its end" : ended.getSQLState()).as("the leftover query was ended")
                .isEqualTo("57P01"); // terminated by pg_terminate_backend
        assertThat(jdbc.queryForObject("SELECT count(*) FROM batch_run_heartbeats", Long.class)).isZero();
    }

    @Test
    void aProvisionalRunLeftByADeadProcessIsRecoveredByTheNextProvisionalRunOfItsPeriod() throws Exception {
        // every provisional run is a job instance of its own, so the next one never finds a dead one as "its" last
        // execution: the dead one stayed STARTED for ever, its beat stale and its queries running
        ReportPeriod running = ReportPeriod.parse(java.time.YearMonth.now(java.time.ZoneOffset.UTC).toString(), "UTC");
        PeriodJobParameters dead = PeriodJobParameters.provisional(running,
                Instant.now().minus(Duration.ofHours(1)).truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
        JobExecution left = startedExecution(dead);
        jdbc.update("""
                INSERT INTO batch_run_heartbeats (job_execution_id, job_name, lock_key, host, pid, instance_id, tm_started, tm_beat)
                VALUES (?, 'reconciliation', ?, 'another-host', 4242, 'another process', now(), now() - interval '1 hour')""",
                left.getId(), "reconciliation|" + running.key() + "|UTC|provisional");
        String tag = "billing-batch/reconciliation/" + left.getId();
        CompletableFuture<SQLException> leftover = leftoverQuery(tag);
        try {
            LaunchOutcome next = launcher.launch(reconciliationJob, PeriodJobParameters.provisional(running,
                    Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS)), false);

            assertThat(next).isInstanceOf(LaunchOutcome.Ran.class);
            assertThat(((LaunchOutcome.Ran) next).execution().getStatus()).isEqualTo(BatchStatus.COMPLETED);
            assertThat(jobRepository.getJobExecution(left.getId()).getStatus()).as("the dead provisional run")
                    .isEqualTo(BatchStatus.FAILED);
            SQLException ended = leftover.get(30, TimeUnit.SECONDS);
            assertThat(ended == null ? "it ran to its end" : ended.getSQLState()).as("the leftover query was ended")
                    .isEqualTo("57P01");
            assertThat(jdbc.queryForObject("SELECT count(*) FROM batch_run_heartbeats", Long.class)).isZero();
        }
        finally {
            FileSystemUtils.deleteRecursively(reportStore.directory(running.key()).toFile());
        }
    }

    private JobExecution startedExecution(PeriodJobParameters parameters) throws Exception {
        JobInstance instance = jobRepository.createJobInstance(reconciliationJob.getName(), parameters.toJobParameters());
        JobExecution execution = jobRepository.createJobExecution(instance, parameters.toJobParameters(), new ExecutionContext());
        execution.setStartTime(LocalDateTime.now().minusHours(2));
        execution.setStatus(BatchStatus.STARTED);
        jobRepository.update(execution);
        return execution;
    }

    /**
     * A query that runs for two minutes in a session named {@code tag}, as PostgreSQL goes on with a dead
     * process's queries; returns once it runs. The session holds an advisory lock that its query lets go of
     * as it starts, and this thread waits for that lock: a wait for the event, not a poll of pg_stat_activity.
     */
    private CompletableFuture<SQLException> leftoverQuery(String tag) throws SQLException {
        Connection session = dataSource.getConnection();
        session.createStatement().execute("SET application_name = '" + tag + "'");
        session.createStatement().execute("SELECT pg_advisory_lock(" + LEFTOVER_STARTED + ")");
        CompletableFuture<SQLException> leftover = CompletableFuture.supplyAsync(() -> {
            try (Connection connection = session) {
                connection.createStatement().execute("SELECT pg_advisory_unlock(" + LEFTOVER_STARTED + "), pg_sleep(120)");
                return null;
            }
            catch (SQLException ex) {
                return ex;
            }
        });
        try (Connection waiting = dataSource.getConnection()) {
            waiting.createStatement().execute("SET lock_timeout = '60s'");
            try {
                waiting.createStatement().execute("SELECT pg_advisory_xact_lock(" + LEFTOVER_STARTED + ")");
            }
            finally {
                waiting.createStatement().execute("RESET lock_timeout");
            }
        }
        return leftover;
    }

    /** The advisory lock key a leftover query lets go of as it starts. */
    static final int LEFTOVER_STARTED = 424243;

    /** Until the run has returned (its exit message written, its heartbeat row gone): {@link StoppedRuns#awaitEnd}. */
    private void awaitEnd(long id) throws InterruptedException {
        StoppedRuns.awaitEnd(id);
    }

    private Path csv() {
        return reportStore.directory(PERIOD.key()).resolve(ReconciliationFiles.baseName(PERIOD) + ".csv");
    }

    private List<String> findings() {
        return jdbc.query("""
                SELECT f.kind, f.account_id, f.expected, f.actual FROM reconciliation_findings f
                JOIN published_runs r ON r.job_instance_id = f.job_instance_id AND r.job_name = 'reconciliation' ORDER BY 2, 1""",
                (rs, i) -> rs.getString(1) + " " + rs.getString(2) + " " + rs.getLong(3) + " " + rs.getLong(4));
    }
}
