/**
 * Partitions of the heavy steps of {@code cost-report}, {@code reconciliation} and
 * {@code auto-topup} ({@code billing.partitions.*}). The unit is a range of account ids
 * ({@link io.billingbatch.partition.AccountRangePartitioner}): every per-account figure of these
 * jobs (a chain of postings, a cost group, a top-up) lies inside one account, so ranges need no
 * hand-off between partitions, whereas days would (a chain runs across days). Local mode runs the
 * partitions on a bounded pool of this process; amqp mode sends one request per partition to a
 * durable RabbitMQ queue with Spring Batch Integration and learns the outcome from the shared job
 * repository, while {@code worker} processes ({@link io.billingbatch.partition.WorkerCommand}) run
 * them. Partitions write table rows only; each job's files come from its tables in a final step,
 * in one deterministic order, so they are byte-identical whatever the layout.
 */
package io.billingbatch.partition;
