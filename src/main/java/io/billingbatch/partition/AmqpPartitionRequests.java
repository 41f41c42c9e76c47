package io.billingbatch.partition;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeoutException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.core.MessageBuilder;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.partition.PartitionHandler;
import org.springframework.batch.core.partition.StepExecutionSplitter;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.integration.partition.MessageChannelPartitionHandler;
import org.springframework.batch.integration.partition.StepExecutionRequest;
import org.springframework.integration.channel.DirectChannel;
import org.springframework.integration.core.MessagingTemplate;
import org.springframework.messaging.Message;

/**
 * The manager's side of amqp mode: Spring Batch Integration's {@link MessageChannelPartitionHandler}
 * sends one {@link StepExecutionRequest} per partition to a channel whose subscriber publishes it,
 * persistent, to the durable queue; the handler then polls the job repository for the partitions'
 * outcome. Before the split it declares the queue, so a broker that does not answer fails the step
 * with a one-line reason before any partition exists or any request is sent; a wait that passes
 * {@code billing.partitions.timeout} fails it naming the partitions that did not finish.
 */
public class AmqpPartitionRequests {

    private static final Logger logger = LoggerFactory.getLogger(AmqpPartitionRequests.class);

    private final RabbitTemplate rabbit;

    private final AmqpAdmin admin;

    private final PartitionProtocol protocol;

    private final JobRepository jobRepository;

    private final PartitionSettings settings;

    private final DirectChannel requests = new DirectChannel();

    AmqpPartitionRequests(RabbitTemplate rabbit, AmqpAdmin admin, PartitionProtocol protocol, JobRepository jobRepository,
            PartitionSettings settings) {
        this.rabbit = rabbit;
        this.admin = admin;
        this.protocol = protocol;
        this.jobRepository = jobRepository;
        this.settings = settings;
        requests.subscribe(this::publish);
    }

    private void publish(Message<?> message) {
        StepExecutionRequest request = (StepExecutionRequest) message.getPayload();
        org.springframework.amqp.core.Message amqp = MessageBuilder
                .withBody(PartitionProtocol.encode(request).getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .setContentType("text/plain").setContentEncoding("UTF-8")
                .setDeliveryMode(MessageDeliveryMode.PERSISTENT)
                .setHeader(PartitionProtocol.INSTALLATION, protocol.installation().toString())
                .setHeader(PartitionProtocol.CODE_VERSION, protocol.codeVersion())
                .build();
        rabbit.send("", settings.queue(), amqp);
        logger.debug("sent {}", request);
    }

    /** Declares the durable queue (idempotent); throws with a one-line reason when the broker does not answer. */
    void declareQueue() {
        try {
            admin.declareQueue(new Queue(settings.queue(), true));
        }
        catch (RuntimeException ex) {
            String broker = rabbit.getConnectionFactory() instanceof CachingConnectionFactory cached
                    ? cached.getHost() + ":" + cached.getPort() : "the broker";
            Throwable cause = ex;
            while (cause.getCause() != null) {
                cause = cause.getCause();
            }
            throw new BrokerUnavailableException("billing.partitions.mode=amqp: RabbitMQ at " + broker + " does not answer ("
                    + cause.getMessage() + "); no partition was created and no request was sent");
        }
    }

    PartitionHandler handler(String workerStepName, int gridSize) {
        MessageChannelPartitionHandler handler = new MessageChannelPartitionHandler();
        handler.setStepName(workerStepName);
        handler.setGridSize(gridSize);
        MessagingTemplate template = new MessagingTemplate();
        template.setDefaultChannel(requests);
        handler.setMessagingOperations(template);
        handler.setJobRepository(jobRepository);
        handler.setPollInterval(settings.pollInterval().toMillis());
        handler.setTimeout(settings.timeout().isZero() ? -1 : settings.timeout().toMillis());
        try {
            handler.afterPropertiesSet();
        }
        catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
        return new Handler(handler, workerStepName);
    }

    /** Checks the broker before the split and names the unfinished partitions when the wait ends. */
    private final class Handler implements PartitionHandler {

        private final MessageChannelPartitionHandler delegate;

        private final String workerStepName;

        Handler(MessageChannelPartitionHandler delegate, String workerStepName) {
            this.delegate = delegate;
            this.workerStepName = workerStepName;
        }

        @Override
        public java.util.Collection<StepExecution> handle(StepExecutionSplitter splitter, StepExecution managerStepExecution)
                throws Exception {
            declareQueue();
            try {
                return delegate.handle(splitter, managerStepExecution);
            }
            catch (TimeoutException ex) {
                JobExecution jobExecution = jobRepository.getJobExecution(managerStepExecution.getJobExecutionId());
                List<StepExecution> left = jobExecution.getStepExecutions().stream()
                        .filter(step -> step.getStepName().startsWith(workerStepName + ":"))
                        .filter(step -> step.getStatus().isRunning())
                        .sorted(Comparator.comparing(StepExecution::getStepName)).toList();
                List<String> unfinished = left.stream().map(step -> step.getStepName() + " (" + step.getStatus() + ")").toList();
                for (StepExecution partition : left) {
                    // no longer running as far as the repository knows: the restart runs it again, and a worker
                    // that receives its old request drops it
                    partition.setStatus(org.springframework.batch.core.BatchStatus.FAILED);
                    partition.setExitStatus(org.springframework.batch.core.ExitStatus.FAILED
                            .addExitDescription("the manager stopped waiting for it (billing.partitions.timeout)"));
                    partition.setEndTime(java.time.LocalDateTime.now());
                    try {
                        jobRepository.update(partition);
                    }
                    catch (RuntimeException raced) {
                        logger.warn("{} changed while the manager gave up on it: {}", partition.getStepName(), raced.getMessage());
                    }
                }
                throw new PartitionsUnfinishedException(managerStepExecution.getStepName() + ": " + unfinished.size()
                        + " partition(s) did not finish within billing.partitions.timeout=" + format(settings.timeout())
                        + ": " + String.join(", ", unfinished) + "; run the same launch again to run only those");
            }
        }
    }

    private static String format(Duration duration) {
        return duration.toString().substring(2).toLowerCase();
    }

    /** The manager stopped waiting: the step fails and its restart runs the named partitions only. */
    public static class PartitionsUnfinishedException extends RuntimeException {

        PartitionsUnfinishedException(String message) {
            super(message);
        }

        /** An answer, not a fault: its message says it all, so the log shows one line, not frames. */
        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    /** The broker did not answer before the split: nothing was created or sent. */
    public static class BrokerUnavailableException extends IllegalStateException {

        BrokerUnavailableException(String message) {
            super(message);
        }

        /** An answer, not a fault: its message says it all, so the log shows one line, not frames. */
        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }
}
