package io.billingbatch.costreport;

import java.nio.file.Path;
import java.util.List;

import io.billingbatch.batch.PeriodJobParameters;
import io.billingbatch.report.StreamedReportWriter;

import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

/**
 * Writes the period's CSV, XLSX and manifest: from what the aggregation step of this execution
 * streamed ({@link StreamedReportWriter}) when that is whole, else from the published lines (a
 * restart always writes them anew); then removes the period's provisional files, which the final
 * report supersedes. A provisional
 * run writes its own {@code -provisional} files from its own lines instead.
 */
class CostReportFilesTasklet implements Tasklet {

    private final CostReportFiles files;

    private final StreamedReportWriter<CostLine> streamWriter;

    CostReportFilesTasklet(CostReportFiles files, StreamedReportWriter<CostLine> streamWriter) {
        this.files = files;
        this.streamWriter = streamWriter;
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
            written = files.write(parameters.period(), streamWriter.take());
            files.removeProvisional(parameters.period());
        }
        jobExecution.getExecutionContext().putString("reportFiles", String.join(",", written.stream().map(Object::toString).toList()));
        return RepeatStatus.FINISHED;
    }
}
