package io.billingbatch.ledger;

import io.billingbatch.batch.PeriodJobParameters;
import io.billingbatch.launch.PeriodJobLauncher;

import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.launch.JobOperator;

/**
 * Runs a job for a period that includes now, as a new revision. Every launcher refuses a report
 * period that has not ended; the jobs themselves still judge such a period (the reconciliation
 * checks stored balances and stuck rows as of now), which is what the tests using this look at.
 */
public final class RunningPeriods {

    private RunningPeriods() {
    }

    public static JobExecution startDirectly(JobOperator jobOperator, PeriodJobLauncher launcher, Job job, ReportPeriod period)
            throws Exception {
        PeriodJobParameters parameters = new PeriodJobParameters(period, 1);
        long revision = launcher.latest(job.getName(), parameters).map(latest -> latest.revision() + 1).orElse(1L);
        return jobOperator.start(job, parameters.withRevision(revision).toJobParameters());
    }
}
