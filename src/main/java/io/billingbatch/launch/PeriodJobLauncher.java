package io.billingbatch.launch;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.Optional;

import io.billingbatch.batch.PeriodJobParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.EmptyResultDataAccessException;
import org.springframework.stereotype.Component;

/**
 * Launches a period job the safe way. Without {@code rerun}, a completed period is not run again
 * and a failed or killed one is restarted where it stopped. With {@code rerun}, a completed period
 * gets a new revision whose result replaces the old one. A run already live in another process
 * is never started twice: an execution left running is taken over (recovered, then restarted) only
 * when its run lock is free AND its heartbeat is stale, i.e. its process is gone; a free lock alone
 * may only mean that the lock's session died under a process that is still working (see
 * {@link RunHeartbeats}).
 * <p>
 * Every launch (command line, HTTP, {@code run-definition}, the schedule) passes here, so this is
 * where the period rule of launching lives: a report job runs for a period only once it has ended
 * in its zone (a run before the end would complete the period with part of it), a period that has
 * not begun is never run, and a provisional run (month to date, never the period's result) is a
 * job instance and a run lock of its own, so it neither blocks nor is blocked by the final run.
 */
@Component
public class PeriodJobLauncher {

    private static final Logger logger = LoggerFactory.getLogger(PeriodJobLauncher.class);

    /**
     * How long a launch waits for the lock of a run whose execution is already recorded as ended:
     * the run writes its end status first and lets go of the lock a moment later.
     */
    static final Duration HANDOVER = Duration.ofSeconds(10);

    private static final Duration HANDOVER_POLL = Duration.ofMillis(50);

    private final JobOperator jobOperator;

    private final JobRepository jobRepository;

    private final JobRunGuard guard;

    private final RunHeartbeats heartbeats;

    private final Clock clock;

    public PeriodJobLauncher(JobOperator jobOperator, JobRepository jobRepository, JobRunGuard guard,
            RunHeartbeats heartbeats) {
        this(jobOperator, jobRepository, guard, heartbeats, Clock.systemUTC());
    }

    @Autowired
    public PeriodJobLauncher(JobOperator jobOperator, JobRepository jobRepository, JobRunGuard guard,
            RunHeartbeats heartbeats, Clock clock) {
        this.jobOperator = jobOperator;
        this.jobRepository = jobRepository;
        this.guard = guard;
        this.heartbeats = heartbeats;
        this.clock = clock;
    }

    /**
     * Refuses a launch the period rule forbids at this moment.
     *
     * @throws LaunchRefusedException with the one-line reason
     */
    public void check(String jobName, PeriodJobParameters requested) {
        PeriodJobCommand declared = declaration(jobName);
        if (requested.provisional() && !declared.provisional()) {
            throw new LaunchRefusedException(jobName + " has no provisional run (only "
                    + PeriodJobCommand.names(PeriodJobCommand::provisional) + " has)");
        }
        // a job acting on its business day may run for today, never for a day that has not begun
        boolean reportsPeriod = !declared.actsOnDay();
        Optional<String> refusal = requested.refusal(jobName, clock.instant(), reportsPeriod);
        if (refusal.isPresent()) {
            boolean offer = reportsPeriod && !requested.provisional() && declared.provisional()
                    && !clock.instant().isBefore(requested.period().start());
            throw new LaunchRefusedException(refusal.get() + (offer ? "; a provisional run reports it so far" : ""));
        }
    }

    /**
     * What a launch would answer without running anything, found without the job and its lock: a period
     * the rule refuses (thrown, see {@link #check}) or one already complete, as {@link #launch} finds it.
     * Empty when only launching can tell (nothing yet, a failed or running execution, a rerun, a provisional
     * run): then launch. Used by the command line before the whole application starts.
     *
     * @throws LaunchRefusedException when the period rule forbids the launch now
     */
    public Optional<LaunchOutcome> withoutRunning(String jobName, PeriodJobParameters requested, boolean rerun) {
        check(jobName, requested);
        if (rerun || requested.provisional()) {
            return Optional.empty();
        }
        return latest(jobName, requested).map(Latest::execution)
                .filter(last -> last.getStatus() == BatchStatus.COMPLETED && !completedBeforeTheEnd(jobName, last, requested))
                .map(LaunchOutcome.AlreadyComplete::new);
    }

