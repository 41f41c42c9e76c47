package io.billingbatch.costreport;

import io.billingbatch.batch.PeriodJobParameters;

import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

/**
 * Publishes the run's lines as the period's result, replacing an earlier run's in the step's
 * transaction, once the run's totals by type are known to fit a long (else the step fails with the
 * type and the sum, and the period keeps its earlier result and files). A provisional run is never
 * published.
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
        // Every total the period's reports and page show must fit a long: a run whose sums do not is refused here,
        // with the reason, before it replaces the period's result (its files could never be written after it).
        try {
            costReports.totalsOfRun(jobExecution.getJobInstanceId());
        }
        catch (ArithmeticException ex) {
            throw new ArithmeticException("cost report " + parameters.period().key() + " (" + parameters.period().zone().getId()
                    + ") revision " + parameters.revision() + " is not published: " + ex.getMessage());
        }
        costReports.publish(parameters, jobExecution.getJobInstanceId(), jobExecution.getId());
        return RepeatStatus.FINISHED;
    }
}
