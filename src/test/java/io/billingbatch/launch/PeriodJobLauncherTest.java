package io.billingbatch.launch;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import io.billingbatch.testing.Tables;
import io.billingbatch.testing.BillingTest;
import io.billingbatch.batch.PeriodJobParameters;
import io.billingbatch.launch.PeriodJobLauncher.LaunchOutcome;
import io.billingbatch.ledger.LedgerFixture;
import io.billingbatch.ledger.ReportPeriod;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/** One live run per period across processes, and recovery of a run whose process was killed. */
@BillingTest
class PeriodJobLauncherTest {

    static final ReportPeriod DAY = ReportPeriod.parse("2026-10-07", "UTC");

    static final String KEY = "cost-report|2026-10-07|UTC";

    @Autowired
    PeriodJobLauncher launcher;

    @Autowired
    Job costReportJob;

    @Autowired
    JobRepository jobRepository;

    @Autowired
    JobRunGuard guard;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    JobOperator jobOperator;

    @Autowired
    DataSource dataSource;

    @Autowired
    RunHeartbeats heartbeats;

    @BeforeEach
    void givenOneAccountWithACall() {
        Tables.reset(jdbc);
        LedgerFixture ledger = new LedgerFixture(jdbc);
        UUID account = ledger.account("Solo");
        ledger.topUp(account, 10_000_000, DAY.start());
        ledger.call(account, 42, DAY.start().plusSeconds(600));
    }

    @Test
    void aPeriodRunningInAnotherProcessIsNotStartedAgain() throws Exception {
        String key = costReportJob.getName() + "|" + DAY.key() + "|UTC";
        Optional<JobRunGuard.Lease> otherProcess = guard.tryAcquire(key);
        assertThat(otherProcess).isPresent();
        try (JobRunGuard.Lease held = otherProcess.get()) {
            LaunchOutcome outcome = launcher.launch(costReportJob, new PeriodJobParameters(DAY, 1), false);

            assertThat(outcome).isInstanceOf(LaunchOutcome.AlreadyRunning.class);
            assertThat(jdbc.queryForObject("SELECT count(*) FROM batch_job_execution", Long.class)).isZero();
        }
        assertThat(launcher.launch(costReportJob, new PeriodJobParameters(DAY, 1), false))
                .isInstanceOf(LaunchOutcome.Ran.class);
    }

    @Test
    void theLatestRevisionIsFoundAfterManyReruns() throws Exception {
        PeriodJobParameters parameters = new PeriodJobParameters(DAY, 1);
        assertThat(launcher.latest(costReportJob.getName(), parameters)).isEmpty();
        JobExecution last = null;
        for (int run = 1; run <= 11; run++) {
            last = ((LaunchOutcome.Ran) launcher.launch(costReportJob, parameters, run > 1)).execution();
            PeriodJobLauncher.Latest latest = launcher.latest(costReportJob.getName(), parameters).orElseThrow();
            assertThat(latest.revision()).isEqualTo(run);
            assertThat(latest.execution().getId()).isEqualTo(last.getId());
        }
        assertThat(last.getJobParameters().getLong(PeriodJobParameters.REVISION)).isEqualTo(11);
        assertThat(launcher.launch(costReportJob, parameters, false)).isInstanceOf(LaunchOutcome.AlreadyComplete.class);
    }

