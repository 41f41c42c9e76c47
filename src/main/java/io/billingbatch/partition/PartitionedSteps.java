package io.billingbatch.partition;

import java.util.function.Supplier;

import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.partition.PartitionHandler;
import org.springframework.batch.core.partition.support.RemoteStepExecutionAggregator;
import org.springframework.batch.core.partition.support.TaskExecutorPartitionHandler;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.builder.PartitionStepBuilder;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.task.TaskExecutor;

/**
 * Makes a job's heavy step a partitioned one ({@code billing.partitions.*}). The job declares its
 * worker step as a bean whose name is the step's name (a {@code worker} process finds it by that
 * name) and asks for its heavy step here: unpartitioned (local, grid 1) it gets its plain step, as
 * before; otherwise a manager step of the same name that splits the accounts into ranges
 * ({@link AccountRangePartitioner}) and runs the worker step once per range, on this process's
 * bounded pool (local) or on workers over RabbitMQ (amqp). The manager's listeners run once, before
 * the split.
 */
public class PartitionedSteps {

    /**
     * Put into the manager step's execution context by one of its listeners before the split: every
     * partition runs again from the start of its range, those that completed too (their results
     * were cleared).
     */
    public static final String START_OVER = AccountRangeSplitter.START_OVER;

    private final PartitionSettings settings;

    private final JobRepository jobRepository;

    private final AccountRangePartitioner partitioner;

    private final TaskExecutor localPool;

    private final ObjectProvider<AmqpPartitionRequests> amqp;

    PartitionedSteps(PartitionSettings settings, JobRepository jobRepository, AccountRangePartitioner partitioner,
            TaskExecutor localPool, ObjectProvider<AmqpPartitionRequests> amqp) {
        this.settings = settings;
        this.jobRepository = jobRepository;
        this.partitioner = partitioner;
        this.localPool = localPool;
        this.amqp = amqp;
    }

    /**
     * The progress listener of a step that may run as partitions: the log lines of
     * {@link io.billingbatch.batch.ProgressListener}, kept apart per step execution.
     */
    public static io.billingbatch.batch.ProgressListener progressListener() {
        return new ConcurrentProgressListener();
    }

    public PartitionSettings settings() {
        return settings;
    }

    /**
     * The heavy step named {@code name}: {@code plain} when unpartitioned, else a manager of
     * {@code worker} (a step bean named as the step).
     */
    public Step step(String name, Supplier<Step> plain, Step worker, StepExecutionListener... managerListeners) {
        if (settings.unpartitioned()) {
            return plain.get();
        }
        PartitionStepBuilder builder = new PartitionStepBuilder(new StepBuilder(name, jobRepository))
                .splitter(new AccountRangeSplitter(jobRepository, worker.getName(), partitioner))
                .gridSize(settings.gridSize());
        for (StepExecutionListener listener : managerListeners) {
            builder.listener(listener);
        }
        PartitionHandler handler;
        if (settings.mode() == PartitionSettings.Mode.AMQP) {
            handler = amqp.getObject().handler(worker.getName(), settings.gridSize());
            builder.aggregator(new RemoteStepExecutionAggregator(jobRepository));
        }
        else {
            TaskExecutorPartitionHandler local = new TaskExecutorPartitionHandler();
            local.setStep(worker);
            local.setTaskExecutor(localPool);
            local.setGridSize(settings.gridSize());
            handler = local;
        }
        return builder.partitionHandler(handler).build();
    }
}
