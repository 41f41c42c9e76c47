package io.billingbatch.batch;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.batch.core.listener.SkipListener;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Records every item a step skipped as bad input in {@code batch_item_rejects}, with the reason,
 * and logs it: the job keeps going and nothing is lost silently. A restart that skips the same
 * item again does not record it twice.
 */
public class ItemRejectRecorder<T extends RejectableItem> implements SkipListener<T, Object>, StepExecutionListener {

    private static final Logger logger = LoggerFactory.getLogger(ItemRejectRecorder.class);

    private static final String INSERT_REJECT = """
            INSERT INTO batch_item_rejects
                (job_name, job_instance_id, job_execution_id, step_name, item_key, item, reason)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (job_instance_id, step_name, item_key) DO NOTHING
            """;

    private final JdbcTemplate jdbc;

    private StepExecution stepExecution;

    public ItemRejectRecorder(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void beforeStep(StepExecution stepExecution) {
        this.stepExecution = stepExecution;
    }

    @Override
    public void onSkipInProcess(T item, Throwable cause) {
        var jobExecution = stepExecution.getJobExecution();
        logger.warn("{} rejected {}: {}", stepExecution.getStepName(), item.rejectKey(), cause.getMessage());
        jdbc.update(INSERT_REJECT, jobExecution.getJobInstance().getJobName(),
                jobExecution.getJobInstance().getInstanceId(), jobExecution.getId(), stepExecution.getStepName(),
                item.rejectKey(), item.toString(), cause.getMessage());
    }
}