    @Test
    void anExecutionLeftStartedByAKilledProcessIsRecoveredAndRestarted() throws Exception {
        PeriodJobParameters parameters = new PeriodJobParameters(DAY, 1);
        JobExecution killed = execution(parameters, BatchStatus.STARTED, null);

        LaunchOutcome outcome = launcher.launch(costReportJob, parameters, false);

        JobExecution restarted = ((LaunchOutcome.Ran) outcome).execution();
        assertThat(restarted.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(restarted.getJobInstanceId()).isEqualTo(killed.getJobInstanceId());
        assertThat(jobRepository.getJobExecution(killed.getId()).getStatus()).isEqualTo(BatchStatus.FAILED);
        assertThat(jdbc.queryForObject("SELECT cost_credit FROM cost_summary WHERE period = '2026-10-07'", Long.class))
                .isEqualTo(42 * new LedgerFixture(jdbc).rate("call"));
    }

    @Test
    void aRunRecordedAsJustEndedButStillLettingGoOfItsLockIsWaitedFor() throws Exception {
        PeriodJobParameters parameters = new PeriodJobParameters(DAY, 1);
        JobExecution stopped = execution(parameters, BatchStatus.STOPPED, LocalDateTime.now());
        CountingGuard counting = new CountingGuard(dataSource);
        PeriodJobLauncher waiting = new PeriodJobLauncher(jobOperator, jobRepository, counting, heartbeats);
        JobRunGuard.Lease stoppingProcess = guard.tryAcquire(KEY).orElseThrow();
        CompletableFuture<LaunchOutcome> restart;
        try {
            restart = CompletableFuture.supplyAsync(() -> {
                try {
                    return waiting.launch(costReportJob, parameters, false);
                }
                catch (Exception ex) {
                    throw new CompletionException(ex);
                }
            });
            assertThat(counting.secondTry.await(60, TimeUnit.SECONDS)).as("the launch tries the lock again").isTrue();
            assertThat(restart).as("and waits while the ended run still holds it").isNotDone();
        }
        finally {
            stoppingProcess.close();
        }

        LaunchOutcome outcome = restart.get(60, TimeUnit.SECONDS);
        assertThat(outcome).isInstanceOf(LaunchOutcome.Ran.class);
        JobExecution restarted = ((LaunchOutcome.Ran) outcome).execution();
        assertThat(restarted.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(restarted.getJobInstanceId()).isEqualTo(stopped.getJobInstanceId());
    }

    @Test
    void aLockHeldByARunThatIsStillGoingIsRefusedAtOnce() throws Exception {
        PeriodJobParameters parameters = new PeriodJobParameters(DAY, 1);
        JobExecution live = execution(parameters, BatchStatus.STARTED, null);

        assertRefusedAtOnceWhileLocked(parameters, live);
    }

    @Test
    void aLockHeldWhileTheLastRunEndedLongAgoIsRefusedAtOnce() throws Exception {
        PeriodJobParameters parameters = new PeriodJobParameters(DAY, 1);
        JobExecution old = execution(parameters, BatchStatus.FAILED, LocalDateTime.now().minusHours(1));

        assertRefusedAtOnceWhileLocked(parameters, old);
    }

    @Test
    void aPeriodCompletedBeforeItEndedDoesNotCountAsReportedAndTheNextLaunchRunsANewRevision() throws Exception {
        ReportPeriod november = ReportPeriod.parse("2026-11", "UTC");
        PeriodJobParameters parameters = new PeriodJobParameters(november, 1);
        PeriodJobLauncher onDecember1st = new PeriodJobLauncher(jobOperator, jobRepository, guard, heartbeats,
                Clock.fixed(Instant.parse("2026-12-01T03:00:00Z"), ZoneOffset.UTC));
        // completed two days before that (the day before November ended), before launches were checked:
        // it holds only part of the month. Spring Batch stamps executions with the wall clock.
        JobExecution premature = execution(parameters, BatchStatus.COMPLETED, LocalDateTime.now().minusDays(2).plusMinutes(5));
        premature.setStartTime(LocalDateTime.now().minusDays(2));
        jobRepository.update(premature);

        LaunchOutcome outcome = onDecember1st.launch(costReportJob, parameters, false);

        JobExecution finalRun = ((LaunchOutcome.Ran) outcome).execution();
        assertThat(finalRun.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(finalRun.getJobParameters().getLong(PeriodJobParameters.REVISION)).isEqualTo(2);
        assertThat(jdbc.queryForObject("SELECT revision FROM published_runs WHERE job_name = 'cost-report' AND period = '2026-11'",
                Long.class)).isEqualTo(2);
        assertThat(onDecember1st.launch(costReportJob, parameters, false)).as("the final run counts")
                .isInstanceOf(LaunchOutcome.AlreadyComplete.class);
    }

    private void assertRefusedAtOnceWhileLocked(PeriodJobParameters parameters, JobExecution latest) throws Exception {
        CountingGuard counting = new CountingGuard(dataSource);
        PeriodJobLauncher launcher = new PeriodJobLauncher(jobOperator, jobRepository, counting, heartbeats);
        try (JobRunGuard.Lease otherProcess = guard.tryAcquire(KEY).orElseThrow()) {
            LaunchOutcome outcome = launcher.launch(costReportJob, parameters, false);

            assertThat(outcome).isInstanceOf(LaunchOutcome.AlreadyRunning.class);
            assertThat(((LaunchOutcome.AlreadyRunning) outcome).execution().getId()).isEqualTo(latest.getId());
            assertThat(counting.tries.get()).as("tries of the lock").isEqualTo(1);
        }
    }

    private JobExecution execution(PeriodJobParameters parameters, BatchStatus status, LocalDateTime ended) throws Exception {
        JobInstance instance = jobRepository.createJobInstance(costReportJob.getName(), parameters.toJobParameters());
        JobExecution execution = jobRepository.createJobExecution(instance, parameters.toJobParameters(), new ExecutionContext());
        execution.setStartTime(LocalDateTime.now().minusHours(2));
        execution.setEndTime(ended);
        execution.setStatus(status);
        jobRepository.update(execution);
        return execution;
    }

    /** Counts the launcher's tries of the run lock. */
    static final class CountingGuard extends JobRunGuard {

        final AtomicInteger tries = new AtomicInteger();

        final CountDownLatch secondTry = new CountDownLatch(1);

        CountingGuard(DataSource dataSource) {
            super(dataSource);
        }

        @Override
        public Optional<Lease> tryAcquire(String key) {
            Optional<Lease> lease = super.tryAcquire(key);
            if (tries.incrementAndGet() >= 2) {
                secondTry.countDown();
            }
            return lease;
        }
    }

}