    /**
     * @throws LaunchRefusedException when the period rule forbids the launch now (see {@link #check})
     */
    public LaunchOutcome launch(Job job, PeriodJobParameters requested, boolean rerun) throws Exception {
        check(job.getName(), requested);
        // a provisional run has a lock of its own: it never waits for, nor holds up, the period's final run
        String key = job.getName() + "|" + requested.period().key() + "|" + requested.period().zone().getId()
                + (requested.provisional() ? "|provisional" : "");
        Optional<JobRunGuard.Lease> lease = guard.tryAcquire(key);
        long handoverEnds = System.nanoTime() + HANDOVER.toNanos();
        while (lease.isEmpty()) {
            JobExecution holder = latest(job.getName(), requested).map(Latest::execution).orElse(null);
            if (!justEnded(holder) || System.nanoTime() - handoverEnds > 0) {
                return new LaunchOutcome.AlreadyRunning(holder, heartbeats.whereItRuns(holder));
            }
            // The repository says the run has just ended: its process is letting go of the lock.
            Thread.sleep(HANDOVER_POLL.toMillis());
            lease = guard.tryAcquire(key);
        }
        try (JobRunGuard.Lease held = lease.get()) {
            recoverDeadRuns(held.key(), job.getName());
            Optional<Latest> latest = latest(job.getName(), requested);
            PeriodJobParameters parameters = requested.withRevision(latest.map(Latest::revision).orElse(1L));
            if (latest.isPresent() && latest.get().execution() != null) {
                JobExecution last = latest.get().execution();
                if (last.getStatus() == BatchStatus.COMPLETED) {
                    boolean premature = completedBeforeTheEnd(job.getName(), last, requested);
                    if (!rerun && !premature) {
                        return new LaunchOutcome.AlreadyComplete(last);
                    }
                    if (premature && !rerun) {
                        logger.warn("{} {} ({}) was completed by execution {} before the period ended: it is no result;"
                                + " running a new revision", job.getName(), requested.period().key(),
                                requested.period().zone().getId(), last.getId());
                    }
                    parameters = parameters.withRevision(latest.get().revision() + 1);
                }
                else if (last.isRunning()) {
                    if (heartbeats.beating(last)) {
                        // The lock is free but its process still beats: it lost only its lock session, and
                        // it stops itself at its next check. Taking over now would run the period twice.
                        return new LaunchOutcome.AlreadyRunning(last, heartbeats.whereItRuns(last));
                    }
                    // Lock free and heartbeat stale: the process that ran it is gone. End what PostgreSQL
                    // still runs for it, mark it failed and restart.
                    long ended = heartbeats.clearLeftovers(last);
                    logger.warn("Execution {} of {} was left {} by a process that stopped ({} of its database sessions"
                            + " ended); recovering it for restart", last.getId(), job.getName(), last.getStatus(), ended);
                    jobOperator.recover(last);
                }
                else if (rerun && !declaration(job.getName()).actsOnDay()) {
                    // --rerun of a report whose latest revision failed or stopped: a new revision from the ledger as
                    // it is now. A restart would go on from that revision's stored results (totals that can never be
                    // published, say, after the rows behind them were corrected) and could fail the same way for ever.
                    parameters = parameters.withRevision(latest.get().revision() + 1);
                }
            }
            try (RunHeartbeats.Run run = heartbeats.begin(held, job.getName())) {
                JobExecution execution = jobOperator.start(job, parameters.toJobParameters());
                return new LaunchOutcome.Ran(execution);
            }
        }
    }

