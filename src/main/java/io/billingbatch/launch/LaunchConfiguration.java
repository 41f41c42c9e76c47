package io.billingbatch.launch;

import java.time.Clock;

import org.springframework.batch.core.job.AbstractJob;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class LaunchConfiguration {

    @Bean
    @ConditionalOnMissingBean
    Clock clock() {
        return Clock.systemUTC();
    }

    /** Lets a background launch learn its execution from every job, including jobs of other packages. */
    @Bean
    static BeanPostProcessor backgroundLaunchListenerRegistrar() {
        return new BeanPostProcessor() {

            @Override
            public Object postProcessAfterInitialization(Object bean, String beanName) {
                if (bean instanceof AbstractJob job) {
                    job.registerJobExecutionListener(BackgroundJobLauncher.STARTED);
                }
                return bean;
            }
        };
    }
}
