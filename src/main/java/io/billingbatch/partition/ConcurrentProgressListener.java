package io.billingbatch.partition;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.billingbatch.batch.ProgressListener;

import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.scope.context.StepContext;
import org.springframework.batch.core.scope.context.StepSynchronizationManager;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.Chunk;

/**
 * A {@link ProgressListener} per step execution: one step object runs several partitions at once
 * on the local pool, and a single progress listener (it keeps its execution, its start and its
 * heartbeat) would mix their figures up and leave all but one heartbeat running.
 */
final class ConcurrentProgressListener extends ProgressListener {

    private final Map<Long, ProgressListener> running = new ConcurrentHashMap<>();

    @Override
    public void beforeStep(StepExecution stepExecution) {
        ProgressListener listener = new ProgressListener();
        running.put(stepExecution.getId(), listener);
        listener.beforeStep(stepExecution);
    }

    @Override
    public void afterChunk(Chunk<Object> chunk) {
        StepContext context = StepSynchronizationManager.getContext();
        ProgressListener listener = context == null ? null : running.get(context.getStepExecution().getId());
        if (listener != null) {
            listener.afterChunk(chunk);
        }
    }

    @Override
    public ExitStatus afterStep(StepExecution stepExecution) {
        ProgressListener listener = running.remove(stepExecution.getId());
        return listener == null ? null : listener.afterStep(stepExecution);
    }
}
