package io.billingbatch.seals;

import io.billingbatch.batch.PeriodJobParameters;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.interceptor.DefaultTransactionAttribute;
import org.springframework.transaction.interceptor.TransactionAttribute;

@Configuration(proxyBeanMethods = false)
public class VerifySealsJobConfiguration {

    public static final String JOB_NAME = "verify-seals";

    private static final Logger logger = LoggerFactory.getLogger(VerifySealsJobConfiguration.class);

    @Bean
    Job verifySealsJob(JobRepository jobRepository, Step sealCheckStep, Step sealPublishStep, Step sealFilesStep) {
        return new JobBuilder(JOB_NAME, jobRepository)
                .validator(PeriodJobParameters.validator())
                .start(sealCheckStep)
                .next(sealPublishStep)
                .next(sealFilesStep)
                .build();
    }

    /**
     * One transaction: the ledger pass, the comparison and the run's results, so a failure leaves
     * nothing behind and a restart checks again from the start. Repeatable read gives its statements
     * one snapshot: a reconciliation re-run that publishes meanwhile (and replaces its seals) is wholly
     * in the check or not at all, never its range without its seals.
     */
    @Bean
    Step sealCheckStep(JobRepository jobRepository, PlatformTransactionManager transactionManager,
            JdbcSealVerifications verifications) {
        return new StepBuilder("sealCheckStep", jobRepository)
                .tasklet((contribution, chunkContext) -> {
                    JobExecution jobExecution = chunkContext.getStepContext().getStepExecution().getJobExecution();
                    PeriodJobParameters parameters = PeriodJobParameters.from(jobExecution.getJobParameters());
                    JdbcSealVerifications.Summary summary = verifications.check(jobExecution.getJobInstanceId(),
                            parameters.period().end());
                    if (summary.rangesChecked() == 0) {
                        logger.info("verify-seals {}: no reconciliation run sealed a range ending by {}: nothing to check",
                                parameters.period().key(), parameters.period().end());
                    }
                    contribution.incrementWriteCount(summary.findings());
                    return RepeatStatus.FINISHED;
                }, transactionManager)
                .transactionAttribute(oneSnapshot())
                .build();
    }

    private static TransactionAttribute oneSnapshot() {
        DefaultTransactionAttribute attribute = new DefaultTransactionAttribute();
        attribute.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
        return attribute;
    }

    @Bean
    Step sealPublishStep(JobRepository jobRepository, PlatformTransactionManager transactionManager,
            JdbcSealVerifications verifications) {
        return new StepBuilder("sealPublishStep", jobRepository)
                .tasklet((contribution, chunkContext) -> {
                    JobExecution jobExecution = chunkContext.getStepContext().getStepExecution().getJobExecution();
                    verifications.publish(PeriodJobParameters.from(jobExecution.getJobParameters()),
                            jobExecution.getJobInstanceId(), jobExecution.getId());
                    return RepeatStatus.FINISHED;
                }, transactionManager)
                .build();
    }

    @Bean
    Step sealFilesStep(JobRepository jobRepository, PlatformTransactionManager transactionManager, VerifySealsFiles files) {
        return new StepBuilder("sealFilesStep", jobRepository)
                .tasklet((contribution, chunkContext) -> {
                    JobExecution jobExecution = chunkContext.getStepContext().getStepExecution().getJobExecution();
                    files.write(PeriodJobParameters.from(jobExecution.getJobParameters()).period());
                    return RepeatStatus.FINISHED;
                }, transactionManager)
                .build();
    }
}
