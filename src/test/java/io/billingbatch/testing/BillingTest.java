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
 * A test of the application as its commands run it: no web server, one embedded PostgreSQL,
 * {@link TestBeans} (a {@code TestClock} to pin, names resolved to loopback only, a payment
 * endpoint on loopback). Every class so annotated shares ONE Spring context; do not add
 * properties, {@code @Import}, {@code @MockitoBean} or {@code @DynamicPropertySource} to a test
 * class, since any of them starts another context with another PostgreSQL (README, "Tests").
 * <p>
 * The webhook settings let a test see a retry and a dead delivery at once; nothing dispatches on
 * its own here (the dispatch loop runs under {@code serve} only).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@SpringBootTest(properties = { "billing.webhooks.first-backoff=0s", "billing.webhooks.max-attempts=3",
        "billing.webhooks.timeout=15s" })
@Import(TestBeans.class)
public @interface BillingTest {
}
