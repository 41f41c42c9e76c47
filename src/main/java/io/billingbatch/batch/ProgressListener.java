package io.billingbatch.batch;

import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.batch.core.listener.ChunkListener;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.Chunk;

/**
 * Logs a chunk step's progress (items done, rate, elapsed) at most every few seconds, and a line
 * when the step ends, so long work is visible in the log.
 */
public class ProgressListener implements ChunkListener<Object, Object>, StepExecutionListener {

    private static final Logger logger = LoggerFactory.getLogger(ProgressListener.class);

    private final Duration interval;

    private StepExecution stepExecution;

    private long startedNanos;

    private long lastLogNanos;

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
