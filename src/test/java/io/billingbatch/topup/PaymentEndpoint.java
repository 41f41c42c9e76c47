package io.billingbatch.topup;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistrar;

/**
 * A payment provider on the loopback interface, in every test context ({@code testing.TestBeans}):
 * {@code billing.topup.payment-url} points at it, with a payment timeout of 1 s. A test tells it
 * to decline, to be slow (it answers only after the test {@link #releaseSlow() releases} it, long
 * after the timeout) or to hold a charge until the test lets it go; {@link #reset()} forgets all.
 */
public final class PaymentEndpoint implements AutoCloseable {

    /** Each charge asked: its Idempotency-Key header and its body. */
    public final List<String[]> charges = new CopyOnWriteArrayList<>();

    public final AtomicInteger declinesToGo = new AtomicInteger();

    /** Charges taken but answered with a server error (503): the client cannot know they were taken. */
    public final AtomicInteger serverErrorsToGo = new AtomicInteger();

    /** Charges answered only after the payment timeout has passed (once released). */
    public final AtomicInteger slowToGo = new AtomicInteger();

    /** The keys charged: a provider charges a key once, however often it is asked. */
    public final Set<String> chargedKeys = ConcurrentHashMap.newKeySet();

    /** While set, a charge waits for the test: {@code arrived} when it comes, answered once {@code release} opens. */
    public volatile HeldCharge held;

    private volatile CountDownLatch slow = new CountDownLatch(1);

    private final HttpServer server;

    public record HeldCharge(CountDownLatch arrived, CountDownLatch release) {
    }

    PaymentEndpoint() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/charges", exchange -> {
            charges.add(new String[] { exchange.getRequestHeaders().getFirst("Idempotency-Key"),
                    new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8) });
            if (slowToGo.getAndDecrement() > 0) {
                await(slow); // the client has given up (its timeout) before the test releases this
            }
            HeldCharge hold = held;
            if (hold != null) {
                hold.arrived().countDown();
                await(hold.release());
            }
            int status = declinesToGo.getAndDecrement() > 0 ? 402 : serverErrorsToGo.getAndDecrement() > 0 ? 503 : 201;
            if (status != 402) {
                chargedKeys.add(exchange.getRequestHeaders().getFirst("Idempotency-Key"));
            }
            byte[] body = (status == 402 ? "{\"error\":\"card declined\"}"
                    : status == 503 ? "{\"error\":\"try later\"}" : "{\"status\":\"ok\"}").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.setExecutor(Executors.newCachedThreadPool()); // a slow charge blocks no other
        server.start();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/charges";
    }

    /** Lets the slow charges answer (late: their client has timed out). */
    public void releaseSlow() {
        slow.countDown();
    }

    /** Forgets the charges and every instruction; releases whatever is still waiting. */
    public void reset() {
        releaseSlow();
        HeldCharge hold = held;
        if (hold != null) {
            hold.release().countDown();
        }
        held = null;
        slow = new CountDownLatch(1);
        charges.clear();
        chargedKeys.clear();
        declinesToGo.set(0);
        serverErrorsToGo.set(0);
        slowToGo.set(0);
    }

    @Override
    public void close() {
        releaseSlow();
        server.stop(0);
    }

    @TestConfiguration(proxyBeanMethods = false)
    public static class Beans {

        @Bean(destroyMethod = "close")
        PaymentEndpoint paymentEndpoint() throws IOException {
            return new PaymentEndpoint();
        }

        @Bean
        DynamicPropertyRegistrar paymentEndpointProperties(PaymentEndpoint endpoint) {
            return registry -> {
                registry.add("billing.topup.payment-url", endpoint::url);
                registry.add("billing.topup.payment-timeout", () -> "1s");
            };
        }
    }
}
