package io.billingbatch.costreport;

import io.billingbatch.batch.PeriodJobParameters;

import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

/**
 * Publishes the run's lines as the period's result, replacing an earlier run's in the step's
 * transaction. A provisional run is never published.
 */
class CostReportPublishTasklet implements Tasklet {

    private final CostReportRepository costReports;

    CostReportPublishTasklet(CostReportRepository costReports) {
        this.costReports = costReports;
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) {
        var jobExecution = chunkContext.getStepContext().getStepExecution().getJobExecution();
        PeriodJobParameters parameters = PeriodJobParameters.from(jobExecution.getJobParameters());
        if (parameters.provisional()) {
            return RepeatStatus.FINISHED; // month to date: never the period's result
        }
        costReports.publish(parameters, jobExecution.getJobInstanceId(), jobExecution.getId());
        return RepeatStatus.FINISHED;
    }
}
