package io.billingbatch.launch;

import java.lang.management.ManagementFactory;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInterruptedException;
import org.springframework.batch.core.launch.JobExecutionNotRunningException;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The liveness of job runs across processes, and how a run is stopped.
 * <p>
 * A run launched by {@link PeriodJobLauncher} holds its period's run lock and, from the moment its
 * job starts, a row in {@code batch_run_heartbeats} that this process beats every
 * {@code billing.runs.heartbeat-interval} on the lock's own session, and only while that session
 * still holds the lock. A run whose lock session is gone (its backend terminated, the network cut)
 * learns it at the next beat and stops itself at its next check: the start of a step and every
 * chunk boundary. Its beat then goes stale, and only then, with the lock free, may another launch
 * recover the execution; it first ends whatever PostgreSQL still runs for that execution (the
 * connections named by {@link JobConnectionTags}).
 * <p>
 * A stop is a request, never a write to the execution's rows from another thread: it is recorded
 * here (and handed at once to a run of this process), and the thread running the job stops at its
 * next check, so the repository, the log, the metrics and the API all see the one outcome that
 * thread writes.
 */
@Component
public class RunHeartbeats implements DisposableBean {

    private static final Logger logger = LoggerFactory.getLogger(RunHeartbeats.class);

    static final String STOPPED_ON_REQUEST = "stopped on request";

    /** Inserted by the running process on its lock session when its job starts. */
    private static final String BIND = """
            INSERT INTO batch_run_heartbeats (job_execution_id, job_name, lock_key, host, pid, instance_id, tm_started, tm_beat)
            VALUES (?, ?, ?, ?, ?, ?, now(), now())
            ON CONFLICT (job_execution_id) DO UPDATE SET job_name = EXCLUDED.job_name, lock_key = EXCLUDED.lock_key,
                host = EXCLUDED.host, pid = EXCLUDED.pid, instance_id = EXCLUDED.instance_id,
                tm_started = EXCLUDED.tm_started, tm_beat = EXCLUDED.tm_beat
            """;

    /**
     * A beat, on the lock session: refreshed only while this very session holds the advisory lock
     * (pg_locks splits the 64-bit key into classid, the high half, and objid, the low half).
     * Returns the stop request, if any; no row means the lock is not held.
     */
    private static final String BEAT = """
            UPDATE batch_run_heartbeats SET tm_beat = now()
            WHERE job_execution_id = ?
              AND EXISTS (SELECT 1 FROM pg_locks l
                          WHERE l.locktype = 'advisory' AND l.pid = pg_backend_pid() AND l.granted AND l.objsubid = 1
                            AND ((l.classid::bigint << 32) | l.objid::bigint) = ?)
            RETURNING stop_reason
            """;

    private static final String FORGET = """
            DELETE FROM batch_run_heartbeats WHERE job_execution_id = :execution
            """;

    private static final String REQUEST_STOP = """
            INSERT INTO batch_run_heartbeats (job_execution_id, job_name, stop_requested, stop_reason)
            VALUES (:execution, :job, now(), :reason)
            ON CONFLICT (job_execution_id) DO UPDATE SET
                stop_requested = coalesce(batch_run_heartbeats.stop_requested, EXCLUDED.stop_requested),
                stop_reason = coalesce(batch_run_heartbeats.stop_reason, EXCLUDED.stop_reason)
            """;

    /** Says in the row why the run stopped beating (for whoever looks, and for a launch that finds it). */
    private static final String RECORD_LOSS = """
            UPDATE batch_run_heartbeats SET stop_requested = coalesce(stop_requested, now()), stop_reason = :reason
            WHERE job_execution_id = :execution
            """;

    private static final String STOP_REQUESTED = """
            SELECT count(*) FROM batch_run_heartbeats WHERE job_execution_id = :execution AND stop_requested IS NOT NULL
            """;

    /** Where an execution runs, and when its process last beat (its row's clock, PostgreSQL's). */
    private static final String WHERE_IT_RUNS = """
            SELECT host, pid, tm_beat FROM batch_run_heartbeats WHERE job_execution_id = :execution
            """;

