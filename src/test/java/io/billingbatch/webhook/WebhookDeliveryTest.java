package io.billingbatch.webhook;

import io.billingbatch.testing.Tables;
import io.billingbatch.testing.BillingTest;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.sql.Connection;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/** Webhook delivery against a real HTTP server on the loopback interface. */
@BillingTest
class WebhookDeliveryTest {

    @Autowired
    WebhookOutbox outbox;

    @Autowired
    WebhookDispatcher dispatcher;

    @Autowired
    WebhookSubscriptions subscriptions;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    TransactionTemplate transaction;

    @Autowired
    DataSource dataSource;

    HttpServer receiver;

    final List<Received> received = new CopyOnWriteArrayList<>();

    final AtomicInteger failuresToGo = new AtomicInteger();

    record Received(String body, String eventId, String signature, String host) {
    }

    @BeforeEach
    void startReceiver() throws IOException {
        Tables.reset(jdbc);
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/webhook/billing", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            received.add(new Received(new String(body, StandardCharsets.UTF_8),
                    exchange.getRequestHeaders().getFirst(WebhookDispatcher.EVENT_ID_HEADER),
                    exchange.getRequestHeaders().getFirst(WebhookDispatcher.SIGNATURE_HEADER),
                    exchange.getRequestHeaders().getFirst("Host")));
            int status = failuresToGo.getAndDecrement() > 0 ? 500 : 200;
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        receiver.start();
    }

    @AfterEach
    void stopReceiver() {
        receiver.stop(0);
    }

    String uri() {
        return "http://127.0.0.1:" + receiver.getAddress().getPort() + "/webhook/billing";
    }

    BillingAccountEvent documentExample() {
        return new BillingAccountEvent(UUID.randomUUID(), BillingAccountEvent.UPDATED,
                Instant.parse("2023-06-30T19:20:15Z"), UUID.fromString("62918cd8-0cd7-11ee-8571-b738bed3a5c4"),
                UUID.fromString("5e4a0680-804e-11ec-8477-2fea5968d85b"), "Primary Account", 15_500_000, 25_500_000);
    }

    @Test
    void thePayloadHasTheDocumentsShape() {
        assertThat(WebhookOutbox.payload(documentExample())).isEqualTo("""
                {"event_type":"billing_account.updated","timestamp":"2023-06-30T19:20:15.000000Z","data":\
                {"id":"62918cd8-0cd7-11ee-8571-b738bed3a5c4","customer_id":"5e4a0680-804e-11ec-8477-2fea5968d85b",\
                "name":"Primary Account","balance":15.50,"previous_balance":25.50,"change":-10.00}}""");
    }

    @Test
    void deliversASignedEventWithItsIdOnceTheChangeCommits() {
        var subscription = subscriptions.create(null, "Balance Monitoring Webhook", uri(), "POST",
                List.of(BillingAccountEvent.UPDATED, BillingAccountEvent.LOW_BALANCE));
        BillingAccountEvent event = documentExample();
        transaction.executeWithoutResult(status -> outbox.enqueue(event));

        assertThat(dispatcher.dispatchDue(10)).isEqualTo(1);

        assertThat(received).singleElement().satisfies(request -> {
            assertThat(request.eventId()).isEqualTo(event.eventId().toString());
            assertThat(request.body()).isEqualTo(WebhookOutbox.payload(event));
            assertThat(request.signature()).isEqualTo("sha256=" + WebhookDispatcher.sign(subscription.secret(), request.body()));
        });
        assertThat(status()).isEqualTo(Map.of("status", "delivered", "attempts", 1));
        assertThat(dispatcher.dispatchDue(10)).isZero();
    }

    @Test
    void aCustomersSubscriptionWhoseNameNowResolvesInsideTheNetworkGetsNothing() {
        // Created while its name pointed elsewhere (or did not resolve); now it resolves to this machine.
        var subscription = subscriptions.create(UUID.fromString("5e4a0680-804e-11ec-8477-2fea5968d85b"), "Rebinding",
                "http://no-such-host.invalid/webhook/billing", "POST", List.of(BillingAccountEvent.UPDATED), true);
        jdbc.update("UPDATE webhook_subscriptions SET uri = ? WHERE id = ?", uri(), subscription.id());
        transaction.executeWithoutResult(status -> outbox.enqueue(documentExample()));

        assertThat(dispatcher.dispatchDue(10)).isPositive(); // every attempt (this test's backoff is immediate) refuses

        assertThat(received).isEmpty();
        assertThat(jdbc.queryForObject("SELECT last_error FROM webhook_outbox", String.class))
                .startsWith("not sent: ").contains("private or local address");
        assertThatThrownBy(() -> subscriptions.create(null, "Local", uri(), "POST", List.of(BillingAccountEvent.UPDATED), true))
                .hasMessageContaining("private or local address");
    }

    @Test
    void everySpellingOfALocalAddressIsRefusedForACustomer() {
        UUID customer = UUID.randomUUID();
        for (String host : List.of("0x7f000001", "2130706433", "0177.0.0.1", "017700000001", "127.1", "0x7f.1",
                "127.0.0.1.", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "[::1]", "[0:0:0:0:0:0:0:1]", "0", "0.0.0.0",
                "10.1", "0xa9.0xfe.0xa9.0xfe", "169.254.169.254", "[fe80::1]", "[fd00::1]", "100.64.0.1")) {
            String uri = "http://" + host + ":18999/x";
            assertThatIllegalArgumentException().as(uri)
                    .isThrownBy(() -> subscriptions.create(customer, "local", uri, "POST", List.of(BillingAccountEvent.UPDATED), true))
                    // java.net.URI finds no host in some spellings (127.1): such a uri is refused as well, and never sent to
                    .withMessageMatching(".*(private or local address|must be an absolute http or https URI).*");
        }
        for (String host : List.of("256.0.0.1", "1.2.3.4.5", "0x1g.0.0.1", "4294967296", "09.0.0.1")) {
            String uri = "http://" + host + ":18999/x";
            assertThatIllegalArgumentException().as(uri)
                    .isThrownBy(() -> subscriptions.create(customer, "odd", uri, "POST", List.of(BillingAccountEvent.UPDATED), true))
                    .withMessageMatching(".*(not a valid IP address|must be an absolute http or https URI).*");
            assertThatIllegalArgumentException().as(host).isThrownBy(() -> ReceiverAddresses.literal(host))
                    .withMessageContaining("not a valid IP address");
        }
        for (String host : List.of("0x7f000001", "2130706433", "0177.0.0.1", "127.1", "0x7f.0.0.1", "127.0.0.1.",
                "[::ffff:127.0.0.1]")) {
            assertThat(ReceiverAddresses.literal(host)).as(host).hasValue(java.net.InetAddress.getLoopbackAddress());
        }
        assertThat(ReceiverAddresses.literal("receiver.example.com")).isEmpty();
        assertThat(ReceiverAddresses.literal("8.8.8.8").map(ReceiverAddresses::isPublic)).hasValue(true);
        // IPv6 transition forms that carry an IPv4 address: 6to4, IPv4-translated, local-use NAT64, Teredo
        // (its server, and its client XOR-ed), and the documentation and discard prefixes
        for (String host : List.of("[2002:7f00:1::]", "[2002:a9fe:a9fe::1]", "[::ffff:0:7f00:1]", "[64:ff9b:1::a00:1]",
                "[2001:0:a9fe:a9fe::1]", "[2001:0:808:808:0:0:80ff:fffe]", "[2001:db8::1]", "[100::1]")) {
            assertThat(ReceiverAddresses.literal(host).map(ReceiverAddresses::isPublic)).as(host).hasValue(false);
        }
        for (String host : List.of("[2002:808:808::1]", "[2606:4700::1111]", "[2001:0:808:808:0:0:f7f7:f7f7]")) {
            assertThat(ReceiverAddresses.literal(host).map(ReceiverAddresses::isPublic)).as(host).hasValue(true);
        }
        assertThat(jdbc.queryForObject("SELECT count(*) FROM webhook_subscriptions", Integer.class)).isZero();
    }

    @Test
    void aDeliveryConnectsToTheAddressItResolvedAndCheckedOnce() {
        AtomicInteger lookups = new AtomicInteger();
        WebhookDispatcher pinned = new WebhookDispatcher(jdbc, transaction, java.time.Duration.ofSeconds(15), 3,
                java.time.Duration.ZERO, host -> {
                    lookups.incrementAndGet();
                    assertThat(host).isEqualTo("receiver.billing.test");
                    return new java.net.InetAddress[] { java.net.InetAddress.getLoopbackAddress() };
                }, (javax.net.ssl.SSLSocketFactory) javax.net.ssl.SSLSocketFactory.getDefault());
        String byName = "http://receiver.billing.test:" + receiver.getAddress().getPort() + "/webhook/billing";
        subscriptions.create(null, "By name", byName, "POST", List.of(BillingAccountEvent.UPDATED));
        transaction.executeWithoutResult(status -> outbox.enqueue(documentExample()));

        assertThat(pinned.dispatchDue(10)).isEqualTo(1);

        assertThat(status()).isEqualTo(Map.of("status", "delivered", "attempts", 1));
        assertThat(received).singleElement().extracting(Received::host)
                .isEqualTo("receiver.billing.test:" + receiver.getAddress().getPort());
        assertThat(lookups).as("the name is resolved once; the connection goes to that address").hasValue(1);
    }

    @Test
    void aCustomersDeliveryChecksTheAddressItConnectsTo() {
        AtomicInteger lookups = new AtomicInteger();
        WebhookDispatcher pinned = new WebhookDispatcher(jdbc, transaction, java.time.Duration.ofSeconds(15), 3,
                java.time.Duration.ZERO, host -> {
                    lookups.incrementAndGet();
                    return new java.net.InetAddress[] { java.net.InetAddress.getLoopbackAddress() };
                }, (javax.net.ssl.SSLSocketFactory) javax.net.ssl.SSLSocketFactory.getDefault());
        // a customer's subscription whose name passed the check when it was made (no DNS here: stored as such)
        var subscription = subscriptions.create(documentExample().customerId(), "Rebinding", "http://rebound.billing.test:"
                + receiver.getAddress().getPort() + "/webhook/billing", "POST", List.of(BillingAccountEvent.UPDATED));
        jdbc.update("UPDATE webhook_subscriptions SET public_only = true WHERE id = ?", subscription.id());
        transaction.executeWithoutResult(status -> outbox.enqueue(documentExample()));

        pinned.dispatchDue(1);

        assertThat(received).isEmpty();
        assertThat(lookups).hasValue(1);
        assertThat(jdbc.queryForObject("SELECT last_error FROM webhook_outbox", String.class))
                .startsWith("not sent: ").contains("private or local address (127.0.0.1)");
    }

    @Test
    void anHttpsDeliveryToThePinnedAddressStillChecksTheCertificateAgainstTheName(@TempDir Path dir) throws Exception {
        // a receiver whose certificate names receiver.billing.test, listening on this machine
        Path keyStore = dir.resolve("receiver.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "receiver", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=receiver.billing.test", "-ext", "SAN=dns:receiver.billing.test", "-storetype", "PKCS12",
                "-keystore", keyStore.toString(), "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true).redirectOutput(dir.resolve("keytool.log").toFile()).start();
        assertThat(keytool.waitFor()).as("keytool").isZero();
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(keyStore)) {
            keys.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, "changeit".toCharArray());
        SSLContext serverTls = SSLContext.getInstance("TLS");
        serverTls.init(keyManagers.getKeyManagers(), null, null);
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(keys);
        SSLContext clientTls = SSLContext.getInstance("TLS");
        clientTls.init(null, trust.getTrustManagers(), null);

        HttpsServer secure = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        secure.setHttpsConfigurator(new HttpsConfigurator(serverTls));
        List<String> hosts = new CopyOnWriteArrayList<>();
        secure.createContext("/webhook/billing", exchange -> {
            exchange.getRequestBody().readAllBytes();
            hosts.add(exchange.getRequestHeaders().getFirst("Host"));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        secure.start();
        try {
            int port = secure.getAddress().getPort();
            WebhookDispatcher pinned = new WebhookDispatcher(jdbc, transaction, java.time.Duration.ofSeconds(15), 1,
                    java.time.Duration.ZERO, host -> new java.net.InetAddress[] { java.net.InetAddress.getLoopbackAddress() },
                    clientTls.getSocketFactory());
            var named = subscriptions.create(null, "Named", "https://receiver.billing.test:" + port + "/webhook/billing", "POST",
                    List.of(BillingAccountEvent.UPDATED));
            transaction.executeWithoutResult(status -> outbox.enqueue(documentExample()));
            pinned.dispatchDue(10);
            assertThat(jdbc.queryForObject("SELECT status FROM webhook_outbox WHERE subscription_id = ?", String.class,
                    named.id())).isEqualTo("delivered");
            assertThat(hosts).containsExactly("receiver.billing.test:" + port);

            // the same address under a name the certificate does not carry is refused by the TLS check
            subscriptions.delete(named.id());
            var other = subscriptions.create(null, "Other", "https://other.billing.test:" + port + "/webhook/billing", "POST",
                    List.of(BillingAccountEvent.UPDATED));
            transaction.executeWithoutResult(status -> outbox.enqueue(documentExample()));
            pinned.dispatchDue(10);
            assertThat(jdbc.queryForObject("SELECT status || ' ' || last_error FROM webhook_outbox WHERE subscription_id = ?",
                    String.class, other.id())).startsWith("dead SSLHandshakeException");
            assertThat(hosts).hasSize(1);
        }
        finally {
            secure.stop(0);
        }
    }

    @Test
    void aDeletedSubscriptionGetsNothingMoreNotEvenWhatWasQueued() {
        var subscription = subscriptions.create(null, "Retired receiver", uri(), "POST", List.of(BillingAccountEvent.UPDATED));
        transaction.executeWithoutResult(status -> outbox.enqueue(documentExample()));

        assertThat(subscriptions.delete(subscription.id())).isTrue();

        assertThat(dispatcher.dispatchDue(10)).isZero();
        assertThat(received).isEmpty();
        assertThat(jdbc.queryForObject("SELECT status || ' ' || last_error FROM webhook_outbox WHERE subscription_id = ?",
                String.class, subscription.id())).isEqualTo("dead subscription deleted");
        assertThat(subscriptions.delete(subscription.id())).isFalse();
    }

    @Test
    void anEventQueuedWhileItsSubscriptionWasBeingDeletedIsNotSentEither() {
        var subscription = subscriptions.create(null, "Retired receiver", uri(), "POST", List.of(BillingAccountEvent.UPDATED));
        // the change read the subscription as live; the delete committed before the change did
        transaction.executeWithoutResult(status -> outbox.enqueue(documentExample()));
        jdbc.update("UPDATE webhook_subscriptions SET tm_delete = now() WHERE id = ?", subscription.id());

        assertThat(dispatcher.dispatchDue(10)).isEqualTo(1);

        assertThat(received).isEmpty();
        assertThat(jdbc.queryForObject("SELECT status || ' ' || last_error FROM webhook_outbox WHERE subscription_id = ?",
                String.class, subscription.id())).isEqualTo("dead subscription deleted");
    }

    @Test
    void anEventOfARolledBackChangeIsNeverSent() {
        subscriptions.create(null, "hook", uri(), "POST", List.of(BillingAccountEvent.UPDATED));

        assertThatIllegalStateException().isThrownBy(() -> transaction.executeWithoutResult(status -> {
            outbox.enqueue(documentExample());
            throw new IllegalStateException("the balance change failed");
        }));

        assertThat(jdbc.queryForObject("SELECT count(*) FROM webhook_outbox", Long.class)).isZero();
    }

    @Test
    void retriesAfterAServerErrorAndDeliversTheSameEvent() {
        subscriptions.create(null, "hook", uri(), "POST", List.of(BillingAccountEvent.UPDATED));
        transaction.executeWithoutResult(status -> outbox.enqueue(documentExample()));
        failuresToGo.set(1);

        dispatcher.dispatchDue(1);
        assertThat(status()).isEqualTo(Map.of("status", "pending", "attempts", 1));
        dispatcher.dispatchDue(1);

        assertThat(status()).isEqualTo(Map.of("status", "delivered", "attempts", 2));
        assertThat(received).hasSize(2).extracting(Received::eventId).containsOnly(received.get(0).eventId());
    }

    @Test
    void givesUpIntoTheDeadLetterStateAfterTheLastAttempt() {
        subscriptions.create(null, "hook", uri(), "POST", List.of(BillingAccountEvent.UPDATED));
        transaction.executeWithoutResult(status -> outbox.enqueue(documentExample()));
        failuresToGo.set(1_000);

        for (int i = 0; i < 5; i++) {
            dispatcher.dispatchDue(10);
        }

        assertThat(status()).isEqualTo(Map.of("status", "dead", "attempts", 3));
        assertThat(received).hasSize(3);
        assertThat(jdbc.queryForObject("SELECT last_error FROM webhook_outbox", String.class)).isEqualTo("HTTP 500");
    }

    @Test
    void nothingIsLostWhenADispatcherDiesBetweenClaimingAndRecordingADelivery() throws Exception {
        subscriptions.create(null, "hook", uri(), "POST", List.of(BillingAccountEvent.UPDATED));
        transaction.executeWithoutResult(status -> outbox.enqueue(documentExample()));

        try (Connection dying = dataSource.getConnection()) { // a dispatcher that claimed the row and then died
            dying.setAutoCommit(false);
            dying.createStatement().executeQuery("SELECT id FROM webhook_outbox FOR UPDATE SKIP LOCKED").close();
            assertThat(dispatcher.dispatchDue(10)).as("a claimed row is not sent twice at once").isZero();
            dying.rollback();
        }

        assertThat(dispatcher.dispatchDue(10)).isEqualTo(1);
        assertThat(received).hasSize(1);
        assertThat(status()).isEqualTo(Map.of("status", "delivered", "attempts", 1));
    }

    @Test
    void subscriptionsAreValidated() {
        assertThatIllegalArgumentException().isThrownBy(() -> subscriptions.create(null, "x", "ftp://host/x", "POST",
                List.of(BillingAccountEvent.UPDATED))).withMessageContaining("http or https");
        assertThatIllegalArgumentException().isThrownBy(() -> subscriptions.create(null, "x", uri(), "DELETE",
                List.of(BillingAccountEvent.UPDATED))).withMessageContaining("POST or PUT");
        assertThatIllegalArgumentException().isThrownBy(() -> subscriptions.create(null, "x", uri(), "POST",
                List.of("billing_account.deleted"))).withMessageContaining("event_types");
        assertThatIllegalArgumentException().isThrownBy(() -> subscriptions.create(null, " ", uri(), "POST",
                List.of(BillingAccountEvent.UPDATED))).withMessageContaining("name");
    }

    Map<String, Object> status() {
        return jdbc.queryForMap("SELECT status, attempts FROM webhook_outbox");
    }
}
