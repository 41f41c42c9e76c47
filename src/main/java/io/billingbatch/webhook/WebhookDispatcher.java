package io.billingbatch.webhook;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.net.ssl.SSLSocketFactory;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.core.namedparam.SqlParameterSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Delivers due outbox rows, several at a time, and never holds a database transaction across an
 * HTTP call.
 * <p>
 * A delivery is <em>claimed</em> in a short transaction: its row gets a lease ({@code lease_until},
 * {@code claimed_by}) and no other dispatcher, in this process or another, takes it while the lease
 * runs. It is then sent on a bounded pool ({@code billing.webhooks.concurrency}) with no transaction
 * open, and its outcome is recorded in a second short transaction (with the outcomes of the other
 * deliveries that ended meanwhile). A dispatcher that dies mid-send
 * leaves the lease to run out ({@code billing.webhooks.lease}); the row is then due again and sent
 * again (delivery is at least once: receivers deduplicate on {@code X-Billing-Event-Id}). A
 * subscription has at most {@code billing.webhooks.per-subscription} deliveries in flight across
 * all dispatchers, so a receiver that hangs holds that many senders and no more. Claims of all
 * dispatchers on one database take turns (a transaction-scoped advisory lock), which keeps that
 * limit exact.
 * <p>
 * Receivers get {@code X-Billing-Event-Id} and {@code X-Billing-Signature: sha256=<hex HMAC-SHA256 of
 * the body with the subscription's secret>}; a failure is retried with exponential backoff from
 * {@code billing.webhooks.first-backoff} until {@code billing.webhooks.max-attempts}, then the row is
 * {@code dead}. Times (due, lease) are this application's {@link Clock}: dispatchers on several
 * machines need clocks that agree to well within the lease's margin over the timeout.
 */
@Component
public class WebhookDispatcher implements AutoCloseable {

    public static final String EVENT_ID_HEADER = "X-Billing-Event-Id";

    public static final String EVENT_TYPE_HEADER = "X-Billing-Event-Type";

    public static final String SIGNATURE_HEADER = "X-Billing-Signature";

    private static final Logger logger = LoggerFactory.getLogger(WebhookDispatcher.class);

    /** How long a pass waits for a delivery to finish before it looks for due rows again. */
    static final long POLL_MILLIS = 200;

    /** Claims of every dispatcher on the database take turns (two-key form: apart from the run locks' keys). */
    private static final String CLAIM_TURN = "SELECT pg_advisory_xact_lock(2026, 26)";

    /**
     * Due rows of each subscription, oldest first, as many as its limit leaves beside its rows in
     * flight (pending with a lease that runs), at most {@code :max} in all; each leased to this
     * dispatcher. A row someone else holds locked (a subscription being deleted) is skipped.
     */
    private static final String CLAIM = """
            WITH candidates AS (
                SELECT due.id, due.next_attempt_at
                FROM webhook_subscriptions s
                CROSS JOIN LATERAL (
                    SELECT count(*) AS n FROM webhook_outbox f
                    WHERE f.subscription_id = s.id AND f.status = 'pending' AND f.lease_until IS NOT NULL AND f.lease_until > :now
                ) in_flight
                CROSS JOIN LATERAL (
                    SELECT o.id, o.next_attempt_at FROM webhook_outbox o
                    WHERE o.subscription_id = s.id AND o.status = 'pending' AND o.next_attempt_at <= :now
                      AND (o.lease_until IS NULL OR o.lease_until <= :now)
                    ORDER BY o.next_attempt_at, o.id
                    LIMIT greatest(:perSubscription - in_flight.n, 0)
                ) due
                ORDER BY due.next_attempt_at, due.id
                LIMIT :max
            ), locked AS (
                SELECT w.id FROM webhook_outbox w WHERE w.id IN (SELECT id FROM candidates)
                FOR UPDATE SKIP LOCKED
            )
            UPDATE webhook_outbox o SET lease_until = :leaseUntil, claimed_by = :dispatcher
            FROM webhook_subscriptions s
            WHERE o.id IN (SELECT id FROM locked) AND s.id = o.subscription_id
              AND o.status = 'pending' AND (o.lease_until IS NULL OR o.lease_until <= :now)
            RETURNING o.id, o.event_id, o.event_type, o.payload, o.attempts, o.next_attempt_at, s.uri, s.method, s.secret,
                      s.public_only, s.tm_delete IS NOT NULL AS subscription_deleted
            """;

    /** An event queued for a subscription deleted since (also by a change that raced with the delete). */
    private static final String SUBSCRIPTION_DELETED = """
            UPDATE webhook_outbox SET status = 'dead', last_error = 'subscription deleted', lease_until = NULL, claimed_by = NULL
            WHERE id = :id AND status = 'pending'
            """;

    /** Delivered is delivered, also when the lease ran out meanwhile and another dispatcher holds the row now. */
    private static final String DELIVERED = """
            UPDATE webhook_outbox SET status = 'delivered', attempts = attempts + 1, tm_delivered = now(), last_error = NULL,
                lease_until = NULL, claimed_by = NULL
            WHERE id = :id AND status = 'pending'
            """;

    /** A failure counts only while this claim still holds the row (else its new holder records the outcome). */
    private static final String FAILED = """
            UPDATE webhook_outbox SET attempts = attempts + 1, last_error = :error,
                status = CASE WHEN attempts + 1 >= :maxAttempts THEN 'dead' ELSE 'pending' END,
                next_attempt_at = :nextAttempt, lease_until = NULL, claimed_by = NULL
            WHERE id = :id AND status = 'pending' AND claimed_by = :dispatcher AND lease_until = :leaseUntil
            """;

    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final JdbcClient jdbc;

    private final NamedParameterJdbcTemplate batches;

    private final TransactionTemplate transaction;

    private final ReceiverAddresses.HostResolver resolver;

    private final SSLSocketFactory tls;

    private final Settings settings;

    private final Clock clock;

    private final String name;

    private final Semaphore slots;

    private final ThreadPoolExecutor senders;

    /**
     * How a dispatcher works.
     *
     * @param timeout of one HTTP exchange (connect, send, the response's status)
     * @param concurrency deliveries in flight at once in this dispatcher
     * @param perSubscription deliveries of one subscription in flight at once, across all dispatchers
     * @param lease how long a claimed row is this dispatcher's; more than the longest a delivery takes
     */
    public record Settings(Duration timeout, int maxAttempts, Duration firstBackoff, int concurrency, int perSubscription,
            Duration lease) {

        public Settings {
            if (concurrency < 1 || perSubscription < 1 || maxAttempts < 1) {
                throw new IllegalArgumentException("billing.webhooks.concurrency, per-subscription and max-attempts must be"
                        + " at least 1 (were " + concurrency + ", " + perSubscription + ", " + maxAttempts + ")");
            }
            if (lease == null) {
                lease = defaultLease(timeout);
            }
            // a delivery's connect, TLS handshake and status line each wait at most the timeout
            if (lease.compareTo(timeout.multipliedBy(3)) <= 0) {
                throw new IllegalArgumentException("billing.webhooks.lease (" + lease + ") must be longer than three times"
                        + " billing.webhooks.timeout (" + timeout + "): a row's lease must outlast its delivery");
            }
        }

        /** The lease unless configured: three timeouts and a minute's margin for clocks and pauses. */
        static Duration defaultLease(Duration timeout) {
            return timeout.multipliedBy(3).plusMinutes(1);
        }

        Settings withTimeout(Duration newTimeout) {
            return new Settings(newTimeout, maxAttempts, firstBackoff, concurrency, perSubscription,
                    lease.compareTo(newTimeout.multipliedBy(3)) > 0 ? lease : defaultLease(newTimeout));
        }

        Settings withConcurrency(int newConcurrency) {
            return new Settings(timeout, maxAttempts, firstBackoff, newConcurrency, perSubscription, lease);
        }
    }

    @Autowired
    public WebhookDispatcher(JdbcTemplate jdbc, TransactionTemplate transaction,
            @Value("${billing.webhooks.timeout:5s}") Duration timeout,
            @Value("${billing.webhooks.max-attempts:8}") int maxAttempts,
            @Value("${billing.webhooks.first-backoff:10s}") Duration firstBackoff,
            @Value("${billing.webhooks.concurrency:32}") int concurrency,
            @Value("${billing.webhooks.per-subscription:8}") int perSubscription,
            @Value("${billing.webhooks.lease:#{null}}") Duration lease,
            ObjectProvider<ReceiverAddresses.HostResolver> resolver, Clock clock) {
        this(jdbc, transaction, new Settings(timeout, maxAttempts, firstBackoff, concurrency, perSubscription, lease),
                resolver.getIfAvailable(() -> ReceiverAddresses.HostResolver.SYSTEM),
                (SSLSocketFactory) SSLSocketFactory.getDefault(), clock);
    }

    /** With the default concurrency, per-subscription limit and lease, on the system clock. */
    WebhookDispatcher(JdbcTemplate jdbc, TransactionTemplate transaction, Duration timeout, int maxAttempts,
            Duration firstBackoff, ReceiverAddresses.HostResolver resolver, SSLSocketFactory tls) {
        this(jdbc, transaction, new Settings(timeout, maxAttempts, firstBackoff, 32, 8, null), resolver, tls,
                Clock.systemUTC());
    }

    /**
     * @param resolver how receivers' host names become addresses (tests answer names without DNS)
     * @param tls the TLS client of https receivers (the platform's trust store, or a test's)
     * @param clock what "now" is for due rows and leases
     */
    WebhookDispatcher(JdbcTemplate jdbc, TransactionTemplate transaction, Settings settings,
            ReceiverAddresses.HostResolver resolver, SSLSocketFactory tls, Clock clock) {
        this.jdbc = JdbcClient.create(jdbc);
        this.batches = new NamedParameterJdbcTemplate(jdbc);
        this.transaction = transaction;
        this.settings = settings;
        this.resolver = resolver;
        this.tls = tls;
        this.clock = clock;
        this.name = ManagementFactory.getRuntimeMXBean().getName() + "/" + INSTANCES.incrementAndGet();
        this.slots = new Semaphore(settings.concurrency());
        AtomicInteger threads = new AtomicInteger();
        this.senders = new ThreadPoolExecutor(settings.concurrency(), settings.concurrency(), 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), runnable -> {
                    Thread thread = new Thread(runnable, "webhook-send-" + threads.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        this.senders.allowCoreThreadTimeOut(true);
    }

    Settings settings() {
        return settings;
    }

    /** The name this dispatcher's leases carry ({@code claimed_by}): process and instance. */
    String name() {
        return name;
    }

    /**
     * Delivers due events, several at once, until none is due and none is in flight, or
     * {@code max} were tried; returns how many were tried.
     */
    public int dispatchDue(int max) {
        return dispatch(max, () -> false);
    }

    /**
     * As {@link #dispatchDue}, and stops claiming once {@code stop} says so (it asks at least every
     * {@value #POLL_MILLIS} ms); it returns when the deliveries it has in flight are recorded.
     */
    int dispatch(int max, BooleanSupplier stop) {
        BlockingQueue<Outcome> finished = new LinkedBlockingQueue<>();
        List<Outcome> outcomes = new ArrayList<>();
        int batch = Math.max(1, settings.concurrency() / 4);
        int tried = 0;
        int inFlight = 0;
        boolean queueRanShort = false; // the last claim found fewer due rows than it had room for
        boolean waitedIdle = false; // nothing finished for a while: rows may have come due meanwhile
        boolean interrupted = false;
        while (true) {
            finished.drainTo(outcomes);
            inFlight -= outcomes.size();
            if (inFlight < 0) {
                throw new IllegalStateException("webhook dispatch lost count of its deliveries in flight");
            }
            boolean stopping = interrupted || stop.getAsBoolean();
            int room = stopping ? 0 : Math.min(slots.availablePermits(), max - tried);
            // claim in batches while the queue is long; once it ran short, whenever a delivery ends
            // (that may have freed a subscription's slot) or time has passed
            boolean claimNow = room > 0 && (inFlight == 0 || room >= batch || queueRanShort || waitedIdle);
            // the outcomes first, in the claim's transaction: a recorded delivery frees its subscription's slot
            List<Claimed> claimed = recordThenClaim(outcomes, claimNow ? room : 0);
            outcomes.clear();
            if (claimNow) {
                claimed.forEach(delivery -> submit(delivery, finished));
                tried += claimed.size();
                inFlight += claimed.size();
                queueRanShort = claimed.size() < room;
                waitedIdle = false;
            }
            if (inFlight == 0) {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
                return tried;
            }
            try {
                Outcome done = finished.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
                if (done == null) {
                    waitedIdle = true;
                }
                else {
                    outcomes.add(done); // counted off with the others at the top
                }
            }
            catch (InterruptedException ex) {
                interrupted = true; // claim no more; record what is in flight
            }
        }
    }

    private void submit(Claimed delivery, BlockingQueue<Outcome> finished) {
        slots.acquireUninterruptibly();
        try {
            senders.execute(() -> {
                Outcome outcome = null;
                try {
                    outcome = new Outcome(delivery, delivery.subscriptionDeleted() ? NOT_SENT_DELETED : send(delivery));
                }
                catch (RuntimeException ex) {
                    outcome = new Outcome(delivery, "not sent: " + ex);
                }
                finally {
                    slots.release();
                    finished.add(outcome != null ? outcome : new Outcome(delivery, "not sent: the sender stopped"));
                }
            });
        }
        catch (RuntimeException ex) { // the pool was shut down (the application is stopping): an attempt that failed
            slots.release();
            finished.add(new Outcome(delivery, "not sent: " + ex.getMessage()));
        }
    }

    /** Leases up to {@code max} due rows to this dispatcher, in one short transaction. */
    List<Claimed> claim(int max) {
        return transaction.execute(status -> claimInTransaction(max));
    }

    private List<Claimed> claimInTransaction(int max) {
        Instant now = now();
        Instant leaseUntil = now.plus(settings.lease());
        jdbc.sql(CLAIM_TURN).query().listOfRows();
        {
            return jdbc.sql(CLAIM)
                    .param("now", at(now))
                    .param("leaseUntil", at(leaseUntil))
                    .param("dispatcher", name)
                    .param("perSubscription", settings.perSubscription())
                    .param("max", max)
                    .query((rs, i) -> new Claimed(rs.getLong("id"), rs.getObject("event_id", UUID.class),
                            rs.getString("event_type"), rs.getString("payload"), rs.getInt("attempts"), rs.getString("uri"),
                            rs.getString("method"), rs.getString("secret"), rs.getBoolean("public_only"),
                            rs.getBoolean("subscription_deleted"), leaseUntil,
                            rs.getObject("next_attempt_at", OffsetDateTime.class)))
                    .list()
                    .stream()
                    .sorted(Comparator.comparing(Claimed::nextAttemptAt).thenComparingLong(Claimed::id))
                    .toList();
        }
    }

    /** @param error null when the receiver answered 2xx */
    void record(Claimed delivery, String error) {
        record(List.of(new Outcome(delivery, error)));
    }

    /** Records the outcomes of finished deliveries, together in one short transaction. */
    void record(List<Outcome> outcomes) {
        recordThenClaim(outcomes, 0);
    }

    /**
     * Records the outcomes of finished deliveries and then, when {@code claim} is above 0, claims
     * up to that many due rows, in one short transaction.
     */
    private List<Claimed> recordThenClaim(List<Outcome> outcomes, int claim) {
        if (outcomes.isEmpty() && claim == 0) {
            return List.of();
        }
        List<MapSqlParameterSource> delivered = new ArrayList<>();
        List<MapSqlParameterSource> deleted = new ArrayList<>();
        List<MapSqlParameterSource> failed = new ArrayList<>();
        Instant now = now();
        for (Outcome outcome : outcomes) {
            Claimed delivery = outcome.delivery();
            MapSqlParameterSource row = new MapSqlParameterSource("id", delivery.id());
            if (outcome.error() == null) {
                delivered.add(row);
            }
            else if (outcome.error() == NOT_SENT_DELETED) {
                deleted.add(row);
            }
            else {
                Duration backoff = settings.firstBackoff().multipliedBy(1L << Math.min(delivery.attempts(), 20));
                failed.add(row.addValue("error", outcome.error())
                        .addValue("maxAttempts", settings.maxAttempts())
                        .addValue("nextAttempt", at(now.plus(backoff)))
                        .addValue("dispatcher", name)
                        .addValue("leaseUntil", at(delivery.leaseUntil())));
            }
        }
        int[][] failuresOut = new int[1][];
        List<Claimed> claimed = transaction.execute(status -> {
            batch(DELIVERED, delivered);
            batch(SUBSCRIPTION_DELETED, deleted);
            failuresOut[0] = batch(FAILED, failed);
            return claim > 0 ? claimInTransaction(claim) : List.<Claimed>of();
        });
        int[] failures = failuresOut[0];
        int f = 0;
        for (Outcome outcome : outcomes) {
            if (outcome.error() == null || outcome.error() == NOT_SENT_DELETED) {
                continue;
            }
            Claimed delivery = outcome.delivery();
            if (failures[f++] != 0) {
                logger.warn("Webhook {} ({}) to {} failed on attempt {} of {}: {}", delivery.eventId(), delivery.eventType(),
                        delivery.uri(), delivery.attempts() + 1, settings.maxAttempts(), outcome.error());
            }
            else {
                logger.warn("Webhook {} ({}) to {} failed ({}) after its lease ran out; the row's new holder records its"
                        + " outcome", delivery.eventId(), delivery.eventType(), delivery.uri(), outcome.error());
            }
        }
        return claimed;
    }

    private int[] batch(String sql, List<MapSqlParameterSource> rows) {
        return rows.isEmpty() ? new int[0] : batches.batchUpdate(sql, rows.toArray(SqlParameterSource[]::new));
    }

    /** Microseconds, as PostgreSQL keeps them, so a lease read back compares equal. */
    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    private static OffsetDateTime at(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    /**
     * Resolves the receiver's host once, checks that address (a customer's receiver must be public)
     * and connects to exactly it, so the name cannot point somewhere else between check and call.
     *
     * @return null when the receiver answered 2xx, else why not
     */
    private String send(Claimed delivery) {
        URI uri;
        InetAddress address;
        try {
            uri = URI.create(delivery.uri());
            if (uri.getHost() == null) {
                return "not sent: uri '" + delivery.uri() + "' has no host";
            }
            InetAddress[] addresses = ReceiverAddresses.resolve(uri.getHost(), resolver);
            if (delivery.publicOnly()) {
                // every address of the one answer must pass, as when the subscription was made
                WebhookSubscriptions.requirePublicReceiver(delivery.uri(), host -> addresses);
            }
            address = addresses[0];
        }
        catch (UnknownHostException ex) {
            return "not sent: the receiver's host does not resolve (" + ex.getMessage() + ")";
        }
        catch (IllegalArgumentException ex) {
            return "not sent: " + ex.getMessage();
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("User-Agent", "billing-batch-webhooks");
        headers.put(EVENT_ID_HEADER, delivery.eventId().toString());
        headers.put(EVENT_TYPE_HEADER, delivery.eventType());
        headers.put(SIGNATURE_HEADER, "sha256=" + sign(delivery.secret(), delivery.payload()));
        try {
            int status = PinnedHttpRequest.send(uri, address, delivery.method(), headers,
                    delivery.payload().getBytes(StandardCharsets.UTF_8), settings.timeout(), tls);
            return status / 100 == 2 ? null : "HTTP " + status;
        }
        catch (Exception ex) {
            return ex.getClass().getSimpleName() + (ex.getMessage() == null ? "" : ": " + ex.getMessage());
        }
    }

    /** The signature receivers verify: hex HMAC-SHA256 of the exact body bytes with the subscription's secret. */
    public static String sign(String secret, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
        }
        catch (NoSuchAlgorithmException | InvalidKeyException ex) {
            throw new IllegalStateException("HMAC-SHA256 is not available", ex);
        }
    }

    /** Stops the senders; deliveries still in flight get until the timeout to finish (else their leases run out). */
    @Override
    public void close() {
        senders.shutdown();
        try {
            if (!senders.awaitTermination(settings.timeout().toMillis() + 1_000, TimeUnit.MILLISECONDS)) {
                senders.shutdownNow();
            }
        }
        catch (InterruptedException ex) {
            senders.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /** The error of a delivery not sent because its subscription was deleted (compared by identity). */
    private static final String NOT_SENT_DELETED = new String("subscription deleted");

    /** A delivery's end: {@code error} null when the receiver answered 2xx. */
    record Outcome(Claimed delivery, String error) {
    }

    /** A row leased to this dispatcher until {@code leaseUntil}. */
    record Claimed(long id, UUID eventId, String eventType, String payload, int attempts, String uri, String method,
            String secret, boolean publicOnly, boolean subscriptionDeleted, Instant leaseUntil, OffsetDateTime nextAttemptAt) {
    }
}
