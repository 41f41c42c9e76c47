package io.billingbatch.partition;

import javax.sql.DataSource;

import io.billingbatch.launch.JobConnectionTags;

import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(PartitionSettings.class)
class PartitionConfiguration {

    @Bean
    AccountRangePartitioner accountRangePartitioner(DataSource dataSource) {
        return new AccountRangePartitioner(JdbcClient.create(dataSource));
    }

    @Bean
    PartitionProtocol partitionProtocol(DataSource dataSource,
            @Value("${billing.partitions.code-version:}") String codeVersion) {
        return new PartitionProtocol(JdbcClient.create(dataSource), codeVersion);
    }

    /** Local mode's bounded pool: at most billing.partitions.threads partitions at once, the others queue. */
    @Bean(destroyMethod = "shutdown")
    ThreadPoolTaskExecutor partitionPool(PartitionSettings settings) {
        ThreadPoolTaskExecutor pool = new ThreadPoolTaskExecutor();
        pool.setCorePoolSize(settings.localThreads());
        pool.setMaxPoolSize(settings.localThreads());
        pool.setThreadNamePrefix("partition-");
        // a partition's connections are named after its run, as the run's own (a takeover ends their queries)
        pool.setTaskDecorator(JobConnectionTags::carried);
        pool.setDaemon(true);
        pool.initialize();
        return pool;
    }

    @Bean
    PartitionedSteps partitionedSteps(PartitionSettings settings, JobRepository jobRepository,
            AccountRangePartitioner accountRangePartitioner, ThreadPoolTaskExecutor partitionPool,
            ObjectProvider<AmqpPartitionRequests> amqp) {
        return new PartitionedSteps(settings, jobRepository, accountRangePartitioner, partitionPool, amqp);
    }

    @Bean
    @ConditionalOnProperty(name = "billing.partitions.mode", havingValue = "amqp")
    AmqpPartitionRequests amqpPartitionRequests(RabbitTemplate rabbitTemplate, AmqpAdmin amqpAdmin,
            PartitionProtocol partitionProtocol, JobRepository jobRepository, PartitionSettings settings) {
        return new AmqpPartitionRequests(rabbitTemplate, amqpAdmin, partitionProtocol, jobRepository, settings);
    }

    @Bean
    @ConditionalOnProperty(name = "billing.partitions.worker", havingValue = "true")
    PartitionWorker partitionWorker(ConnectionFactory connectionFactory, AmqpAdmin amqpAdmin, JobRepository jobRepository,
            PartitionProtocol partitionProtocol, PartitionSettings settings, BeanFactory beanFactory) {
        return new PartitionWorker(connectionFactory, amqpAdmin, jobRepository, partitionProtocol, settings, beanFactory);
    }
}
