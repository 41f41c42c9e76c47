package io.billingbatch.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;

/**
 * A test of the application as {@code serve} runs it: a web server on a random port of 127.0.0.1 (see
 * {@code api.ServerTestSupport} for its HTTP helpers), the schedule off, webhooks dispatched every
 * 300 ms, and chunks of ONE item in the cost report and the reconciliation, so a run can be
 * failed, stopped or taken over between two items. Every class so annotated shares ONE Spring
 * context (the second of the suite; {@link BillingTest} is the first).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = { "spring.main.web-application-type=servlet", "server.address=127.0.0.1", "billing.schedule.enabled=false",
                "billing.webhooks.dispatch-interval=300ms", "billing.cost-report.chunk-size=1",
                "billing.reconciliation.chunk-size=1" })
@Import(TestBeans.class)
public @interface ServerTest {
}
