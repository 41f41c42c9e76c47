package io.billingbatch.report;

import java.util.List;

import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.listener.ItemReadListener;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.infrastructure.item.ItemWriter;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The one way a job writes its report while its chunk step stores the items: declared
 * {@code @JobScope} (one per job execution, so no registry of executions), it is the step's writer
 * and listener. It stores each chunk with the job's own writer ({@code delegate}) and, once that
 * chunk has committed, feeds its items to a {@link StreamedReport} that renders the CSV and XLSX
 * meanwhile; the files step of the same execution {@linkplain #take() takes} the stream and uses it
 * when it is whole, else renders from the table (same layout, same bytes). A stream is started only
 * on the step's first execution in its job instance (a restart finds stored items of an earlier
 * execution, which the stream never saw) and when {@code enabled}; the job's end discards a stream
 * nobody took (the job stopped or failed after the step).
 *
 * @param <T> the step's items
 */
public class StreamedReportWriter<T> implements ItemWriter<T>, ItemReadListener<T>, StepExecutionListener, DisposableBean {

    private final ItemWriter<T> delegate;

    private final StreamedReport.Layout<T> layout;

    private final ReportStore store;

    private final JobRepository jobRepository;

    private final boolean enabled;

    private volatile StreamedReport<T> stream;

    public StreamedReportWriter(ItemWriter<T> delegate, StreamedReport.Layout<T> layout, ReportStore store,
            JobRepository jobRepository, boolean enabled) {
        this.delegate = delegate;
        this.layout = layout;
        this.store = store;
        this.jobRepository = jobRepository;
        this.enabled = enabled;
    }

    @Override
    public void beforeStep(StepExecution stepExecution) {
        discard();
        if (enabled && isFirstExecution(stepExecution)) {
            stream = StreamedReport.start(layout, store);
        }
    }

    /** The step's query has answered (its first item is read): the renderers may start. */
    @Override
    public void afterRead(T item) {
        StreamedReport<T> current = stream;
        if (current != null) {
            current.begin();
        }
    }

    @Override
    public void write(Chunk<? extends T> chunk) throws Exception {
        delegate.write(chunk);
        StreamedReport<T> current = stream;
        if (current != null && !chunk.isEmpty()) {
            feedOnCommit(current, List.copyOf(chunk.getItems()));
        }
    }

    /** Only committed items reach the stream; a rolled back chunk makes it useless (the files then come from the table). */
    private static <T> void feedOnCommit(StreamedReport<T> stream, List<T> items) {
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            stream.invalidate();
            return;
        }
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCompletion(int status) {
                if (status == STATUS_COMMITTED) {
                    stream.accept(items);
                }
                else {
                    stream.invalidate();
                }
            }
        });
    }

    @Override
    public ExitStatus afterStep(StepExecution stepExecution) {
        StreamedReport<T> current = stream;
        if (current != null) {
            boolean completed = stepExecution.getFailureExceptions().isEmpty() && !stepExecution.isTerminateOnly();
            current.endInput(completed, stepExecution.getWriteCount(), stepExecution.getRollbackCount());
            if (!completed) {
                discard(); // the job ends here: no files step
            }
        }
        return null;
    }

    /** The stream for the files step, which owns it from now on; null when there is none. */
    public StreamedReport<T> take() {
        StreamedReport<T> taken = stream;
        stream = null;
        return taken;
    }

    /** At the job's end: a stream nobody took goes with its temp files. */
    @Override
    public void destroy() {
        discard();
    }

    private void discard() {
        StreamedReport<T> current = stream;
        stream = null;
        if (current != null) {
            current.discard();
        }
    }

    /**
     * Whether this is the step's first execution in its job instance: only then can the instance
     * have no stored items from an earlier execution.
     */
    private boolean isFirstExecution(StepExecution stepExecution) {
        try {
            return jobRepository.getStepExecutionCount(stepExecution.getJobExecution().getJobInstance(),
                    stepExecution.getStepName()) == 1; // this one
        }
        catch (Exception ex) {
            return false;
        }
    }
}
