package io.billingbatch.financepack;

import io.billingbatch.batch.PeriodJobParameters;
import io.billingbatch.report.FinancePack;
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
public class FinancePackJobConfiguration {

    public static final String JOB_NAME = "finance-pack";

    @Bean
    Job financePackJob(JobRepository jobRepository, Step financePackStep) {
        return new JobBuilder(JOB_NAME, jobRepository)
                .validator(monthValidator())
                .start(financePackStep)
                .build();
    }

    @Bean
    Step financePackStep(JobRepository jobRepository, PlatformTransactionManager transactionManager,
            FinancePack financePack, ReportStore reportStore) {
        return new StepBuilder("financePackStep", jobRepository)
                .tasklet(new FinancePackTasklet(financePack, reportStore), transactionManager)
                .build();
    }

    /** The period job parameters, and the period must be a month: a pack is monthly. */
    static JobParametersValidator monthValidator() {
        JobParametersValidator periodValidator = PeriodJobParameters.validator();
        return parameters -> {
            periodValidator.validate(parameters);
            if (!PeriodJobParameters.from(parameters).period().isMonth()) {
                throw new InvalidJobParametersException("a finance pack is made for a month like 2026-10, not the day '"
                        + parameters.getString(PeriodJobParameters.PERIOD) + "'");
            }
        };
    }
}
