package io.billingbatch.webhook;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import javax.net.ssl.SSLSocketFactory;

import com.sun.net.httpserver.HttpServer;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The {@code benchmark --jobs=webhooks} run: deliveries to receivers on this machine's loopback
 * interface (a JDK HTTP server), with the configured dispatcher settings. Prints deliveries/s one
 * at a time and with the configured pool, and the throughput of nine subscriptions while a tenth
 * answers each call after 5 s against the same nine when all ten answer at once.
 */
@Component
public class WebhookBenchmark {

    static final int SUBSCRIPTIONS = 10;

    static final Duration SLOW_ANSWER = Duration.ofSeconds(5);

    private static final String QUEUE = """
            INSERT INTO webhook_outbox (event_id, subscription_id, event_type, payload)
            SELECT gen_random_uuid(), s.id, 'billing_account.updated', ?
            FROM generate_series(1, ?) AS g CROSS JOIN unnest(?::uuid[]) WITH ORDINALITY AS s (id, n)
            ORDER BY g, s.n
            """;

    private final WebhookDispatcher configured;

    private final WebhookSubscriptions subscriptions;

    private final JdbcTemplate jdbc;

    private final TransactionTemplate transaction;

    private final Clock clock;

    public WebhookBenchmark(WebhookDispatcher configured, WebhookSubscriptions subscriptions, JdbcTemplate jdbc,
            TransactionTemplate transaction, Clock clock) {
        this.configured = configured;
        this.subscriptions = subscriptions;
        this.jdbc = jdbc;
        this.transaction = transaction;
        this.clock = clock;
    }

    /** @return whether every measured delivery was made */
    public boolean run(PrintStream out) throws Exception {
        Long pending = jdbc.queryForObject("SELECT count(*) FROM webhook_outbox WHERE status = 'pending'", Long.class);
        if (pending != null && pending > 0) {
            throw new IllegalStateException("the webhook benchmark needs an outbox with no pending events (it would send"
                    + " them); this one has " + pending);
        }
        // the slow receiver answers after 5 s: a timeout above that, so its calls are slow, not failed
        WebhookDispatcher.Settings settings = configured.settings().withTimeout(Duration.ofSeconds(15));
        Receiver receiver = new Receiver();
        List<UUID> ids = new ArrayList<>();
        try {
            for (int i = 0; i < SUBSCRIPTIONS; i++) {
                ids.add(subscriptions.create(null, "benchmark " + i, receiver.uri(i), "POST",
                        List.of(BillingAccountEvent.UPDATED)).id());
            }
            out.printf("webhooks: %d subscriptions to a loopback receiver, concurrency %d, per subscription %d, lease %s%n",
                    SUBSCRIPTIONS, settings.concurrency(), settings.perSubscription(), settings.lease());
            Result oneAtATime = measure(settings.withConcurrency(1), receiver, ids, 100, false);
            out.printf("webhooks one at a time (concurrency 1): %,d deliveries in %.2f s: %,.0f deliveries/s%n",
                    oneAtATime.deliveries(), oneAtATime.seconds(), oneAtATime.perSecond());
            Result pooled = measure(settings, receiver, ids, 2_000, false);
            out.printf("webhooks with the pool (concurrency %d): %,d deliveries in %.2f s: %,.0f deliveries/s (%.1fx one at a"
                    + " time; target >= 1,000/s)%n", settings.concurrency(), pooled.deliveries(), pooled.seconds(),
                    pooled.perSecond(), pooled.perSecond() / oneAtATime.perSecond());
            Result slowed = measure(settings, receiver, ids, 2_000, true);
            out.printf("webhooks, nine subscriptions' %,d deliveries: %,.0f/s while all ten answer at once, %,.0f/s while"
                    + " the tenth answers after %d s (%.2fx; %d of its calls made meanwhile)%n", slowed.nineDeliveries(),
                    pooled.ninePerSecond(), slowed.ninePerSecond(), SLOW_ANSWER.toSeconds(),
                    slowed.ninePerSecond() / pooled.ninePerSecond(), slowed.slowCalls());
            return pooled.deliveries() == 2_000L * SUBSCRIPTIONS;
        }
        finally {
            receiver.stop();
            jdbc.update("DELETE FROM webhook_outbox WHERE subscription_id = ANY (?::uuid[])", array(ids));
            jdbc.update("DELETE FROM webhook_subscriptions WHERE id = ANY (?::uuid[])", array(ids));
        }
    }

    private static String array(List<UUID> ids) {
        return ids.stream().map(UUID::toString).collect(java.util.stream.Collectors.joining(",", "{", "}"));
    }

    record Result(long deliveries, double seconds, long nineDeliveries, double nineSeconds, long slowCalls) {

