package io.billingbatch.launch;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The nightly schedule, started only by {@code serve} ({@code billing.schedule.enabled}, default
 * true). A bad definition in {@code billing.schedule.dir} stops start-up with its file and field.
 * {@code billing.schedule.catch-up} (P3D) bounds catching up and retrying a fire time; a failed or
 * busy one is tried again after {@code billing.schedule.first-backoff} (PT1M), doubling up to
 * {@code billing.schedule.max-backoff} (PT1H).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication
@ConditionalOnProperty(name = "billing.schedule.enabled", havingValue = "true", matchIfMissing = true)
class ScheduleConfiguration {

    @Bean
    LaunchScheduler launchScheduler(@Value("${billing.schedule.dir:jobs}") Path directory,
            @Value("${billing.schedule.catch-up:P3D}") Duration catchUp,
            @Value("${billing.schedule.first-backoff:PT1M}") Duration firstBackoff,
            @Value("${billing.schedule.max-backoff:PT1H}") Duration maxBackoff, DefinitionRunner runner, JdbcScheduleRuns runs,
            JobRunGuard guard, Clock clock) {
        String instance = ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID().toString().substring(0, 8);
        return new LaunchScheduler(LaunchScheduler.load(directory), runner, runs, guard, clock, catchUp, instance,
                firstBackoff, maxBackoff);
    }
}
