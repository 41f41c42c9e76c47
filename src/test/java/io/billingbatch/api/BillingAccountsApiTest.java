package io.billingbatch.api;

import java.math.BigDecimal;
import java.net.http.HttpRequest;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.billingbatch.access.Role;
import io.billingbatch.batch.PeriodJobParameters;
import io.billingbatch.launch.PeriodJobLauncher;
import io.billingbatch.ledger.LedgerFixture;
import io.billingbatch.ledger.ReportPeriod;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The document's billing-account {@code curl} examples replayed against a running server, with
 * only the host changed, and every refusal the API promises.
 */
class BillingAccountsApiTest extends ServerTestSupport {

    private static final List<String> ACCOUNT_FIELDS = List.of("id", "customer_id", "name", "detail", "balance",
            "payment_type", "payment_method", "tm_create", "tm_update", "tm_delete", "traffic_paused");

    private static final String TIMESTAMP = "\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\.\\d{6}";

    @Autowired
    private PeriodJobLauncher launcher;

    @Autowired
    private org.springframework.batch.core.launch.JobOperator jobOperator;

    @Autowired
    @Qualifier("reconciliationJob")
    private Job reconciliationJob;

    private LedgerFixture ledger;

    private UUID customer;

    private UUID account;

    private String admin;

    @BeforeEach
    void primaryAccount() {
        ledger = new LedgerFixture(jdbc);
        customer = UUID.randomUUID();
        account = ledger.account("Primary Account", customer);
        jdbc.update("UPDATE billing_accounts SET detail = 'Main billing account', tm_create = '2013-06-17 00:00:00Z' WHERE id = ?",
                account);
        ledger.topUp(account, 69_772_630, Instant.parse("2023-06-30T19:18:08.466742Z"));
        jdbc.update("UPDATE billing_accounts SET tm_update = '2023-06-30 19:18:08.466742Z' WHERE id = ?", account);
        admin = token(Role.ADMIN);
    }

