package io.billingbatch.costreport;

import java.nio.file.Path;
import java.util.List;

import io.billingbatch.batch.PeriodJobParameters;
import io.billingbatch.report.StreamedReportWriter;

import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

/**
 * Writes the period's CSV, XLSX and manifest: from what the aggregation step of this execution
 * streamed ({@link StreamedReportWriter}) when that is whole, else from the published lines (a
 * restart always writes them anew), with a month's day totals as the aggregation step read them
 * ({@link CostLineItemReader}); then removes the period's provisional files, which the final
 * report supersedes. A provisional
 * run writes its own {@code -provisional} files from its own lines instead.
 */
class CostReportFilesTasklet implements Tasklet {

    private static final String AGGREGATION_STEP = "costAggregationStep";

    private final CostReportFiles files;

    private final StreamedReportWriter<CostLine> streamWriter;

    private final JobRepository jobRepository;

    CostReportFilesTasklet(CostReportFiles files, StreamedReportWriter<CostLine> streamWriter, JobRepository jobRepository) {
        this.files = files;
        this.streamWriter = streamWriter;
        this.jobRepository = jobRepository;
    }

    /** The aggregation step that stored the run's lines: of this execution, or of the one a restart goes on from. */
    private StepExecution aggregation(JobExecution jobExecution) {
        for (StepExecution step : jobExecution.getStepExecutions()) {
            if (step.getStepName().equals(AGGREGATION_STEP)) {
                return step;
            }
        }
        return jobRepository.getLastStepExecution(jobExecution.getJobInstance(), AGGREGATION_STEP);
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) throws Exception {
        var jobExecution = chunkContext.getStepContext().getStepExecution().getJobExecution();
        PeriodJobParameters parameters = PeriodJobParameters.from(jobExecution.getJobParameters());
        List<Path> written;
        if (parameters.provisional()) {
            written = files.writeProvisional(parameters, jobExecution.getJobInstanceId(), jobExecution.getId(),
                    jobExecution.getStartTime() == null ? java.time.Instant.EPOCH
                            : jobExecution.getStartTime().atZone(java.time.ZoneId.systemDefault()).toInstant());
        }
        else {
            written = files.write(parameters.period(), streamWriter.take(), CostLineItemReader.days(aggregation(jobExecution)));
            files.removeProvisional(parameters.period());
        }
        jobExecution.getExecutionContext().putString("reportFiles", String.join(",", written.stream().map(Object::toString).toList()));
        return RepeatStatus.FINISHED;
    }
}
