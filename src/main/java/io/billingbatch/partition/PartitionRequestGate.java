package io.billingbatch.partition;

import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.amqp.support.AmqpHeaders;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.integration.partition.StepExecutionRequest;
import org.springframework.messaging.Message;

/**
 * A worker's check of each request before it runs the partition. A request made for another
 * database or by another version of the code is refused: the worker logs why, the request goes
 * back to the queue for a worker that can run it (never lost), and this worker stops consuming
 * ({@code onRefusal}). A request whose partition is over (its job execution ended, or a rerun
 * abandoned it) is dropped with a log line: running it would write under a run that is no longer
 * there. A redelivered request (its worker stopped before acknowledging it) runs again from the
 * partition's last commit.
 */
class PartitionRequestGate {

    private static final Logger logger = LoggerFactory.getLogger(PartitionRequestGate.class);

    private final PartitionProtocol protocol;

    private final JobRepository jobRepository;

    private final Consumer<String> onRefusal;

    PartitionRequestGate(PartitionProtocol protocol, JobRepository jobRepository, Consumer<String> onRefusal) {
        this.protocol = protocol;
        this.jobRepository = jobRepository;
        this.onRefusal = onRefusal;
    }

    /** The request to run, or null to drop it (acknowledged, nothing run). */
    StepExecutionRequest check(Message<?> message) {
        Object payload = message.getPayload();
        String text = payload instanceof byte[] bytes ? new String(bytes, java.nio.charset.StandardCharsets.UTF_8) : String.valueOf(payload);
        StepExecutionRequest request = PartitionProtocol.decode(text);
        String installation = String.valueOf(message.getHeaders().get(PartitionProtocol.INSTALLATION));
        String codeVersion = String.valueOf(message.getHeaders().get(PartitionProtocol.CODE_VERSION));
        String refusal = null;
        if (!protocol.installation().toString().equals(installation)) {
            refusal = "it was made for database " + installation + ", this worker's database is " + protocol.installation();
        }
        else if (!protocol.codeVersion().equals(codeVersion)) {
            refusal = "it was made by code of " + codeVersion + ", this worker runs code of " + protocol.codeVersion();
        }
        if (refusal != null) {
            String line = "Refusing partition request " + text + ": " + refusal
                    + "; the request goes back to the queue for another worker and this worker stops";
            logger.error(line);
            onRefusal.accept(line);
            throw new PartitionRequestRefusedException(line);
        }
        StepExecution partition = jobRepository.getStepExecution(request.getStepExecutionId());
        if (partition == null || !partition.getJobExecution().isRunning()
                || !(partition.getStatus() == BatchStatus.STARTING || partition.getStatus() == BatchStatus.STARTED)) {
            logger.warn("Dropping partition request {}: {}", text, partition == null ? "no such step execution"
                    : "the partition is " + partition.getStatus() + " and its job execution "
                            + partition.getJobExecution().getStatus());
            return null;
        }
        if (Boolean.TRUE.equals(message.getHeaders().get(AmqpHeaders.REDELIVERED))) {
            logger.warn("{} (execution {}) was delivered before and not acknowledged (its worker stopped); it runs again"
                    + " from its last commit", request.getStepName(), request.getStepExecutionId());
        }
        logger.info("Running {} (step execution {}, {})", partition.getStepName(), partition.getId(),
                AccountRange.of(partition));
        return request;
    }

    /** Thrown back to the listener container, which returns the request to the queue. */
    static class PartitionRequestRefusedException extends RuntimeException {

        PartitionRequestRefusedException(String message) {
            super(message);
        }

        /** The gate logged why; the listener container's log of it needs no frames. */
        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }
}
