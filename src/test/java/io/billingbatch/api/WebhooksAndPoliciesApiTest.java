package io.billingbatch.api;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.sun.net.httpserver.HttpServer;

import io.billingbatch.access.Role;
import io.billingbatch.ledger.LedgerFixture;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

class WebhooksAndPoliciesApiTest extends ServerTestSupport {

    private static final String DOCUMENT_WEBHOOK = """
            {
                "name": "Balance Monitoring Webhook",
                "uri": "https://your-server.com/webhook/billing",
                "method": "POST",
                "event_types": [
                    "billing_account.updated",
                    "billing_account.low_balance"
                ]
            }""";

    @Test
    void createWebhookAsTheDocumentShowsThenListAndDelete() {
        UUID customer = UUID.randomUUID();
        String own = customerToken(customer);
        // curl --location --request POST 'https://api.voipbin.net/v1.0/webhooks?token=<YOUR_AUTH_TOKEN>' ...
        Reply created = post("/v1.0/webhooks?token=" + own, DOCUMENT_WEBHOOK);
        assertThat(created.status()).isEqualTo(200);
        JsonNode json = created.json();
        assertThat(json.get("name").asString()).isEqualTo("Balance Monitoring Webhook");
        assertThat(json.get("uri").asString()).isEqualTo("https://your-server.com/webhook/billing");
        assertThat(json.get("method").asString()).isEqualTo("POST");
        assertThat(json.get("event_types").toString()).isEqualTo("[\"billing_account.updated\",\"billing_account.low_balance\"]");
        assertThat(json.get("customer_id").asString()).isEqualTo(customer.toString());
        assertThat(json.get("secret").asString()).matches("[0-9a-f]{64}");
        String id = json.get("id").asString();
        assertThat(jdbc.queryForObject("SELECT secret FROM webhook_subscriptions WHERE id = ?::uuid", String.class, id))
                .isEqualTo(json.get("secret").asString());

        assertThat(ids(get("/v1.0/webhooks", own))).containsExactly(id);
        assertThat(ids(get("/v1.0/webhooks", customerToken(UUID.randomUUID())))).isEmpty();
        assertThat(get("/v1.0/webhooks/" + id, customerToken(UUID.randomUUID())).status()).isEqualTo(404);
        assertThat(get("/v1.0/webhooks/" + id, own).json().has("secret")).isFalse();

        Reply deleted = delete("/v1.0/webhooks/" + id, own);
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(ids(get("/v1.0/webhooks", own))).isEmpty();
        assertThat(delete("/v1.0/webhooks/" + id, own).status()).isEqualTo(404);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM api_audit WHERE target = ? AND action IN ('webhook.create', 'webhook.delete')",
                Integer.class, id)).isEqualTo(2);
    }

    @Test
    void aBalanceChangeReachesTheSubscribedReceiverSignedWithoutAnyCommand() throws Exception {
        BlockingQueue<String[]> received = new LinkedBlockingQueue<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/webhook/billing", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            received.add(new String[] { body, exchange.getRequestHeaders().getFirst("X-Billing-Signature") });
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        try {
            // serve's dispatch loop delivers one event at a time: subscriptions other tests of this shared
            // server left behind (receivers that may be slow or unreachable here) must not queue before ours
            jdbc.update("UPDATE webhook_subscriptions SET tm_delete = now() WHERE tm_delete IS NULL");
            jdbc.update("UPDATE webhook_outbox SET status = 'dead', last_error = 'test isolation' WHERE status = 'pending'");
            UUID customer = UUID.randomUUID();
            UUID account = new LedgerFixture(jdbc).account("Webhook Account", customer);
            String local = DOCUMENT_WEBHOOK.replace("https://your-server.com", "http://127.0.0.1:" + receiver.getAddress().getPort());
            Reply refused = post("/v1.0/webhooks?token=" + customerToken(customer), local);
            assertThat(refused.status()).as("a customer may not point this server at a local address").isEqualTo(400);
            assertThat(refused.json().get("message").asString()).contains("private or local address");
            // An admin may (here on the customer's behalf): receivers inside the operator's network are the operator's call.
            Reply created = post("/v1.0/webhooks?token=" + token(Role.ADMIN),
                    local.replaceFirst("\\{", "{\"customer_id\": \"" + customer + "\", "));
            assertThat(created.status()).as(created.text()).isEqualTo(200);
            String secret = created.json().get("secret").asString();

            assertThat(post("/v1.0/billing_accounts/" + account + "/balance", "{\"amount\": 100.00}", token(Role.ADMIN))
                    .status()).isEqualTo(200);

            String[] delivery = received.poll(60, TimeUnit.SECONDS);
            assertThat(delivery).as("delivered by serve's dispatch loop").isNotNull();
            JsonNode event = JSON.readTree(delivery[0]);
            assertThat(event.get("event_type").asString()).isEqualTo("billing_account.updated");
            assertThat(event.get("data").get("id").asString()).isEqualTo(account.toString());
            assertThat(event.get("data").get("change").decimalValue()).isEqualByComparingTo("100");
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            assertThat(delivery[1]).isEqualTo("sha256=" + HexFormat.of().formatHex(mac.doFinal(delivery[0].getBytes(StandardCharsets.UTF_8))));
        }
        finally {
            receiver.stop(0);
        }
    }

    @Test
    void customersCannotPointWebhooksInsideTheNetwork() {
        String own = customerToken(UUID.randomUUID());
        for (String target : List.of("http://localhost/x", "http://10.1.2.3/x", "http://169.254.169.254/latest/meta-data",
                "http://192.168.0.1/", "http://[::1]/x", "http://0.0.0.0/")) {
            Reply reply = post("/v1.0/webhooks", DOCUMENT_WEBHOOK.replace("https://your-server.com/webhook/billing", target), own);
            assertThat(reply.status()).as(target).isEqualTo(400);
        }
        assertThat(jdbc.queryForObject("SELECT count(*) FROM webhook_subscriptions WHERE uri LIKE 'http://169.254%'",
                Integer.class)).isZero();
    }

    @Test
    void badWebhooksAreRefusedWithTheReason() {
        String admin = token(Role.ADMIN);
        assertThat(post("/v1.0/webhooks", DOCUMENT_WEBHOOK.replace("https://your-server.com", "ftp://x"), admin).json()
                .get("message").asString()).contains("http or https");
        assertThat(post("/v1.0/webhooks", DOCUMENT_WEBHOOK.replace("billing_account.low_balance", "billing_account.exploded"), admin)
                .status()).isEqualTo(400);
        assertThat(post("/v1.0/webhooks", DOCUMENT_WEBHOOK.replace("\"POST\"", "\"GET\""), admin).status()).isEqualTo(400);
        assertThat(post("/v1.0/webhooks", "{\"uri\": \"https://x.example/\"}", admin).status()).isEqualTo(400);
        assertThat(post("/v1.0/webhooks", DOCUMENT_WEBHOOK, token(Role.FINANCE)).status()).isEqualTo(403);
        assertThat(post("/v1.0/webhooks", DOCUMENT_WEBHOOK).status()).isEqualTo(401);
    }

    @Test
    void adminPutsAndGetsAnAutoTopUpPolicyInUsd() {
        UUID account = new LedgerFixture(jdbc).account("Policy Account");
        String admin = token(Role.ADMIN);
        assertThat(get("/v1.0/billing_accounts/" + account + "/auto_topup", admin).status()).isEqualTo(404);
        Reply put = put("/v1.0/billing_accounts/" + account + "/auto_topup", """
                {"threshold": 20.00, "mode": "target", "target": 150.50, "max_per_day": 2, "monthly_cap": 500}""", admin);
        assertThat(put.status()).as(put.text()).isEqualTo(200);
        JsonNode policy = get("/v1.0/billing_accounts/" + account + "/auto_topup", admin).json();
        assertThat(policy.get("enabled").asBoolean()).isTrue();
        assertThat(policy.get("threshold").decimalValue()).isEqualByComparingTo("20");
        assertThat(policy.get("mode").asString()).isEqualTo("target");
        assertThat(policy.get("target").decimalValue()).isEqualByComparingTo("150.5");
        assertThat(policy.get("max_per_day").asInt()).isEqualTo(2);
        assertThat(policy.get("monthly_cap").decimalValue()).isEqualByComparingTo("500");
        assertThat(policy.get("funding").asString()).isEqualTo("grant");
        assertThat(jdbc.queryForObject("SELECT target_credit FROM auto_topup_policies WHERE account_id = ?", Long.class, account))
                .isEqualTo(150_500_000L);

        Reply bad = put("/v1.0/billing_accounts/" + account + "/auto_topup", "{\"mode\": \"target\", \"target\": 10}", admin);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("message").asString()).contains("target must be above the threshold");
        assertThat(put("/v1.0/billing_accounts/" + account + "/auto_topup", "{\"amount\": 1.0000001}", admin).status()).isEqualTo(400);
        assertThat(put("/v1.0/billing_accounts/" + account + "/auto_topup", "{}", token(Role.FINANCE)).status()).isEqualTo(403);
        assertThat(get("/v1.0/billing_accounts/" + account + "/auto_topup", token(Role.FINANCE)).status()).isEqualTo(403);
        assertThat(put("/v1.0/billing_accounts/" + UUID.randomUUID() + "/auto_topup", "{}", admin).status()).isEqualTo(404);
    }

    private static List<String> ids(Reply reply) {
        assertThat(reply.status()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        reply.json().get("result").forEach(item -> ids.add(item.get("id").asString()));
        return ids;
    }
}
