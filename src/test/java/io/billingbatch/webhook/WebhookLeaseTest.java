package io.billingbatch.webhook;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLSocketFactory;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.billingbatch.testing.Tables;
import io.billingbatch.testing.BillingTest;
import io.billingbatch.ledger.TestClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Deliveries claimed with leases: sent with no transaction open, several at once, a dispatcher's
 * death covered by its lease running out, one receiver's hang confined to its own subscription.
 * Same context as {@link WebhookDeliveryTest}; the dispatchers here are built with their own
 * settings and a clock the test moves.
 */
@BillingTest
class WebhookLeaseTest {

    static final Duration LEASE = Duration.ofMinutes(2);

    @Autowired
    WebhookOutbox outbox;

    @Autowired
    WebhookSubscriptions subscriptions;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    TransactionTemplate transaction;

    final List<WebhookDispatcher> dispatchers = new ArrayList<>();

    /** Notified after each transaction of the dispatchers made here: what a test waits for has been committed. */
    final Object committed = new Object();

    final List<HttpServer> receivers = new ArrayList<>();

    final ExecutorService background = Executors.newCachedThreadPool();

    @BeforeEach
    void emptyOutbox() {
        Tables.reset(jdbc);
    }

    @AfterEach
    void stopAll() {
        background.shutdownNow();
        dispatchers.forEach(WebhookDispatcher::close);
        receivers.forEach(receiver -> receiver.stop(0));
    }

    @Test
    void aDeliveryWhoseDispatcherDiedIsSentAgainOnceItsLeaseRunsOut() throws Exception {
        AtomicInteger received = new AtomicInteger();
        String uri = receiver(exchange -> {
            received.incrementAndGet();
            answer(exchange, 200);
        });
        subscriptions.create(null, "hook", uri, "POST", List.of(BillingAccountEvent.UPDATED));
        enqueue(1);
        Instant claimedAt = Instant.now().plusSeconds(1).truncatedTo(ChronoUnit.MICROS);
        TestClock clock = new TestClock(claimedAt);
        WebhookDispatcher dying = dispatcher(clock, 4, 2);
        WebhookDispatcher survivor = dispatcher(clock, 4, 2);

        // given a dispatcher that claimed the event and died before sending it
        List<WebhookDispatcher.Claimed> claimed = dying.claim(10);
        assertThat(claimed).hasSize(1);
        assertThat(jdbc.queryForObject("SELECT claimed_by FROM webhook_outbox", String.class)).isEqualTo(dying.name());

        // while its lease runs, nobody else sends it
        assertThat(survivor.dispatchDue(10)).isZero();
        clock.pin(claimedAt.plus(LEASE).minusMillis(1));
        assertThat(survivor.dispatchDue(10)).isZero();
        assertThat(received).hasValue(0);

        // once the lease has run out, another dispatcher sends it
        clock.pin(claimedAt.plus(LEASE));
        assertThat(survivor.dispatchDue(10)).isEqualTo(1);
        assertThat(received).hasValue(1);
        assertThat(row()).isEqualTo(Map.of("status", "delivered", "attempts", 1, "leased", false));

        // and the dead dispatcher's late outcome changes nothing
        dying.record(claimed.get(0), "HTTP 500");
        assertThat(row()).isEqualTo(Map.of("status", "delivered", "attempts", 1, "leased", false));
        assertThat(survivor.dispatchDue(10)).isZero();
    }

    @Test
    void aFailureRecordedByADispatcherThatLostItsLeaseDoesNotCount() {
        String uri = receiver(exchange -> answer(exchange, 200));
        subscriptions.create(null, "hook", uri, "POST", List.of(BillingAccountEvent.UPDATED));
        enqueue(1);
        Instant claimedAt = Instant.now().plusSeconds(1).truncatedTo(ChronoUnit.MICROS);
        TestClock clock = new TestClock(claimedAt);
        WebhookDispatcher slow = dispatcher(clock, 4, 2);
        WebhookDispatcher other = dispatcher(clock, 4, 2);
        List<WebhookDispatcher.Claimed> first = slow.claim(10);
        clock.pin(claimedAt.plus(LEASE));
        List<WebhookDispatcher.Claimed> second = other.claim(10);
        assertThat(second).hasSize(1);

        slow.record(first.get(0), "SocketTimeoutException: late");

        assertThat(row()).isEqualTo(Map.of("status", "pending", "attempts", 0, "leased", true));
        other.record(second.get(0), null);
        assertThat(row()).isEqualTo(Map.of("status", "delivered", "attempts", 1, "leased", false));
    }

