package io.billingbatch.costreport;

import io.billingbatch.batch.PeriodJobParameters;

import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

/**
 * Writes the period's CSV, XLSX and manifest: from what the aggregation step of this execution
 * streamed when that is whole, else from the published lines (a restart always writes them anew).
 */
class CostReportFilesTasklet implements Tasklet {

    private final CostReportFiles files;

    private final CostReportStreams streams;

    CostReportFilesTasklet(CostReportFiles files, CostReportStreams streams) {
        this.files = files;
        this.streams = streams;
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) throws Exception {
        var jobExecution = chunkContext.getStepContext().getStepExecution().getJobExecution();
        var written = files.write(PeriodJobParameters.from(jobExecution.getJobParameters()).period(),
                streams.take(jobExecution.getId()));
        jobExecution.getExecutionContext().putString("reportFiles", String.join(",", written.stream().map(Object::toString).toList()));
        return RepeatStatus.FINISHED;
    }
}