    private static final String FRESH_BEAT = """
            SELECT count(*) FROM batch_run_heartbeats
            WHERE job_execution_id = :execution AND tm_beat > now() - :timeoutMillis * interval '1 millisecond'
            """;

    /** Executions that ran under a lock key and stopped beating (read by the holder of that lock). */
    private static final String STALE_UNDER = """
            SELECT job_execution_id FROM batch_run_heartbeats
            WHERE lock_key = :key AND (tm_beat IS NULL OR tm_beat <= now() - :timeoutMillis * interval '1 millisecond')
            ORDER BY job_execution_id
            """;

    /** Ends the sessions still working for an execution whose process is gone, except this one. */
    private static final String END_SESSIONS = """
            SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity
            WHERE application_name = :tag AND pid <> pg_backend_pid()
            """;

    /** The run begun on this thread whose job is about to start. */
    private static final ThreadLocal<Run> STARTING = new ThreadLocal<>();

    private final JdbcClient jdbc;

    private final Duration interval;

    private final Duration timeout;

    private final String host;

    private final long pid = ProcessHandle.current().pid();

    private final String instanceId = UUID.randomUUID().toString();

    /** The runs of this process whose job has started, by execution id. */
    private final Map<Long, Run> live = new ConcurrentHashMap<>();

    private final ScheduledExecutorService beats;