    @Test
    void aReceiverThatHangsDoesNotHoldUpAnotherSubscription() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch hangingReached = new CountDownLatch(2);
        Concurrency hangingCalls = new Concurrency();
        String hanging = receiver(exchange -> {
            hangingCalls.enter();
            hangingReached.countDown();
            try {
                release.await(60, TimeUnit.SECONDS);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            hangingCalls.leave();
            answer(exchange, 200);
        });
        CountDownLatch healthyDone = new CountDownLatch(6);
        String healthy = receiver(exchange -> {
            answer(exchange, 200);
            healthyDone.countDown();
        });
        var hangs = subscriptions.create(null, "hangs", hanging, "POST", List.of(BillingAccountEvent.UPDATED));
        var answers = subscriptions.create(null, "answers", healthy, "POST", List.of(BillingAccountEvent.UPDATED));
        enqueue(6); // six events, each for both subscriptions
        WebhookDispatcher dispatcher = dispatcher(new TestClock(), 4, 2);

        CompletableFuture<Integer> pass = CompletableFuture.supplyAsync(() -> dispatcher.dispatchDue(100), background);

        assertThat(healthyDone.await(60, TimeUnit.SECONDS)).as("the healthy receiver got its six events").isTrue();
        assertThat(hangingReached.await(60, TimeUnit.SECONDS)).isTrue();
        // outcomes are recorded by the pass, after the receiver answered: wait for them, not for time
        awaitCommitted(() -> delivered(answers.id()) == 6, "six deliveries to the healthy receiver recorded");
        assertThat(delivered(hangs.id())).isZero();
        assertThat(hangingCalls.total()).as("the hanging receiver holds its two slots, no more").isEqualTo(2);
        assertThat(pass).isNotDone();

        release.countDown();
        assertThat(pass.get(60, TimeUnit.SECONDS)).isEqualTo(12);
        assertThat(delivered(hangs.id())).isEqualTo(6);
        assertThat(hangingCalls.max()).isEqualTo(2);
    }

    @Test
    void twoDispatchersOnOneDatabaseNeverSendOneEventTwice() throws Exception {
        Map<String, AtomicInteger> deliveries = new ConcurrentHashMap<>();
        Map<String, Concurrency> perSubscription = new ConcurrentHashMap<>();
        Map<String, Boolean> inProgress = new ConcurrentHashMap<>();
        AtomicInteger overlaps = new AtomicInteger();
        String uri = receiver(exchange -> {
            String key = exchange.getRequestURI().getPath() + " " + exchange.getRequestHeaders().getFirst(WebhookDispatcher.EVENT_ID_HEADER);
            Concurrency subscription = perSubscription.computeIfAbsent(exchange.getRequestURI().getPath(), path -> new Concurrency());
            subscription.enter();
            if (inProgress.putIfAbsent(key, true) != null) {
                overlaps.incrementAndGet();
            }
            deliveries.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
            answer(exchange, 200);
            inProgress.remove(key);
            subscription.leave();
        });
        for (String path : List.of("a", "b", "c")) {
            subscriptions.create(null, path, uri.replace("/webhook", "/" + path), "POST", List.of(BillingAccountEvent.UPDATED));
        }
        enqueue(100);
        WebhookDispatcher first = dispatcher(new TestClock(), 8, 3);
        WebhookDispatcher second = dispatcher(new TestClock(), 8, 3);
        CountDownLatch start = new CountDownLatch(1);

        CompletableFuture<Integer> one = CompletableFuture.supplyAsync(() -> awaitThen(start, first), background);
        CompletableFuture<Integer> two = CompletableFuture.supplyAsync(() -> awaitThen(start, second), background);
        start.countDown();

        assertThat(one.get(120, TimeUnit.SECONDS) + two.get(120, TimeUnit.SECONDS)).isEqualTo(300);
        assertThat(deliveries).hasSize(300).allSatisfy((key, count) -> assertThat(count).as(key).hasValue(1));
        assertThat(overlaps).hasValue(0);
        assertThat(perSubscription.values()).allSatisfy(calls -> assertThat(calls.max()).isBetween(1, 3));
        assertThat(jdbc.queryForObject("""
                SELECT count(*) FROM webhook_outbox
                WHERE status = 'delivered' AND attempts = 1 AND lease_until IS NULL AND claimed_by IS NULL""", Integer.class))
                .isEqualTo(300);
    }