        double perSecond() {
            return deliveries / seconds;
        }

        double ninePerSecond() {
            return nineDeliveries / nineSeconds;
        }
    }

    /**
     * Queues {@code perSubscription} events for each subscription and dispatches them; with
     * {@code slowFirst} the first subscription's receiver answers after 5 s and the run ends once
     * the other nine have all theirs.
     */
    private Result measure(WebhookDispatcher.Settings settings, Receiver receiver, List<UUID> ids, int perSubscription,
            boolean slowFirst) throws Exception {
        jdbc.update("DELETE FROM webhook_outbox WHERE subscription_id = ANY (?::uuid[])", array(ids));
        String payload = WebhookOutbox.payload(new BillingAccountEvent(UUID.randomUUID(), BillingAccountEvent.UPDATED,
                Instant.parse("2026-11-20T10:00:00Z"), UUID.randomUUID(), UUID.randomUUID(), "Benchmark account", 15_500_000,
                25_500_000));
        jdbc.update(QUEUE, payload, perSubscription, array(ids));
        jdbc.execute("ANALYZE webhook_outbox");
        long nine = (long) perSubscription * (SUBSCRIPTIONS - 1);
        receiver.reset(slowFirst, nine);
        ExecutorService runner = Executors.newSingleThreadExecutor();
        try (WebhookDispatcher dispatcher = new WebhookDispatcher(jdbc, transaction, settings,
                ReceiverAddresses.HostResolver.SYSTEM, (SSLSocketFactory) SSLSocketFactory.getDefault(), clock)) {
            long start = System.nanoTime();
            receiver.start(start);
            AtomicBoolean stop = new AtomicBoolean();
            CompletableFuture<Integer> pass = CompletableFuture.supplyAsync(
                    () -> dispatcher.dispatch(Integer.MAX_VALUE, stop::get), runner);
            if (slowFirst) {
                receiver.nineDone.await(10, TimeUnit.MINUTES);
                stop.set(true);
                receiver.releaseSlow(); // its calls in flight answer now, so the pass ends at once
            }
            pass.get(10, TimeUnit.MINUTES);
            double seconds = (System.nanoTime() - start) / 1e9;
            receiver.releaseSlow();
            return new Result(receiver.fast.get() + receiver.slowAnswered.get(), seconds, nine,
                    (receiver.lastNine.get() - start) / 1e9, receiver.slowCalls.get());
        }
        finally {
            receiver.releaseSlow();
            runner.shutdownNow();
        }
    }

    /** Ten receivers (paths {@code /s0} .. {@code /s9}) on one loopback HTTP server. */
    static final class Receiver {

        final HttpServer server;

        final ExecutorService threads = Executors.newCachedThreadPool();

        final AtomicLong fast = new AtomicLong();

        final AtomicLong slowCalls = new AtomicLong();

        final AtomicLong slowAnswered = new AtomicLong();

        final AtomicLong lastNine = new AtomicLong();

        volatile boolean slowFirst;

        volatile CountDownLatch nineDone = new CountDownLatch(0);

        volatile CountDownLatch slowRelease = new CountDownLatch(0);

        Receiver() throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
            server.setExecutor(threads);
            server.createContext("/", exchange -> {
                exchange.getRequestBody().readAllBytes();
                boolean slow = slowFirst && exchange.getRequestURI().getPath().equals("/s0");
                if (slow) {
                    slowCalls.incrementAndGet();
                    try {
                        slowRelease.await(SLOW_ANSWER.toMillis(), TimeUnit.MILLISECONDS);
                    }
                    catch (InterruptedException ex) {
                        Thread.currentThread().interrupt();
                    }
                }
                exchange.sendResponseHeaders(200, -1);
                exchange.close();
                if (slow) {
                    slowAnswered.incrementAndGet();
                }
                else {
                    fast.incrementAndGet();
                    if (!exchange.getRequestURI().getPath().equals("/s0")) {
                        lastNine.accumulateAndGet(System.nanoTime(), Math::max);
                        nineDone.countDown();
                    }
                }
            });
            server.start();
        }

        String uri(int subscription) {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/s" + subscription;
        }

        void reset(boolean slowFirst, long nine) {
            this.slowFirst = slowFirst;
            fast.set(0);
            slowCalls.set(0);
            slowAnswered.set(0);
            nineDone = new CountDownLatch((int) nine);
            slowRelease = new CountDownLatch(1);
        }

        void start(long start) {
            lastNine.set(start);
        }

        void releaseSlow() {
            slowRelease.countDown();
        }

        void stop() {
            releaseSlow();
            server.stop(0);
            threads.shutdownNow();
        }
    }
}
