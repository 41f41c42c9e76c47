package io.billingbatch.webhook;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/** Webhook subscriptions in the document's shape; each gets a generated signing secret. */
@Repository
public class WebhookSubscriptions {

    public static final Set<String> EVENT_TYPES = Set.of(BillingAccountEvent.UPDATED, BillingAccountEvent.LOW_BALANCE,
            BillingAccountEvent.AUTO_TOPUP_FAILED, BillingAccountEvent.AUTO_TOPUP_DISABLED, BillingAccountEvent.RUNWAY_LOW,
            BillingAccountEvent.SPEND_ANOMALY);

    private static final SecureRandom RANDOM = new SecureRandom();

    private final JdbcTemplate jdbc;

    private final ReceiverAddresses.HostResolver resolver;

    /** @param resolver how a customer's receiver name is checked (the platform's DNS unless a bean says otherwise) */
    public WebhookSubscriptions(JdbcTemplate jdbc, ObjectProvider<ReceiverAddresses.HostResolver> resolver) {
        this.jdbc = jdbc;
        this.resolver = resolver.getIfAvailable(() -> ReceiverAddresses.HostResolver.SYSTEM);
    }

    /**
     * @throws IllegalArgumentException with the reason for a missing name, a uri that is not absolute
     * http(s), a method other than POST or PUT, or an unknown or empty list of event types
     */
    public Subscription create(UUID customerId, String name, String uri, String method, List<String> eventTypes) {
        return create(customerId, name, uri, method, eventTypes, false);
    }

    /** @param publicOnly deliver only to public addresses (a customer's own subscription) */
    public Subscription create(UUID customerId, String name, String uri, String method, List<String> eventTypes,
            boolean publicOnly) {
        if (publicOnly) {
            requirePublicReceiver(uri, resolver);
        }
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name is required");
        }
        URI parsed;
        try {
            parsed = URI.create(uri == null ? "" : uri);
        }
        catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException("uri '" + uri + "' is not a valid URI");
        }
        if (!parsed.isAbsolute() || !Set.of("http", "https").contains(parsed.getScheme()) || parsed.getHost() == null) {
            throw new IllegalArgumentException("uri '" + uri + "' must be an absolute http or https URI");
        }
        String verb = method == null ? "POST" : method.toUpperCase(java.util.Locale.ROOT);
        if (!Set.of("POST", "PUT").contains(verb)) {
            throw new IllegalArgumentException("method '" + method + "' must be POST or PUT");
        }
        if (eventTypes == null || eventTypes.isEmpty() || !EVENT_TYPES.containsAll(eventTypes)) {
            throw new IllegalArgumentException("event_types must list some of " + EVENT_TYPES.stream().sorted().toList()
                    + ", was " + eventTypes);
        }
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        Subscription subscription = new Subscription(UUID.randomUUID(), customerId, name, uri, verb, List.copyOf(eventTypes),
                HexFormat.of().formatHex(key));
        jdbc.update("""
                INSERT INTO webhook_subscriptions (id, customer_id, name, uri, method, event_types, secret, public_only)
                VALUES (?, ?, ?, ?, ?, ?::text[], ?, ?)""", subscription.id(), customerId, name, uri, verb,
                "{" + String.join(",", eventTypes) + "}", subscription.secret(), publicOnly);
        return subscription;
    }

    /**
     * Refuses a receiver that is not a public internet address: loopback, link-local (cloud
     * metadata), private, shared, multicast, reserved or unspecified addresses, in whatever spelling
     * the host gives them ({@link ReceiverAddresses#literal}). A name that does not resolve (yet)
     * passes here; the dispatcher resolves it again before each delivery, checks that address and
     * connects to exactly it. Customers' subscriptions must pass it, so a customer cannot make this
     * server call inside its own network.
     *
     * @throws IllegalArgumentException with the reason
     */
    public static void requirePublicReceiver(String uri) {
        requirePublicReceiver(uri, ReceiverAddresses.HostResolver.SYSTEM);
    }

    /** As {@link #requirePublicReceiver(String)}, with names resolved by {@code resolver}. */
    static void requirePublicReceiver(String uri, ReceiverAddresses.HostResolver resolver) {
        String host;
        try {
            host = URI.create(uri == null ? "" : uri).getHost();
        }
        catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException("uri '" + uri + "' is not a valid URI");
        }
        if (host == null) {
            throw new IllegalArgumentException("uri '" + uri + "' must be an absolute http or https URI");
        }
        InetAddress[] addresses;
        try {
            addresses = ReceiverAddresses.resolve(host, resolver);
        }
        catch (UnknownHostException ex) {
            return; // nothing to check yet: every delivery checks the address the name has then
        }
        for (InetAddress address : addresses) {
            if (!ReceiverAddresses.isPublic(address)) {
                throw new IllegalArgumentException("uri '" + uri + "' points at a private or local address (" + address.getHostAddress()
                        + "): a webhook receiver must be reachable on the public internet");
            }
        }
    }

    private static final String COLUMNS = "id, customer_id, name, uri, method, event_types, secret, tm_create";

    private static final String DELETE = """
            UPDATE webhook_subscriptions SET tm_delete = now() WHERE id = ? AND tm_delete IS NULL
            """;

    private static final String END_QUEUED_EVENTS = """
            UPDATE webhook_outbox SET status = 'dead', last_error = 'subscription deleted'
            WHERE subscription_id = ? AND status = 'pending'
            """;

    /** Live subscriptions of one customer, or (null) all of them, oldest first. */
    public List<Subscription> list(UUID customerId) {
        return jdbc.query("SELECT " + COLUMNS + """
                 FROM webhook_subscriptions
                WHERE tm_delete IS NULL AND (?::uuid IS NULL OR customer_id = ?::uuid)
                ORDER BY tm_create, id""", WebhookSubscriptions::subscription, customerId, customerId);
    }

    public Optional<Subscription> find(UUID id) {
        return jdbc.query("SELECT " + COLUMNS + " FROM webhook_subscriptions WHERE id = ? AND tm_delete IS NULL",
                WebhookSubscriptions::subscription, id).stream().findFirst();
    }

    /**
     * Stops deliveries to a subscription, also of events still queued for it: they end {@code dead}
     * with the reason (a receiver being retired must not keep getting calls).
     */
    @Transactional
    public boolean delete(UUID id) {
        if (jdbc.update(DELETE, id) != 1) {
            return false;
        }
        // an event a concurrent change queues after this is ended by the dispatcher, which checks again
        jdbc.update(END_QUEUED_EVENTS, id);
        return true;
    }

    private static Subscription subscription(ResultSet rs, int row) throws SQLException {
        return new Subscription(rs.getObject("id", UUID.class), rs.getObject("customer_id", UUID.class), rs.getString("name"),
                rs.getString("uri"), rs.getString("method"), List.of((String[]) rs.getArray("event_types").getArray()),
                rs.getString("secret"));
    }

    public record Subscription(UUID id, UUID customerId, String name, String uri, String method, List<String> eventTypes,
            String secret) {
    }
}
