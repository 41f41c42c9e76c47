package io.billingbatch.partition;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code billing.partitions.*}: how the heavy step of cost-report, reconciliation and auto-topup is
 * split and where its partitions run.
 *
 * @param mode {@code local} (the partitions on a thread pool of this process; no broker) or
 *        {@code amqp} (one request per partition on a durable RabbitMQ queue, run by {@code worker}
 *        processes against the same database; the broker through {@code spring.rabbitmq.*})
 * @param gridSize how many account ranges; 1 (the default) with {@code local} runs the step as it
 *        always ran, unpartitioned
 * @param threads local mode: partitions run at once (default: the grid size, at most the cores)
 * @param queue amqp: the durable queue of partition requests
 * @param timeout amqp: how long the manager waits for its partitions (0: for ever); then the step
 *        fails naming the unfinished partitions, and the same launch runs only those again
 * @param pollInterval amqp: how often the manager reads the partitions' outcome from the job repository
 * @param workerConcurrency worker: partitions one worker process runs at once
 */
@ConfigurationProperties("billing.partitions")
public record PartitionSettings(@DefaultValue("local") Mode mode, @DefaultValue("1") int gridSize,
        @DefaultValue("0") int threads, @DefaultValue("billing-batch.partitions") String queue,
        @DefaultValue("0s") Duration timeout, @DefaultValue("1s") Duration pollInterval,
        @DefaultValue("1") int workerConcurrency) {

    public enum Mode {
        LOCAL, AMQP
    }

    public PartitionSettings {
        if (gridSize < 1) {
            throw new IllegalArgumentException("billing.partitions.grid-size must be at least 1, was " + gridSize);
        }
        if (workerConcurrency < 1) {
            throw new IllegalArgumentException("billing.partitions.worker-concurrency must be at least 1, was " + workerConcurrency);
        }
    }

    /** Whether the heavy steps run as they always did: one step, no partitions. */
    public boolean unpartitioned() {
        return mode == Mode.LOCAL && gridSize == 1;
    }

    int localThreads() {
        return threads > 0 ? threads : Math.max(1, Math.min(gridSize, Runtime.getRuntime().availableProcessors()));
    }
}