    /**
     * Recovers every execution that ran under the lock just taken and whose process is gone (its
     * beat stale): ends what PostgreSQL still runs for it and marks it FAILED, so no dead run stays
     * STARTED. The period's latest execution is recovered here too when it has a heartbeat row, and
     * then restarts below like any failed one.
     */
    private void recoverDeadRuns(String key, String jobName) {
        for (long id : heartbeats.staleUnder(key)) {
            JobExecution dead;
            try {
                dead = jobRepository.getJobExecution(id);
            }
            catch (EmptyResultDataAccessException ex) {
                dead = null; // the JDBC repository of Batch 6 throws where the interface promises null
            }
            if (dead == null || !dead.isRunning()) {
                continue;
            }
            long ended = heartbeats.clearLeftovers(dead);
            logger.warn("Execution {} of {} was left {} by a process that stopped ({} of its database sessions ended);"
                    + " recovering it", dead.getId(), jobName, dead.getStatus(), ended);
            try {
                jobOperator.recover(dead);
            }
            catch (Exception ex) {
                throw new IllegalStateException("Could not recover execution " + id + " of " + jobName + ", left "
                        + dead.getStatus() + " by a process that stopped: " + ex.getMessage(), ex);
            }
        }
    }

    /**
     * Whether a report job's final run completed while its period had not ended (allowed before
     * launches were checked): it holds only part of the period, so it must not count as reported.
     * Spring Batch records its times from the wall clock as LocalDateTime in the JVM's zone; they are
     * read on this launcher's clock (the same clock in production, one pinned elsewhere in tests).
     */
    private boolean completedBeforeTheEnd(String jobName, JobExecution completed, PeriodJobParameters requested) {
        if (declaration(jobName).actsOnDay() || requested.provisional() || completed.getStartTime() == null) {
            return false;
        }
        Duration skew = Duration.between(Instant.now(), clock.instant());
        Instant started = completed.getStartTime().atZone(ZoneId.systemDefault()).toInstant().plus(skew);
        return started.isBefore(requested.period().end());
    }

    private static PeriodJobCommand declaration(String jobName) {
        return Commands.periodJob(jobName).orElseGet(() -> PeriodJobCommand.undeclared(jobName));
    }

    /**
     * Whether the execution ended within the handover time: then its process may still hold the
     * lock for a moment. An execution that ended long ago is not the one holding it (another
     * launch of the period is starting, or a dry run and a real run share the period's lock).
     */
    private static boolean justEnded(JobExecution execution) {
        if (execution == null || execution.isRunning() || execution.getEndTime() == null) {
            return false;
        }
        // Spring Batch records its times as LocalDateTime in the JVM's zone
        return execution.getEndTime().isAfter(LocalDateTime.now().minus(HANDOVER));
    }

    /**
     * The highest revision started for the period, with its last execution. Revisions are made one
     * after the other (1, 2, 3 ...), so the highest is found by doubling and then halving: a few
     * lookups even for a period re-run a hundred times.
     */
    public Optional<Latest> latest(String jobName, PeriodJobParameters requested) {
        if (instance(jobName, requested, 1) == null) {
            return Optional.empty();
        }
        long present = 1;
        long absent = 2;
        while (instance(jobName, requested, absent) != null) {
            present = absent;
            absent *= 2;
        }
        while (absent - present > 1) {
            long middle = present + (absent - present) / 2;
            if (instance(jobName, requested, middle) != null) {
                present = middle;
            }
            else {
                absent = middle;
            }
        }
        return Optional.of(new Latest(present, jobRepository.getLastJobExecution(instance(jobName, requested, present))));
    }

    private JobInstance instance(String jobName, PeriodJobParameters requested, long revision) {
        return jobRepository.getJobInstance(jobName, requested.withRevision(revision).toJobParameters());
    }

    public record Latest(long revision, JobExecution execution) {
    }

    /** What a launch did. */
    public sealed interface LaunchOutcome {

        /** The job ran (or was restarted) and ended with the execution's status. */
        record Ran(JobExecution execution) implements LaunchOutcome {
        }

        /** The period is already complete; nothing ran. */
        record AlreadyComplete(JobExecution execution) implements LaunchOutcome {
        }

        /**
         * Another process is running this period right now; nothing ran. {@code whereItRuns}: its
         * process and when the period can be taken over if it has stopped (null: not known).
         */
        record AlreadyRunning(JobExecution execution, String whereItRuns) implements LaunchOutcome {
        }
    }
}
