package io.billingbatch.launch;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import io.billingbatch.batch.PeriodJobParameters;
import io.billingbatch.launch.PeriodJobLauncher.LaunchOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.listener.JobExecutionListener;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Runs {@link PeriodJobLauncher#launch} on a background thread and returns as soon as the job has
 * started (or the launcher refused it), so an HTTP request answers at once while the run goes on.
 * The launch keeps every rule of {@link PeriodJobLauncher}: the run lock is held by the background
 * thread for the whole run. The started execution is learnt from {@link #STARTED}, a
 * {@link JobExecutionListener} registered on every job, which completes the future of the launch
 * running on its thread.
 */
@Component
public class BackgroundJobLauncher implements DisposableBean {

    private static final Logger logger = LoggerFactory.getLogger(BackgroundJobLauncher.class);

    private static final ThreadLocal<CompletableFuture<Launched>> CURRENT = new ThreadLocal<>();

    /** Registered on every job (see {@code LaunchConfiguration}); tells a background launch its execution. */
    static final JobExecutionListener STARTED = new JobExecutionListener() {

        @Override
        public void beforeJob(JobExecution jobExecution) {
            CompletableFuture<Launched> launch = CURRENT.get();
            if (launch != null) {
                launch.complete(new Launched.Started(jobExecution));
            }
        }
    };

    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final PeriodJobLauncher launcher;

    /** At most this many background runs at once; one more is refused rather than queued behind hours of work. */
    static final int MAX_RUNNING = 4;

    private final ThreadPoolExecutor executor;

    public BackgroundJobLauncher(PeriodJobLauncher launcher) {
        this.launcher = launcher;
        AtomicInteger threads = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(0, MAX_RUNNING, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), runnable -> {
            Thread thread = new Thread(runnable, "job-launch-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /** How a background launch began. */
    public sealed interface Launched {

        /** The job started (or restarted) with this execution and goes on in the background. */
        record Started(JobExecution execution) implements Launched {
        }

        /** The launcher ran nothing: the period is complete, or another run holds it. */
        record Refused(LaunchOutcome outcome) implements Launched {
        }
    }

    /**
     * Starts {@code job} in the background and waits only until it has started.
     *
     * @throws IllegalStateException with the launcher's reason when the launch failed before the job started
     * @throws RejectedExecutionException when {@value #MAX_RUNNING} background runs are already going
     */
    public Launched launch(Job job, PeriodJobParameters parameters, boolean rerun) {
        CompletableFuture<Launched> launched = new CompletableFuture<>();
        executor.execute(() -> {
            CURRENT.set(launched);
            try {
                LaunchOutcome outcome = launcher.launch(job, parameters, rerun);
                if (outcome instanceof LaunchOutcome.Ran ran) {
                    launched.complete(new Launched.Started(ran.execution()));
                    logger.info("{} {} ended {} (execution {})", job.getName(), parameters.period().key(),
                            ran.execution().getStatus(), ran.execution().getId());
                }
                else {
                    launched.complete(new Launched.Refused(outcome));
                }
            }
            catch (Throwable ex) {
                if (!launched.completeExceptionally(ex)) {
                    logger.error("{} {} failed in the background", job.getName(), parameters.period().key(), ex);
                }
            }
            finally {
                CURRENT.remove();
            }
        });
        try {
            return launched.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (ExecutionException ex) {
            Throwable cause = ex.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(job.getName() + " could not start: " + cause.getMessage(), cause);
        }
        catch (TimeoutException ex) {
            throw new StartTimeoutException(job.getName() + " did not start within " + START_TIMEOUT.toSeconds()
                    + " s (the database is busy); it may still start: see GET /v1.0/jobs/executions");
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + job.getName() + " was starting", ex);
        }
    }

    /** The launch was handed to a background thread, but the job had not started when the caller stopped waiting. */
    public static class StartTimeoutException extends IllegalStateException {

        StartTimeoutException(String message) {
            super(message);
        }
    }

    @Override
    public void destroy() throws InterruptedException {
        // A run cut short here is left STARTED without its lock or heartbeat; the next launch of its period
        // recovers it once the heartbeat is stale (billing.runs.heartbeat-timeout).
        executor.shutdown();
        executor.awaitTermination(10, TimeUnit.SECONDS);
    }
}
