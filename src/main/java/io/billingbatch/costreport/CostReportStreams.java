package io.billingbatch.costreport;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.billingbatch.batch.PeriodJobParameters;
import io.billingbatch.report.ReportStore;

import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.listener.ItemReadListener;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.scope.context.StepContext;
import org.springframework.batch.core.scope.context.StepSynchronizationManager;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.dao.EmptyResultDataAccessException;
import org.springframework.stereotype.Component;

/**
 * The {@link CostReportStream}s of the running cost report executions, by job execution id. A
 * stream is started only when the aggregation step runs for the first time in its job instance
 * (so no earlier execution stored lines of the instance: not a restart), ended with the step,
 * taken by the files step of the same execution; one its execution never took (stopped or failed
 * after the aggregation step) is discarded when the next cost report starts.
 */
@Component
class CostReportStreams {

    private final Map<Long, CostReportStream> streams = new ConcurrentHashMap<>();

    private final JobRepository jobRepository;

    private final ReportStore store;

    CostReportStreams(JobRepository jobRepository, ReportStore store) {
        this.jobRepository = jobRepository;
        this.store = store;
    }

    /** The stream the aggregation step of this execution feeds, if any. */
    CostReportStream get(long jobExecutionId) {
        return streams.get(jobExecutionId);
    }

    /** The stream for the files step, which owns it from now on; null if there is none. */
    CostReportStream take(long jobExecutionId) {
        return streams.remove(jobExecutionId);
    }

    private void discard(long jobExecutionId) {
        CostReportStream stream = streams.remove(jobExecutionId);
        if (stream != null) {
            stream.discard();
        }
    }

    /** Starts and ends the stream with the aggregation step, and tells it when the step's query has answered. */
    AggregationListener aggregationListener() {
        return new AggregationListener() {

            @Override
            public void afterRead(CostLine line) {
                StepContext context = StepSynchronizationManager.getContext();
                CostReportStream stream = context == null ? null : streams.get(context.getStepExecution().getJobExecutionId());
                if (stream != null) {
                    stream.begin();
                }
            }

            @Override
            public void beforeStep(StepExecution stepExecution) {
                JobExecution job = stepExecution.getJobExecution();
                discard(job.getId());
                discardAbandoned();
                PeriodJobParameters parameters = PeriodJobParameters.from(job.getJobParameters());
                // a provisional run's files have their own layout and come from its lines
                if (!parameters.provisional() && isFirstExecution(stepExecution)) {
                    streams.put(job.getId(), CostReportStream.start(parameters.period(), store));
                }
            }

            @Override
            public ExitStatus afterStep(StepExecution stepExecution) {
                CostReportStream stream = streams.get(stepExecution.getJobExecution().getId());
                if (stream != null) {
                    boolean completed = stepExecution.getFailureExceptions().isEmpty() && !stepExecution.isTerminateOnly();
                    stream.endInput(completed, stepExecution.getWriteCount(), stepExecution.getRollbackCount());
                    if (!completed) {
                        discard(stepExecution.getJobExecution().getId()); // the job ends here: no files step
                    }
                }
                return null;
            }
        };
    }

    /**
     * Discards the streams of executions that ended before their files step took them (stopped or
     * failed after the aggregation step), so their temp files do not outlive the next run.
     */
    private void discardAbandoned() {
        for (Long id : List.copyOf(streams.keySet())) {
            JobExecution execution;
            try {
                execution = jobRepository.getJobExecution(id);
            }
            catch (EmptyResultDataAccessException ex) {
                execution = null; // the JDBC repository of Batch 6 throws where the interface promises null
            }
            if (execution == null || !execution.isRunning()) {
                discard(id);
            }
        }
    }

    /**
     * Whether this is the step's first execution in its job instance: only then can the instance
     * have no stored lines from an earlier execution (the step alone writes them, under the instance).
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

    interface AggregationListener extends StepExecutionListener, ItemReadListener<CostLine> {
    }
}
