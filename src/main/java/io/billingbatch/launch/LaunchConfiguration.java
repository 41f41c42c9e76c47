package io.billingbatch.launch;

import java.time.Clock;

import javax.sql.DataSource;

import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.job.AbstractJob;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInterruptedException;
import org.springframework.batch.core.listener.JobExecutionListener;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.step.AbstractStep;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.core.step.StepInterruptionPolicy;
import org.springframework.batch.core.step.ThreadStepInterruptionPolicy;
import org.springframework.batch.core.step.item.ChunkOrientedStep;
import org.springframework.batch.core.step.tasklet.TaskletStep;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class LaunchConfiguration {

    @Bean
    @ConditionalOnMissingBean
    Clock clock() {
        return Clock.systemUTC();
    }

    /**
     * Every job and step checks its run (see {@link RunHeartbeats}): a job binds its run's heartbeat
     * and tags its connections as it starts; a step does not start, and a chunk step goes no further
     * than its current chunk, once the run was asked to stop or lost its lock. The checks run on the
     * job's own thread, so the outcome it writes is the only one. Then a background launch learns its
     * execution from every job, including jobs of other packages (after the heartbeat is bound, so a
     * stop sent as soon as the launch answers finds the run). The heartbeats are looked up when a job
     * runs, not now, so that this post-processor creates no bean early (the data source among them).
     */
    @Bean
    static BeanPostProcessor runListenersRegistrar(ObjectProvider<RunHeartbeats> heartbeats) {
        return new BeanPostProcessor() {

            @Override
            public Object postProcessAfterInitialization(Object bean, String beanName) {
                if (bean instanceof AbstractJob job) {
                    job.registerJobExecutionListener(new JobExecutionListener() {

                        @Override
                        public void beforeJob(JobExecution jobExecution) {
                            heartbeats.getObject().jobStarted(jobExecution);
                        }

                        @Override
                        public void afterJob(JobExecution jobExecution) {
                            heartbeats.getObject().jobEnded(jobExecution);
                        }
                    });
                    job.registerJobExecutionListener(BackgroundJobLauncher.STARTED);
                }
                if (bean instanceof AbstractStep step) {
                    step.registerStepExecutionListener(new StepExecutionListener() {

                        @Override
                        public void beforeStep(StepExecution stepExecution) {
                            heartbeats.getObject().checkBeforeStep(stepExecution);
                        }

                        @Override
                        public ExitStatus afterStep(StepExecution stepExecution) {
                            return heartbeats.getObject().stepEnded(stepExecution);
                        }
                    });
                    StepInterruptionPolicy policy = new RunInterruptionPolicy(heartbeats);
                    if (step instanceof ChunkOrientedStep<?, ?> chunkStep) {
                        chunkStep.setInterruptionPolicy(policy);
                    }
                    else if (step instanceof TaskletStep taskletStep) {
                        taskletStep.setInterruptionPolicy(policy);
                    }
                }
                return bean;
            }
        };
    }

    /** Names each connection after the job run that takes it (see {@link JobConnectionTags}). */
    @Bean
    static BeanPostProcessor jobConnectionTagging() {
        return new BeanPostProcessor() {

            @Override
            public Object postProcessAfterInitialization(Object bean, String beanName) {
                if (bean instanceof DataSource dataSource && !(bean instanceof JobConnectionTags)) {
                    return new JobConnectionTags(dataSource);
                }
                return bean;
            }
        };
    }

    /**
     * Checked at every chunk boundary and before a tasklet's transaction: the thread's interrupt
     * flag (Spring Batch's own policy) and the run's stop reason. It marks the step execution
     * terminate-only as it refuses, which makes the step end STOPPED: a chunk step whose policy
     * refuses without that mark would end COMPLETED with the items it had not read yet missing.
     */
    private static final class RunInterruptionPolicy implements StepInterruptionPolicy {

        private final StepInterruptionPolicy thread = new ThreadStepInterruptionPolicy();

        private final ObjectProvider<RunHeartbeats> heartbeats;

        private RunInterruptionPolicy(ObjectProvider<RunHeartbeats> heartbeats) {
            this.heartbeats = heartbeats;
        }

        @Override
        public void checkInterrupted(StepExecution stepExecution) throws JobInterruptedException {
            String reason = heartbeats.getObject().stopReason(stepExecution.getJobExecutionId());
            if (reason != null) {
                stepExecution.setTerminateOnly();
                throw new JobInterruptedException(reason);
            }
            try {
                thread.checkInterrupted(stepExecution);
            }
            catch (JobInterruptedException ex) {
                stepExecution.setTerminateOnly();
                throw ex;
            }
        }
    }
}
