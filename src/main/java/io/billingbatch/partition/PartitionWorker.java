package io.billingbatch.partition;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.amqp.core.AcknowledgeMode;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.integration.partition.BeanFactoryStepLocator;
import org.springframework.batch.integration.partition.StepExecutionRequest;
import org.springframework.batch.integration.partition.StepExecutionRequestHandler;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.integration.amqp.inbound.AmqpInboundChannelAdapter;
import org.springframework.integration.channel.DirectChannel;

/**
 * A {@code worker} process: consumes partition requests from the durable queue (spring-integration-amqp's
 * inbound adapter), checks each ({@link PartitionRequestGate}) and runs its partition with Spring Batch
 * Integration's {@link StepExecutionRequestHandler}, which finds the worker step by its bean name and
 * records the outcome in the shared job repository. The request is acknowledged when the handler
 * returns, that is after the partition's outcome is committed; a worker that dies before that leaves
 * the request unacknowledged, and the broker delivers it to another worker.
 */
public class PartitionWorker implements DisposableBean {

    private static final Logger logger = LoggerFactory.getLogger(PartitionWorker.class);

    private final SimpleMessageListenerContainer container;

    private final AmqpInboundChannelAdapter adapter;

    private final CountDownLatch ended = new CountDownLatch(1);

    private final AtomicReference<String> refusal = new AtomicReference<>();

    private final PartitionSettings settings;

    private final AmqpAdmin admin;

    PartitionWorker(ConnectionFactory connectionFactory, AmqpAdmin admin, JobRepository jobRepository,
            PartitionProtocol protocol, PartitionSettings settings, BeanFactory beanFactory) {
        this.settings = settings;
        this.admin = admin;
        PartitionRequestGate gate = new PartitionRequestGate(protocol, jobRepository, this::refused);
        BeanFactoryStepLocator steps = new BeanFactoryStepLocator();
        steps.setBeanFactory(beanFactory);
        StepExecutionRequestHandler handler = new StepExecutionRequestHandler();
        handler.setJobRepository(jobRepository);
        handler.setStepLocator(steps);
        DirectChannel requests = new DirectChannel();
        requests.subscribe(message -> {
            StepExecutionRequest request = gate.check(message);
            if (request != null) {
                StepExecution outcome = handler.handle(request);
                logger.info("{} (step execution {}) ended {}: {} read, {} written", outcome.getStepName(), outcome.getId(),
                        outcome.getStatus(), outcome.getReadCount(), outcome.getWriteCount());
            }
        });
        container = new SimpleMessageListenerContainer(connectionFactory);
        container.setQueueNames(settings.queue());
        container.setAcknowledgeMode(AcknowledgeMode.AUTO); // acked when the listener returns: after the outcome committed
        container.setPrefetchCount(1); // a request waits in the queue, not in a busy worker's buffer
        container.setConcurrentConsumers(settings.workerConcurrency());
        container.setDefaultRequeueRejected(true);
        container.setAutoStartup(false);
        adapter = new AmqpInboundChannelAdapter(container);
        adapter.setOutputChannel(requests);
        adapter.setBeanFactory(beanFactory);
        adapter.setAutoStartup(false);
        adapter.afterPropertiesSet();
    }

    /** Starts consuming; the broker must answer. */
    public void start() {
        admin.declareQueue(new Queue(settings.queue(), true));
        adapter.start();
        logger.info("Worker consuming partition requests from queue {} ({} at a time)", settings.queue(),
                settings.workerConcurrency());
    }

    /** Blocks until the worker stops; the reason when it refused a request, else null. */
    public String awaitEnd() throws InterruptedException {
        ended.await();
        return refusal.get();
    }

    private void refused(String line) {
        if (refusal.compareAndSet(null, line)) {
            Thread stopper = new Thread(this::stop, "partition-worker-stop");
            stopper.start();
        }
    }

    public void stop() {
        try {
            adapter.stop();
            container.stop();
        }
        finally {
            ended.countDown();
        }
    }

    @Override
    public void destroy() {
        stop();
    }
}