    static int awaitThen(CountDownLatch start, WebhookDispatcher dispatcher) {
        try {
            start.await();
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        return dispatcher.dispatchDue(1_000);
    }

    /** Calls in progress at once, the most seen, and how many in all. */
    static final class Concurrency {

        private final AtomicInteger now = new AtomicInteger();

        private final AtomicInteger max = new AtomicInteger();

        private final AtomicInteger total = new AtomicInteger();

        void enter() {
            total.incrementAndGet();
            max.accumulateAndGet(now.incrementAndGet(), Math::max);
        }

        void leave() {
            now.decrementAndGet();
        }

        int max() {
            return max.get();
        }

        int total() {
            return total.get();
        }
    }

    interface Handler {
        void handle(HttpExchange exchange) throws IOException;
    }

    /** A receiver on the loopback interface answering with its own thread per call; returns its uri. */
    String receiver(Handler handler) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.setExecutor(Executors.newCachedThreadPool());
            server.createContext("/", exchange -> {
                exchange.getRequestBody().readAllBytes();
                handler.handle(exchange);
            });
            server.start();
            receivers.add(server);
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/webhook";
        }
        catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }

    static void answer(HttpExchange exchange, int status) throws IOException {
        exchange.sendResponseHeaders(status, -1);
        exchange.close();
    }

    /** Waits until {@code done} holds, checked again after each transaction of the dispatchers (no polling). */
    void awaitCommitted(java.util.function.BooleanSupplier done, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        synchronized (committed) {
            while (!done.getAsBoolean()) {
                long left = deadline - System.nanoTime();
                assertThat(left).as(what).isPositive();
                committed.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    WebhookDispatcher dispatcher(TestClock clock, int concurrency, int perSubscription) {
        TransactionTemplate signalling = new TransactionTemplate(transaction.getTransactionManager(), transaction) {

            @Override
            public <T> T execute(org.springframework.transaction.support.TransactionCallback<T> action) {
                try {
                    return super.execute(action);
                }
                finally {
                    synchronized (committed) {
                        committed.notifyAll();
                    }
                }
            }
        };
        WebhookDispatcher dispatcher = new WebhookDispatcher(jdbc, signalling,
                new WebhookDispatcher.Settings(Duration.ofSeconds(15), 3, Duration.ZERO, concurrency, perSubscription, LEASE),
                host -> new InetAddress[] { InetAddress.getLoopbackAddress() }, (SSLSocketFactory) SSLSocketFactory.getDefault(),
                clock);
        dispatchers.add(dispatcher);
        return dispatcher;
    }

    void enqueue(int events) {
        for (int i = 0; i < events; i++) {
            BillingAccountEvent event = new BillingAccountEvent(UUID.randomUUID(), BillingAccountEvent.UPDATED,
                    Instant.parse("2026-11-20T10:00:00Z"), UUID.randomUUID(), null, "Account " + i, 1_000_000, 2_000_000);
            transaction.executeWithoutResult(status -> outbox.enqueue(event));
        }
    }

    int delivered(UUID subscription) {
        return jdbc.queryForObject("SELECT count(*) FROM webhook_outbox WHERE subscription_id = ? AND status = 'delivered'",
                Integer.class, subscription);
    }

    Map<String, Object> row() {
        return jdbc.queryForMap("SELECT status, attempts, lease_until IS NOT NULL AS leased FROM webhook_outbox");
    }
}
