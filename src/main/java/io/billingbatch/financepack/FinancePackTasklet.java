package io.billingbatch.financepack;

import java.nio.file.Path;
import java.util.List;

import io.billingbatch.batch.PeriodJobParameters;
import io.billingbatch.report.FinancePack;
import io.billingbatch.report.ReportStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

/**
 * Stores the month's pack atomically through the report store; a restart writes it anew. A month
 * without reports fails the run (nothing to pack yet), so it can be restarted once they exist.
 */
class FinancePackTasklet implements Tasklet {

    private static final Logger logger = LoggerFactory.getLogger(FinancePackTasklet.class);

    private final FinancePack financePack;

    private final ReportStore reportStore;

    FinancePackTasklet(FinancePack financePack, ReportStore reportStore) {
        this.financePack = financePack;
        this.reportStore = reportStore;
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) throws Exception {
        var jobExecution = chunkContext.getStepContext().getStepExecution().getJobExecution();
        PeriodJobParameters parameters = PeriodJobParameters.from(jobExecution.getJobParameters());
        String month = parameters.period().key();
        List<FinancePack.Entry> entries = financePack.entries(month);
        if (entries.isEmpty()) {
            throw new IllegalStateException("No reports to pack for month " + month + " under "
                    + reportStore.directory(month).getParent());
        }
        if (parameters.dryRun()) {
            logger.info("Dry run: the finance pack of {} would hold {} entries", month, entries.size());
            return RepeatStatus.FINISHED;
        }
        Path pack = reportStore.write(month, FinancePack.fileName(month),
                out -> financePack.write(month, entries, out));
        contribution.incrementWriteCount(entries.size());
        jobExecution.getExecutionContext().putString("reportFiles", pack.toString());
        return RepeatStatus.FINISHED;
    }
}
