package io.billingbatch.costreport;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.billingbatch.batch.PeriodJobParameters;

import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.listener.JobExecutionListener;
import org.springframework.batch.core.listener.ItemReadListener;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.scope.context.StepContext;
import org.springframework.batch.core.scope.context.StepSynchronizationManager;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The {@link CostReportStream}s of the running cost report executions, by job execution id. A
 * stream is started only when the aggregation step begins with no stored line of its job instance
 * (a first run, not a restart that continues an earlier execution's lines), ended with the step,
 * taken by the files step of the same execution and discarded when the job ends in any way.
 */
@Component
class CostReportStreams {

    private static final String ANY_LINE = "SELECT EXISTS (SELECT 1 FROM cost_report_lines WHERE job_instance_id = ?)";

    private final Map<Long, CostReportStream> streams = new ConcurrentHashMap<>();

    private final JdbcTemplate jdbc;

    CostReportStreams(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
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
                if (Boolean.FALSE.equals(jdbc.queryForObject(ANY_LINE, Boolean.class, job.getJobInstanceId()))) {
                    streams.put(job.getId(), CostReportStream.start(PeriodJobParameters.from(job.getJobParameters()).period()));
                }
            }

            @Override
            public ExitStatus afterStep(StepExecution stepExecution) {
                CostReportStream stream = streams.get(stepExecution.getJobExecution().getId());
                if (stream != null) {
                    stream.endInput(stepExecution.getFailureExceptions().isEmpty(), stepExecution.getWriteCount(),
                            stepExecution.getRollbackCount());
                }
                return null;
            }
        };
    }

    interface AggregationListener extends StepExecutionListener, ItemReadListener<CostLine> {
    }

    /** Never leaves a stream behind, whatever the way the job ended. */
    JobExecutionListener jobListener() {
        return new JobExecutionListener() {

            @Override
            public void afterJob(JobExecution jobExecution) {
                discard(jobExecution.getId());
            }
        };
    }
}
