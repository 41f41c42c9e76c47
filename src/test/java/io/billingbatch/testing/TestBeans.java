package io.billingbatch.testing;

import io.billingbatch.ledger.TestClock;
import io.billingbatch.topup.PaymentEndpoint;
import io.billingbatch.webhook.LoopbackOnlyResolver;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;

/**
 * What every test context adds to the application, the same for all so that they share contexts:
 * a {@link TestClock} (the system clock until a test pins it; a test that pins it unpins it in
 * {@code @AfterEach}), receiver names resolved to loopback only, and a payment endpoint on loopback.
 */
@TestConfiguration(proxyBeanMethods = false)
@Import({ LoopbackOnlyResolver.class, PaymentEndpoint.Beans.class })
public class TestBeans {

    @Bean
    @Primary
    TestClock testClock() {
        return new TestClock();
    }
}
