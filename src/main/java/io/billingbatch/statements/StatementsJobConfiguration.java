package io.billingbatch.statements;

import io.billingbatch.batch.PeriodJobParameters;
import io.billingbatch.ledger.LedgerAmountBound;
import io.billingbatch.report.ReportStore;

import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.job.parameters.InvalidJobParametersException;
import org.springframework.batch.core.job.parameters.JobParametersValidator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.PlatformTransactionManager;

@Configuration(proxyBeanMethods = false)
public class StatementsJobConfiguration {

    public static final String JOB_NAME = "statements";

    @Bean
    Job statementsJob(JobRepository jobRepository, Step statementsStep) {
        return new JobBuilder(JOB_NAME, jobRepository)
                .validator(monthValidator())
                .start(statementsStep)
                .build();
    }

    @Bean
    Step statementsStep(JobRepository jobRepository, PlatformTransactionManager transactionManager,
            JdbcStatements statements, StatementFiles files, ReportStore store, LedgerAmountBound amountBound) {
        return new StepBuilder("statementsStep", jobRepository)
                .tasklet(new StatementsTasklet(statements, files, store, amountBound), transactionManager)
                .build();
    }

    /** The period job parameters, and the period must be a month: a statement is monthly. */
    static JobParametersValidator monthValidator() {
        JobParametersValidator periodValidator = PeriodJobParameters.validator();
        return parameters -> {
            periodValidator.validate(parameters);
            if (!PeriodJobParameters.from(parameters).period().isMonth()) {
                throw new InvalidJobParametersException("statements are made for a month like 2026-10, not the day '"
                        + parameters.getString(PeriodJobParameters.PERIOD) + "'");
            }
        };
    }
}
