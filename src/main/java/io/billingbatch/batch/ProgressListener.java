package io.billingbatch.batch;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.batch.core.listener.ChunkListener;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.Chunk;

/**
 * Logs a chunk step's progress (items done, rate, elapsed) at most every few seconds, and a line
 * when the step ends, so long work is visible in the log. While no chunk completes (a reader
 * waiting for PostgreSQL to group or scan the ledger), a heartbeat says the step is still working.
 */
public class ProgressListener implements ChunkListener<Object, Object>, StepExecutionListener {

    private static final Logger logger = LoggerFactory.getLogger(ProgressListener.class);

    private final Duration interval;

    private static final ScheduledExecutorService HEARTBEAT = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "progress-heartbeat");
        thread.setDaemon(true);
        return thread;
    });

    private volatile StepExecution stepExecution;

    private volatile long startedNanos;

    private volatile long lastLogNanos;

    private ScheduledFuture<?> heartbeat;

    public ProgressListener(Duration interval) {
        this.interval = interval;
    }

    public ProgressListener() {
        this(Duration.ofSeconds(5));
    }

    @Override
    public void beforeStep(StepExecution stepExecution) {
        this.stepExecution = stepExecution;
        this.startedNanos = System.nanoTime();
        this.lastLogNanos = startedNanos;
        logger.info("{} started", stepExecution.getStepName());
        long period = interval.toMillis();
        this.heartbeat = HEARTBEAT.scheduleAtFixedRate(() -> {
            if (System.nanoTime() - lastLogNanos >= interval.toNanos()) {
                lastLogNanos = System.nanoTime();
                log("working (waiting for the database)");
            }
        }, period, period, TimeUnit.MILLISECONDS);
    }

    @Override
    public void afterChunk(Chunk<Object> chunk) {
        long now = System.nanoTime();
        if (now - lastLogNanos >= interval.toNanos()) {
            lastLogNanos = now;
            log("progress");
        }
    }

    @Override
    public ExitStatus afterStep(StepExecution stepExecution) {
        if (heartbeat != null) {
            heartbeat.cancel(false);
        }
        log("done");
        return null;
    }

    private void log(String phase) {
        double seconds = Math.max((System.nanoTime() - startedNanos) / 1e9, 1e-9);
        long read = stepExecution.getReadCount();
        logger.info("{} {}: {} read, {} written, {} skipped, {} items/s, {} s elapsed", stepExecution.getStepName(),
                phase, read, stepExecution.getWriteCount(), stepExecution.getSkipCount(), Math.round(read / seconds),
                String.format("%.1f", seconds));
    }
}
