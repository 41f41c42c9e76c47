package io.billingbatch.partition;

import java.util.List;
import java.util.Set;

import io.billingbatch.launch.Command;
import io.billingbatch.launch.CommandContext;
import io.billingbatch.launch.CommandLine;
import io.billingbatch.launch.Invocation;

/**
 * {@code worker}: runs the partitions that managers (a CLI launch or {@code serve} with
 * {@code billing.partitions.mode=amqp}) send to the queue, against the shared database, until it
 * is stopped (exit 0) or refuses a request made for another database or code version (exit 1).
 */
public class WorkerCommand implements Command<Void> {

    @Override
    public String name() {
        return "worker";
    }

    @Override
    public Set<String> options() {
        return Set.of();
    }

    @Override
    public String usage() {
        return "worker         runs partitions sent over RabbitMQ by managers in amqp mode [--billing.partitions.worker-concurrency=1]";
    }

    @Override
    public Void check(Invocation invocation) {
        return null;
    }

    @Override
    public int run(Void arguments, CommandContext context) throws Exception {
        PartitionWorker worker = context.bean(PartitionWorker.class);
        Runtime.getRuntime().addShutdownHook(new Thread(worker::stop, "partition-worker-shutdown"));
        worker.start();
        context.out().println("billing-batch worker: consuming partition requests; Ctrl-C stops it");
        String refusal = worker.awaitEnd();
        if (refusal != null) {
            System.err.println("billing-batch: worker stopped: " + refusal);
            return CommandLine.FAILED;
        }
        return CommandLine.OK;
    }

    @Override
    public List<String> configuration(List<String> given) {
        return List.of("--billing.partitions.worker=true");
    }
}