    public RunHeartbeats(JdbcClient jdbc, @Value("${billing.runs.heartbeat-interval:5s}") Duration interval,
            @Value("${billing.runs.heartbeat-timeout:15s}") Duration timeout) {
        if (interval.isNegative() || interval.isZero() || timeout.compareTo(interval.multipliedBy(2)) < 0) {
            throw new IllegalArgumentException("billing.runs.heartbeat-timeout (" + timeout + ") must be at least twice"
                    + " billing.runs.heartbeat-interval (" + interval + "), which must be positive");
        }
        this.jdbc = jdbc;
        this.interval = interval;
        this.timeout = timeout;
        String name = ManagementFactory.getRuntimeMXBean().getName(); // pid@host
        this.host = name.substring(name.indexOf('@') + 1);
        this.beats = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "run-heartbeat");
            thread.setDaemon(true);
            return thread;
        });
        beats.scheduleWithFixedDelay(this::beatAll, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Begins a run under {@code lease}: the job started next on this thread is bound to it (see
     * {@link #jobStarted}). Closing the run, when the job has returned, ends its heartbeat.
     */
    Run begin(JobRunGuard.Lease lease, String jobName) {
        Run run = new Run(lease, jobName);
        STARTING.set(run);
        return run;
    }

    /**
     * Whether the execution's process has beaten within the timeout: then it is alive (or was a
     * moment ago), even if the run lock is free, and nobody may take its execution over.
     */
    boolean beating(JobExecution execution) {
        return jdbc.sql(FRESH_BEAT).param("execution", execution.getId()).param("timeoutMillis", timeout.toMillis())
                .query(Long.class).single() > 0;
    }

    /**
     * For whoever is refused a launch because the execution runs: which process runs it, and from when
     * its period can be taken over if that process has stopped (a {@code kill -9}: its beat then ages
     * until the timeout). Null when the execution has no heartbeat row.
     */
    String whereItRuns(JobExecution execution) {
        if (execution == null) {
            return null;
        }
        return jdbc.sql(WHERE_IT_RUNS).param("execution", execution.getId()).query((rs, row) -> {
            java.sql.Timestamp beat = rs.getTimestamp("tm_beat");
            String process = "its process (pid " + rs.getLong("pid") + " on " + rs.getString("host") + ")";
            return beat == null ? process + " has not beaten yet"
                    : process + " last beat at " + beat.toInstant() + "; if that process has stopped, its period can be"
                            + " taken over from " + beat.toInstant().plus(timeout) + " (billing.runs.heartbeat-timeout "
                            + timeout.toSeconds() + " s)";
        }).optional().orElse(null);
    }

    /**
     * The executions that ran under the lock {@code key} and whose beat is stale. Asked by the
     * holder of that lock, this is proof their processes are gone: they no longer hold the lock and
     * no longer beat. It finds runs that are no launch's latest execution, such as a dead
     * provisional run (each provisional run is a job instance of its own under one lock).
     */
    java.util.List<Long> staleUnder(String key) {
        return jdbc.sql(STALE_UNDER).param("key", key).param("timeoutMillis", timeout.toMillis()).query(Long.class).list();
    }

    /**
     * Clears what a dead process left of {@code execution}: ends the sessions still running its
     * queries (after a {@code kill -9} PostgreSQL goes on with them and they compete with the
     * restart) and its heartbeat row.
     *
     * @return how many sessions were ended
     */
    long clearLeftovers(JobExecution execution) {
        long ended = jdbc.sql(END_SESSIONS)
                .param("tag", JobConnectionTags.tag(execution.getJobInstance().getJobName(), execution.getId()))
                .query(Long.class).single();
        jdbc.sql(FORGET).param("execution", execution.getId()).update();
        return ended;
    }

    /**
     * Asks a running execution to stop. The process running it stops at its next check (a run of
     * this process at once, one of another process within a heartbeat interval) and ends it
     * STOPPED; a restart continues where it stopped.
     *
     * @throws JobExecutionNotRunningException when the execution is not running
     */
    public void requestStop(JobExecution execution) throws JobExecutionNotRunningException {
        if (!execution.isRunning()) {
            throw new JobExecutionNotRunningException("execution " + execution.getId() + " is not running (it is "
                    + execution.getStatus() + ")");
        }
        jdbc.sql(REQUEST_STOP).param("execution", execution.getId())
                .param("job", execution.getJobInstance().getJobName()).param("reason", STOPPED_ON_REQUEST).update();
        Run run = live.get(execution.getId());
        if (run != null) {
            run.stop(STOPPED_ON_REQUEST);
        }
        logger.info("Stop requested for {} execution {}: it stops at its next check", execution.getJobInstance().getJobName(),
                execution.getId());
    }

    /** Whether a stop was asked of the execution (it is STOPPING until its process ends it). */
    public boolean stopRequested(long executionId) {
        return jdbc.sql(STOP_REQUESTED).param("execution", executionId).query(Long.class).single() > 0;
    }

    /** Why the run of the execution must stop, or null while it may go on (or it is no run of this process). */
    String stopReason(long executionId) {
        Run run = live.get(executionId);
        return run == null ? null : run.stopReason;
    }

    /** Called as a job starts on its thread: tags the thread's connections and binds the run begun on it. */
    void jobStarted(JobExecution execution) {
        String jobName = execution.getJobInstance().getJobName();
        JobConnectionTags.tagThread(jobName, execution.getId());
        Run run = STARTING.get();
        if (run == null) {
            return; // started without a run lock (a test's operator); nothing to beat
        }
        run.executionId = execution.getId();
        try {
            run.lease.onSession((connection, lockId) -> {
                // A beat that cannot reach the server (a cut network) fails within half the timeout, so
                // the run knows it lost its lock before anyone may take its period over.
                connection.setNetworkTimeout(Runnable::run, (int) timeout.dividedBy(2).toMillis());
                try (var insert = connection.prepareStatement(BIND)) {
                    insert.setLong(1, execution.getId());
                    insert.setString(2, jobName);
                    insert.setString(3, run.lease.key());
                    insert.setString(4, host);
                    insert.setLong(5, pid);
                    insert.setString(6, instanceId);
                    insert.executeUpdate();
                }
                return null;
            });
        }
        catch (SQLException ex) {
            run.lost(ex);
        }
        // only now: a beat of the heartbeat thread before the row exists would find no row and take
        // the run for one that lost its lock
        live.put(execution.getId(), run);
        beat(run);
    }

    void jobEnded(JobExecution execution) {
        JobConnectionTags.untag();
        Run run = live.get(execution.getId());
        if (run != null && run.stopReason != null && execution.getStatus() == BatchStatus.STOPPED) {
            execution.setExitStatus(ExitStatus.STOPPED.addExitDescription(run.stopReason));
        }
    }

    /**
     * The check at the start of a step: the lock is verified on the spot (publishing or writing
     * files after the lock was lost must never happen), then the step may run unless the run must stop.
     *
     * @throws RunStoppedException when the run must stop
     */
    void checkBeforeStep(StepExecution stepExecution) {
        Run run = live.get(stepExecution.getJobExecutionId());
        if (run == null) {
            return;
        }
        beat(run);
        if (run.stopReason != null) {
            throw new RunStoppedException(run.jobName + " execution " + run.executionId + " " + run.stopReason + " before "
                    + stepExecution.getStepName());
        }
    }

    /** The step's exit description says why it stopped. */
    ExitStatus stepEnded(StepExecution stepExecution) {
        String reason = stopReason(stepExecution.getJobExecutionId());
        if (reason != null && stepExecution.getStatus() == BatchStatus.STOPPED) {
            return ExitStatus.STOPPED.addExitDescription(reason);
        }
        return null;
    }

    private void beatAll() {
        for (Run run : live.values()) {
            beat(run);
        }
    }

    private void beat(Run run) {
        if (run.lockLost || run.closed) {
            return; // a lost lock is never beaten again: the beat goes stale and the period can be taken over
        }
        try {
            Boolean held = run.lease.onSession((connection, lockId) -> {
                try (var beat = connection.prepareStatement(BEAT)) {
                    beat.setLong(1, run.executionId);
                    beat.setLong(2, lockId);
                    try (var result = beat.executeQuery()) {
                        if (!result.next()) {
                            return false;
                        }
                        String stopReason = result.getString(1);
                        if (stopReason != null) {
                            run.stop(stopReason);
                        }
                        return true;
                    }
                }
            });
            if (!held) {
                run.lost(null);
            }
        }
        catch (SQLException | RuntimeException ex) {
            run.lost(ex);
        }
    }

    @Override
    public void destroy() {
        beats.shutdownNow();
    }

    /** A run of this process: its lease and, once its job started, its execution and whether it must stop. */
    final class Run implements AutoCloseable {

        private final JobRunGuard.Lease lease;

        private final String jobName;

        private volatile long executionId = -1;

        private volatile String stopReason;

        private volatile boolean lockLost;

        /** Set as the job has returned, before the lease is let go: a beat still under way then proves nothing. */
        private volatile boolean closed;

        private Run(JobRunGuard.Lease lease, String jobName) {
            this.lease = lease;
            this.jobName = jobName;
        }

        private void stop(String reason) {
            if (stopReason == null) {
                stopReason = reason;
            }
        }

        private void lost(Exception cause) {
            if (lockLost || closed) {
                return;
            }
            lockLost = true;
            stopReason = "lost its run lock (" + (cause == null ? "the lock session no longer holds it"
                    : "its database session failed: " + firstLine(cause.getMessage())) + ")";
            logger.warn("{} execution {} {}; stopping it before it writes more", jobName, executionId, stopReason);
            try {
                jdbc.sql(RECORD_LOSS).param("reason", stopReason).param("execution", executionId).update();
            }
            catch (DataAccessException ex) {
                logger.debug("Could not record the lost lock of execution {}: {}", executionId, ex.getMessage());
            }
        }

        /** Ends the heartbeat: the job has returned (or never started). */
        @Override
        public void close() {
            closed = true;
            STARTING.remove();
            if (executionId >= 0) {
                live.remove(executionId);
                try {
                    jdbc.sql(FORGET).param("execution", executionId).update();
                }
                catch (DataAccessException ex) {
                    // the row's beat goes stale, which is all a later launch looks at
                    logger.debug("Could not remove the heartbeat of execution {}: {}", executionId, ex.getMessage());
                }
            }
        }
    }

    private static String firstLine(String message) {
        return message == null ? "no message" : message.lines().findFirst().orElse(message);
    }

    /**
     * Thrown at a step's start when the run must stop; its cause tells Spring Batch the step was
     * interrupted, so the step and the job end STOPPED (not FAILED) and restart from there.
     */
    static final class RunStoppedException extends IllegalStateException {

        RunStoppedException(String message) {
            super(message, new JobInterruptedException(message));
        }
    }

}
