package io.billingbatch.webhook;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.net.ssl.SSLSocketFactory;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Delivers due outbox rows. Each delivery runs in its own transaction that holds the row
 * ({@code FOR UPDATE SKIP LOCKED}, so several dispatchers never send the same row at once) until
 * the outcome is recorded: a process that dies mid-send leaves the row pending and it is sent
 * again later. Receivers get {@code X-Billing-Event-Id} to deduplicate and
 * {@code X-Billing-Signature: sha256=<hex HMAC-SHA256 of the body with the subscription's secret>}.
 */
@Component
public class WebhookDispatcher {

    public static final String EVENT_ID_HEADER = "X-Billing-Event-Id";

    public static final String EVENT_TYPE_HEADER = "X-Billing-Event-Type";

    public static final String SIGNATURE_HEADER = "X-Billing-Signature";

    private static final Logger logger = LoggerFactory.getLogger(WebhookDispatcher.class);

    private static final String CLAIM_DUE = """
            SELECT o.id, o.event_id, o.event_type, o.payload, o.attempts, s.uri, s.method, s.secret, s.public_only,
                   s.tm_delete IS NOT NULL AS subscription_deleted
            FROM webhook_outbox o JOIN webhook_subscriptions s ON s.id = o.subscription_id
            WHERE o.status = 'pending' AND o.next_attempt_at <= now()
            ORDER BY o.next_attempt_at, o.id
            LIMIT 1
            FOR UPDATE OF o SKIP LOCKED
            """;

    /** An event queued for a subscription deleted since (also by a change that raced with the delete). */
    private static final String SUBSCRIPTION_DELETED = """
            UPDATE webhook_outbox SET status = 'dead', last_error = 'subscription deleted' WHERE id = ?
            """;

    private static final String DELIVERED = """
            UPDATE webhook_outbox SET status = 'delivered', attempts = attempts + 1, tm_delivered = now(), last_error = NULL
            WHERE id = ?
            """;

    private static final String FAILED = """
            UPDATE webhook_outbox SET attempts = attempts + 1, last_error = ?,
                status = CASE WHEN attempts + 1 >= ? THEN 'dead' ELSE 'pending' END,
                next_attempt_at = now() + make_interval(secs => ?)
            WHERE id = ?
            """;

    private final JdbcTemplate jdbc;

    private final TransactionTemplate transaction;

    private final ReceiverAddresses.HostResolver resolver;

    private final SSLSocketFactory tls;

    private final Duration timeout;

    private final int maxAttempts;

    private final Duration firstBackoff;

    @Autowired
    public WebhookDispatcher(JdbcTemplate jdbc, TransactionTemplate transaction,
            @Value("${billing.webhooks.timeout:5s}") Duration timeout,
            @Value("${billing.webhooks.max-attempts:8}") int maxAttempts,
            @Value("${billing.webhooks.first-backoff:10s}") Duration firstBackoff,
            ObjectProvider<ReceiverAddresses.HostResolver> resolver) {
        this(jdbc, transaction, timeout, maxAttempts, firstBackoff,
                resolver.getIfAvailable(() -> ReceiverAddresses.HostResolver.SYSTEM),
                (SSLSocketFactory) SSLSocketFactory.getDefault());
    }

    /**
     * @param resolver how receivers' host names become addresses (tests answer names without DNS)
     * @param tls the TLS client of https receivers (the platform's trust store, or a test's)
     */
    WebhookDispatcher(JdbcTemplate jdbc, TransactionTemplate transaction, Duration timeout, int maxAttempts,
            Duration firstBackoff, ReceiverAddresses.HostResolver resolver, SSLSocketFactory tls) {
        this.jdbc = jdbc;
        this.transaction = transaction;
        this.timeout = timeout;
        this.maxAttempts = maxAttempts;
        this.firstBackoff = firstBackoff;
        this.resolver = resolver;
        this.tls = tls;
    }

    /** Delivers due events one by one until none is due or {@code max} were tried; returns how many were tried. */
    public int dispatchDue(int max) {
        int tried = 0;
        while (tried < max && Boolean.TRUE.equals(transaction.execute(status -> deliverOne()))) {
            tried++;
        }
        return tried;
    }

    private boolean deliverOne() {
        List<Due> due = jdbc.query(CLAIM_DUE, (rs, i) -> new Due(rs.getLong("id"), rs.getObject("event_id", UUID.class),
                rs.getString("event_type"), rs.getString("payload"), rs.getInt("attempts"), rs.getString("uri"),
                rs.getString("method"), rs.getString("secret"), rs.getBoolean("public_only"),
                rs.getBoolean("subscription_deleted")));
        if (due.isEmpty()) {
            return false;
        }
        Due delivery = due.get(0);
        if (delivery.subscriptionDeleted()) {
            jdbc.update(SUBSCRIPTION_DELETED, delivery.id());
            return true;
        }
        String error = send(delivery);
        if (error == null) {
            jdbc.update(DELIVERED, delivery.id());
        }
        else {
            long backoffSeconds = firstBackoff.toSeconds() << Math.min(delivery.attempts(), 20);
            jdbc.update(FAILED, error, maxAttempts, (double) backoffSeconds, delivery.id());
            logger.warn("Webhook {} ({}) to {} failed on attempt {} of {}: {}", delivery.eventId(), delivery.eventType(),
                    delivery.uri(), delivery.attempts() + 1, maxAttempts, error);
        }
        return true;
    }

    /**
     * Resolves the receiver's host once, checks that address (a customer's receiver must be public)
     * and connects to exactly it, so the name cannot point somewhere else between check and call.
     *
     * @return null when the receiver answered 2xx, else why not
     */
    private String send(Due delivery) {
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
                    delivery.payload().getBytes(StandardCharsets.UTF_8), timeout, tls);
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

    private record Due(long id, UUID eventId, String eventType, String payload, int attempts, String uri, String method,
            String secret, boolean publicOnly, boolean subscriptionDeleted) {
    }
}