    @Test
    void getBillingAccountAsTheDocumentShowsIt() {
        // curl --location --request GET 'https://api.voipbin.net/v1.0/billing_accounts/<billing-account-id>?token=<YOUR_AUTH_TOKEN>'
        Reply reply = get("/v1.0/billing_accounts/" + account + "?token=" + admin);
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.header("Content-Type")).startsWith("application/json");
        JsonNode json = reply.json();
        assertThat(fieldNames(json)).containsExactlyElementsOf(ACCOUNT_FIELDS);
        assertThat(json.get("id").asString()).isEqualTo(account.toString());
        assertThat(json.get("customer_id").asString()).isEqualTo(customer.toString());
        assertThat(json.get("name").asString()).isEqualTo("Primary Account");
        assertThat(json.get("detail").asString()).isEqualTo("Main billing account");
        assertThat(json.get("balance").isNumber()).isTrue();
        assertThat(json.get("balance").decimalValue()).isEqualByComparingTo("69.77263");
        assertThat(reply.text()).contains("\"balance\":69.77263,");
        assertThat(json.get("payment_type").asString()).isEmpty();
        assertThat(json.get("payment_method").asString()).isEmpty();
        assertThat(json.get("tm_create").asString()).isEqualTo("2013-06-17 00:00:00.000000");
        assertThat(json.get("tm_update").asString()).isEqualTo("2023-06-30 19:18:08.466742");
        assertThat(json.get("tm_delete").asString()).isEqualTo("9999-01-01 00:00:00.000000");
    }

    @Test
    void getBillingAccountsListsResultsAndPages() {
        // curl --location --request GET 'https://api.voipbin.net/v1.0/billing_accounts?token=<YOUR_AUTH_TOKEN>'
        String own = customerToken(customer);
        UUID second = ledger.account("Second Account", customer);
        ledger.account("Someone else's", UUID.randomUUID());
        Reply reply = get("/v1.0/billing_accounts?token=" + own);
        assertThat(reply.status()).isEqualTo(200);
        JsonNode result = reply.json().get("result");
        assertThat(result.isArray()).isTrue();
        List<String> ids = new ArrayList<>();
        result.forEach(item -> {
            assertThat(fieldNames(item)).containsExactlyElementsOf(ACCOUNT_FIELDS);
            assertThat(item.get("tm_create").asString()).matches(TIMESTAMP);
            ids.add(item.get("id").asString());
        });
        assertThat(ids).containsExactlyInAnyOrder(account.toString(), second.toString());

        // pages of one, following next_page_token, give the same accounts once each
        List<String> paged = new ArrayList<>();
        String next = "";
        do {
            JsonNode page = get("/v1.0/billing_accounts?page_size=1&token=" + own + (next.isEmpty() ? "" : "&page_token=" + next)).json();
            page.get("result").forEach(item -> paged.add(item.get("id").asString()));
            next = page.get("next_page_token").asString();
        }
        while (!next.isEmpty());
        assertThat(paged).containsExactlyInAnyOrderElementsOf(ids).doesNotHaveDuplicates();
    }

    @Test
    void addBalanceAsTheDocumentShows() {
        // curl --location --request POST '.../v1.0/billing_accounts/<billing-account-id>/balance?token=<YOUR_AUTH_TOKEN>'
        //     --header 'Content-Type: application/json' --data-raw '{"amount": 100.00}'
        long rowsBefore = ledgerRows(account);
        Reply reply = post("/v1.0/billing_accounts/" + account + "/balance?token=" + admin, "{\n    \"amount\": 100.00\n}");
        assertThat(reply.status()).isEqualTo(200);
        JsonNode json = reply.json();
        assertThat(fieldNames(json)).containsExactlyElementsOf(ACCOUNT_FIELDS);
        assertThat(json.get("balance").decimalValue()).isEqualByComparingTo("169.77263");
        assertThat(json.get("tm_update").asString()).matches(TIMESTAMP).isNotEqualTo("2023-06-30 19:18:08.466742");

        // one ledger row, posted the way every credit is: snapshot = previous snapshot + amount = stored balance
        assertThat(ledgerRows(account)).isEqualTo(rowsBefore + 1);
        Map<String, Object> row = jdbc.queryForMap("""
                SELECT transaction_type, reference_type, status, amount_credit, balance_credit_snapshot, posting_seq, tm_posted
                FROM billing_billings WHERE account_id = ? ORDER BY posting_seq DESC LIMIT 1""", account);
        assertThat(row).containsEntry("transaction_type", "top_up").containsEntry("reference_type", "top_up")
                .containsEntry("status", "end").containsEntry("amount_credit", 100_000_000L)
                .containsEntry("balance_credit_snapshot", 169_772_630L);
        assertThat(row.get("posting_seq")).isNotNull();
        assertThat(row.get("tm_posted")).isNotNull();
        assertThat(storedBalance(account)).isEqualTo(169_772_630L);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM api_audit WHERE action = 'balance.add' AND target = ?",
                Integer.class, account.toString())).isEqualTo(1);
    }

    @Test
    void reconciliationFindsNothingWrongAfterBalanceChangesOverTheApi() throws Exception {
        for (String amount : List.of("100.00", "0.000001", "42.5")) {
            assertThat(post("/v1.0/billing_accounts/" + account + "/balance", "{\"amount\": " + amount + "}", admin).status())
                    .isEqualTo(200);
        }
        ReportPeriod today = ReportPeriod.parse(LocalDate.now(ZoneOffset.UTC).toString(), "UTC");
        JobExecution execution = io.billingbatch.ledger.RunningPeriods.startDirectly(jobOperator, launcher, reconciliationJob, today);
        assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        Map<String, Object> checked = jdbc.queryForMap("""
                SELECT opening, closing, stored_balance FROM reconciliation_accounts
                WHERE job_instance_id = ? AND account_id = ?""", execution.getJobInstanceId(), account);
        assertThat(checked).containsEntry("closing", 69_772_630L + 142_500_001L).containsEntry("stored_balance", 212_272_631L);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM reconciliation_findings WHERE job_instance_id = ? AND account_id = ?",
                Integer.class, execution.getJobInstanceId(), account)).isZero();
    }

    @Test
    void addBalanceQueuesTheUpdatedEventForSubscribers() {
        String customerSecret = customerToken(customer);
        Reply subscribed = post("/v1.0/webhooks?token=" + customerSecret, """
                {"name": "Balance Monitoring Webhook", "uri": "https://billing-receiver.example/webhook/billing", "method": "POST",
                 "event_types": ["billing_account.updated", "billing_account.low_balance"]}""");
        assertThat(subscribed.status()).isEqualTo(200);
        post("/v1.0/billing_accounts/" + account + "/balance", "{\"amount\": 0.5}", admin);
        String payload = jdbc.queryForObject("SELECT payload FROM webhook_outbox WHERE subscription_id = ?::uuid",
                String.class, subscribed.json().get("id").asString());
        JsonNode event = JSON.readTree(payload);
        assertThat(event.get("event_type").asString()).isEqualTo("billing_account.updated");
        assertThat(event.get("data").get("id").asString()).isEqualTo(account.toString());
        assertThat(event.get("data").get("previous_balance").decimalValue()).isEqualByComparingTo("69.77263");
        assertThat(event.get("data").get("balance").decimalValue()).isEqualByComparingTo("70.27263");
        assertThat(event.get("data").get("change").decimalValue()).isEqualByComparingTo("0.50");
    }

    @Test
    void idempotencyKeyAppliesARetriedRequestOnce() {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri("/v1.0/billing_accounts/" + account + "/balance"))
                .header("Authorization", "Bearer " + admin).header("Content-Type", "application/json")
                .header("Idempotency-Key", "order-4711").POST(HttpRequest.BodyPublishers.ofString("{\"amount\": 25}"));
        assertThat(send(request).json().get("balance").decimalValue()).isEqualByComparingTo("94.77263");
        Reply retried = send(request);
        assertThat(retried.status()).isEqualTo(200);
        assertThat(retried.json().get("balance").decimalValue()).isEqualByComparingTo("94.77263");
        assertThat(storedBalance(account)).isEqualTo(94_772_630L);

        // the same key for a different amount is a mistake the caller must hear about, not a silent no-op
        Reply reused = send(HttpRequest.newBuilder(uri("/v1.0/billing_accounts/" + account + "/balance"))
                .header("Authorization", "Bearer " + admin).header("Content-Type", "application/json")
                .header("Idempotency-Key", "order-4711").POST(HttpRequest.BodyPublishers.ofString("{\"amount\": 250}")));
        assertThat(reused.status()).isEqualTo(409);
        assertThat(reused.json().get("message").asString()).contains("already used for a change of 25.000000 USD");

        // a retry after the account was frozen still answers what was done
        jdbc.update("UPDATE billing_accounts SET status = 'frozen' WHERE id = ?", account);
        assertThat(send(request).status()).isEqualTo(200);
        assertThat(storedBalance(account)).isEqualTo(94_772_630L);
        assertThat(ledgerRows(account)).isEqualTo(2);
    }

    @Test
    void nonAdminGetsAPermissionError() {
        for (String token : List.of(token(Role.FINANCE), customerToken(customer))) {
            Reply reply = post("/v1.0/billing_accounts/" + account + "/balance?token=" + token, "{\"amount\": 100.00}");
            assertThat(reply.status()).isEqualTo(403);
            assertThat(reply.json().get("error").asString()).isEqualTo("permission_denied");
            assertThat(reply.json().get("message").asString()).contains("admin");
        }
        assertThat(storedBalance(account)).isEqualTo(69_772_630L);
    }

    @Test
    void badAmountsAreRefusedWith400AndChangeNothing() {
        Map<String, String> bodies = Map.of(
                "{\"amount\": 0}", "positive",
                "{\"amount\": -5.00}", "positive",
                "{\"amount\": 1.0000001}", "six decimals",
                "{\"amount\": 10000.00}", "ceiling",
                "{\"amount\": 1E+100000000}", "ceiling",
                "{\"amount\": 1E-100000000}", "six decimals",
                "{}", "required",
                "{\"amount\": \"lots\"}", "amount must be a JSON number",
                "not json", "not valid JSON");
        bodies.forEach((body, reason) -> {
            Reply reply = post("/v1.0/billing_accounts/" + account + "/balance", body, admin);
            assertThat(reply.status()).as(body).isEqualTo(400);
            assertThat(reply.json().get("message").asString()).as(body).contains(reason);
        });
        assertThat(storedBalance(account)).isEqualTo(69_772_630L);
        assertThat(post("/v1.0/billing_accounts/" + account + "/balance", "{\"amount\": 9999.999999}", admin).status())
                .as("just under the ceiling").isEqualTo(200);
        assertThat(Money(storedBalance(account))).isEqualByComparingTo("10069.772629");
    }

    @Test
    void anotherCustomersAccountIsNotFoundNeverLeaked() {
        UUID stranger = ledger.account("Stranger", UUID.randomUUID());
        String own = customerToken(customer);
        Reply reply = get("/v1.0/billing_accounts/" + stranger + "?token=" + own);
        assertThat(reply.status()).isEqualTo(404);
        assertThat(reply.text()).doesNotContain("Stranger");
        assertThat(reply.json().get("message").asString())
                .isEqualTo(get("/v1.0/billing_accounts/" + UUID.randomUUID() + "?token=" + own).json().get("message").asString()
                        .replaceAll("[0-9a-f-]{36}", stranger.toString()));
        assertThat(post("/v1.0/billing_accounts/" + stranger + "/balance?token=" + own, "{\"amount\": 1}").status()).isEqualTo(404);
        assertThat(get("/v1.0/billing_accounts/" + account + "?token=" + own).status()).isEqualTo(200);
        assertThat(get("/v1.0/billing_accounts/" + stranger, token(Role.FINANCE)).status()).isEqualTo(200);
    }

    @Test
    void badIdsAndPageParametersAre400AndUnknownAccountsAre404() {
        assertThat(get("/v1.0/billing_accounts/not-a-uuid", admin).status()).isEqualTo(400);
        assertThat(get("/v1.0/billing_accounts/" + UUID.randomUUID(), admin).status()).isEqualTo(404);
        assertThat(post("/v1.0/billing_accounts/" + UUID.randomUUID() + "/balance", "{\"amount\": 1}", admin).status())
                .isEqualTo(404);
        assertThat(get("/v1.0/billing_accounts?page_size=0", admin).status()).isEqualTo(400);
        assertThat(get("/v1.0/billing_accounts?page_size=abc", admin).status()).isEqualTo(400);
        assertThat(get("/v1.0/billing_accounts?page_token=%25%25", admin).status()).isEqualTo(400);
    }

    @Test
    void frozenAccountsBalanceDoesNotChange() {
        jdbc.update("UPDATE billing_accounts SET status = 'frozen' WHERE id = ?", account);
        Reply reply = post("/v1.0/billing_accounts/" + account + "/balance", "{\"amount\": 1}", admin);
        assertThat(reply.status()).isEqualTo(409);
        assertThat(reply.json().get("message").asString()).contains("frozen");
        assertThat(storedBalance(account)).isEqualTo(69_772_630L);
    }

    private static BigDecimal Money(long micros) {
        return BigDecimal.valueOf(micros, 6);
    }

    private long storedBalance(UUID id) {
        return jdbc.queryForObject("SELECT balance_credit FROM billing_accounts WHERE id = ?", Long.class, id);
    }

    private long ledgerRows(UUID id) {
        return jdbc.queryForObject("SELECT count(*) FROM billing_billings WHERE account_id = ?", Long.class, id);
    }

    private static List<String> fieldNames(JsonNode json) {
        List<String> names = new ArrayList<>();
        json.propertyNames().forEach(names::add);
        return names;
    }
}
