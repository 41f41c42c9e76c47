package io.billingbatch.api;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

import io.billingbatch.access.Role;
import io.billingbatch.launch.CommandRunner;
import io.billingbatch.launch.UsageException;
import io.billingbatch.ledger.LedgerFixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The rules every request of the API meets before and around its controller: strict JSON bodies,
 * errors in the documented shape without internals, and where a token may come from.
 */
class ApiRequestRulesTest extends ServerTestSupport {

    @Autowired
    CommandRunner commands;

    private UUID customer;

    private UUID account;

    private String admin;

    @BeforeEach
    void anAccount() {
        customer = UUID.randomUUID();
        account = new LedgerFixture(jdbc).account("Strict Account", customer);
        admin = token(Role.ADMIN);
    }

    // item 9: money bodies are strict, and so is every JSON body

    @Test
    void anAmountGivenAsTextIsRefusedAndChangesNothing() {
        Reply reply = post(balance(), "{\"amount\":\"100\"}", admin);
        assertRefused(reply, 400, "amount must be a JSON number");
        assertThat(storedBalance()).isZero();
    }

    @Test
    void aDuplicateKeyIsRefusedInsteadOfTheLastOneWinning() {
        Reply reply = post(balance(), "{\"amount\":1.00,\"amount\":9999.00}", admin);
        assertRefused(reply, 400, "duplicate field 'amount'");
        assertThat(storedBalance()).isZero();
    }

    @Test
    void anUnknownFieldIsRefusedNotIgnored() {
        Reply reply = post(balance(), "{\"amount\":1.00,\"balance\":1000000}", admin);
        assertRefused(reply, 400, "unknown field 'balance'");
        assertThat(reply.json().get("message").asString()).contains("amount");
        assertThat(storedBalance()).isZero();
    }

    @Test
    void aBodyOverTheLimitIs413() {
        String padding = " ".repeat(1024 * 1024);
        Reply reply = post(balance(), "{\"amount\":1.00" + padding + "}", admin);
        assertRefused(reply, 413, "larger than");
        assertThat(storedBalance()).isZero();

        // also when the client does not say the length up front (chunked)
        Reply chunked = send(HttpRequest.newBuilder(uri(balance())).header("Authorization", "Bearer " + admin)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofInputStream(
                        () -> new java.io.ByteArrayInputStream(("{\"amount\":1.00" + padding + "}").getBytes(StandardCharsets.UTF_8)))));
        assertRefused(chunked, 413, "larger than");
        assertThat(storedBalance()).isZero();
    }

    @Test
    void everyJsonBodyOfTheApiFollowsTheSameRules() {
        String policy = "/v1.0/billing_accounts/" + account + "/auto_topup";
        assertRefused(put(policy, "{\"threshold\": 5, \"treshold\": 50}", admin), 400, "unknown field 'treshold'");
        assertRefused(put(policy, "{\"threshold\": \"5\"}", admin), 400, "threshold must be a JSON number");
        assertRefused(put(policy, "{\"max_per_day\": 1.5}", admin), 400, "max_per_day must be a whole number");
        assertRefused(put(policy, "{\"enabled\": \"false\"}", admin), 400, "enabled must be true or false");

        assertRefused(post("/v1.0/webhooks", """
                {"name": "a", "name": "b", "uri": "http://127.0.0.1:9/", "event_types": ["billing_account.updated"]}""",
                admin), 400, "duplicate field 'name'");
        assertRefused(post("/v1.0/webhooks", """
                {"name": "a", "url": "http://127.0.0.1:9/", "event_types": ["billing_account.updated"]}""", admin),
                400, "unknown field 'url'");

        String launch = "/v1.0/jobs/cost-report/executions";
        assertRefused(post(launch, "{\"period\": \"2034-13\", \"period\": \"2034-01\"}", admin), 400,
                "duplicate field 'period'");
        assertRefused(post(launch, "{\"period\": \"2034-01\"," + " ".repeat(64 * 1024) + "\"rerun\": true}", admin), 413,
                "larger than");
        assertRefused(post(launch, "{\"period\": \"2034-01\", \"colour\": \"red\"}", admin), 400, "colour");
    }

    @Test
    void aJobLaunchTakesItsFlagsAsJsonBooleansAndItsValuesAsJsonStrings() {
        long executionsBefore = jdbc.queryForObject("SELECT count(*) FROM batch_job_execution", Long.class);
        String launch = "/v1.0/jobs/cost-report/executions";
        // a flag given as text was read as the command line's --provisional=true and started a run
        assertRefused(post(launch, "{\"period\": \"2034-01\", \"provisional\": \"true\"}", admin), 400,
                "provisional must be true or false (a JSON boolean)");
        assertRefused(post(launch, "{\"period\": \"2034-01\", \"rerun\": \"TRUE\"}", admin), 400,
                "rerun must be true or false");
        assertRefused(post(launch, "{\"period\": \"2034-01\", \"rerun\": 1}", admin), 400, "rerun must be true or false");
        assertRefused(post("/v1.0/jobs/auto-topup/executions", "{\"date\": \"2034-01-02\", \"dry-run\": \"true\"}", admin),
                400, "dry-run must be true or false");
        assertRefused(post(launch, "{\"period\": 203401}", admin), 400, "period must be a JSON string");
        assertRefused(post(launch, "{\"period\": \"2034-01\", \"zone\": true}", admin), 400, "zone must be a JSON string");
        assertRefused(post(launch, "{\"period=2034-01\": \"x\"}", admin), 400, "unknown field 'period=2034-01'");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM batch_job_execution", Long.class))
                .as("no refused launch started anything").isEqualTo(executionsBefore);
    }

    // item 10: errors without internals, in the documented shape

    @Test
    void unreadableBodiesAreExplainedWithoutClassNames() {
        assertRefused(post(balance(), "", admin), 400, "a JSON body is required");
        assertRefused(post(balance(), "{\"amount\": 1.00", admin), 400, "not valid JSON");
        assertRefused(post(balance(), "[1.00]", admin), 400, "must be a JSON object");
        assertRefused(post(balance(), "{\"amount\": 1.00} {\"amount\": 2.00}", admin), 400, "exactly one JSON object");
        assertRefused(post(balance(), "{\"amount\": [1]}", admin), 400, "amount must be a JSON number");
        assertRefused(send(HttpRequest.newBuilder(uri(balance())).header("Authorization", "Bearer " + admin)
                .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString("amount=1"))), 415,
                "application/json");
        assertRefused(send(HttpRequest.newBuilder(uri("/v1.0/billing_accounts")).header("Authorization", "Bearer " + admin)
                .DELETE()), 405, "DELETE");
        assertRefused(get("/v1.0/no_such_thing", admin), 404, "no_such_thing");
        assertThat(storedBalance()).isZero();
    }

    @Test
    void theErrorPathAnswersInTheSameShape() {
        assertRefused(get("/error"), 404, "no such resource: /error");
        assertRefused(send(HttpRequest.newBuilder(uri("/error")).header("Accept", "text/html").GET()), 404, "/error");
    }

    @Test
    void pathsTheServerRefusesBeforeAnyControllerAreJsonToo() {
        for (String path : List.of("/v1.0/billing_accounts/a%2Fb", "/v1.0/billing_accounts/a%5cb",
                "/v1.0/billing_accounts/a%00b", "/v1.0/../../etc/passwd", "/v1.0/billing_accounts/%2e%2e/x")) {
            Reply reply = get(path + "?token=" + admin);
            assertThat(reply.status()).as(path).isBetween(400, 404);
            assertThat(reply.header("Content-Type")).as(path).startsWith("application/json");
            assertShape(reply);
            assertThat(reply.header("X-Content-Type-Options")).as(path).isEqualTo("nosniff");
        }
    }

    @Test
    void apiResponsesForbidContentSniffing() {
        assertThat(get("/v1.0/billing_accounts/" + account, admin).header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(get("/v1.0/billing_accounts/" + account).header("X-Content-Type-Options")).isEqualTo("nosniff");
    }

    // item 11: tokens

    @Test
    void anEmptyTokenParameterSaysATokenIsRequired() {
        Reply reply = get("/v1.0/billing_accounts?token=");
        assertRefused(reply, 401, "a token is required");
        assertThat(reply.json().get("message").asString()).doesNotContain("unknown or revoked");
    }

    @Test
    void aTokenInAFormFieldOfThePostBodyIsNotRead() {
        Reply reply = send(HttpRequest.newBuilder(uri(balance())).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("token=" + admin + "&amount=5")));
        assertRefused(reply, 401, "a token is required");
        assertThat(storedBalance()).isZero();
    }

    @Test
    void createTokenRefusesACustomerWithoutAnAccount() throws Exception {
        UUID stranger = UUID.randomUUID();
        assertThatThrownBy(() -> run("create-token", "--name=nobody", "--role=customer", "--customer=" + stranger))
                .isInstanceOf(UsageException.class).hasMessageContaining("customer " + stranger + " has no billing account");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM api_tokens WHERE customer_id = ?", Integer.class, stranger))
                .isZero();

        assertThat(run("create-token", "--name=somebody", "--role=customer", "--customer=" + customer)).isZero();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM api_tokens WHERE customer_id = ?", Integer.class, customer))
                .isEqualTo(1);
    }

    private int run(String... args) throws Exception {
        PrintStream original = System.out;
        System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        try {
            return commands.execute(args);
        }
        finally {
            System.setOut(original);
        }
    }

    private String balance() {
        return "/v1.0/billing_accounts/" + account + "/balance";
    }

    private long storedBalance() {
        return jdbc.queryForObject("SELECT balance_credit FROM billing_accounts WHERE id = ?", Long.class, account);
    }

    /** The documented error shape with a one-line reason that names no class of the server. */
    static void assertShape(Reply reply) {
        JsonNode json = reply.json();
        assertThat(json.propertyNames()).as(reply.toString()).containsExactly("status", "error", "message");
        assertThat(json.get("status").asInt()).isEqualTo(reply.status());
        String message = json.get("message").asString();
        assertThat(message).as(reply.toString()).doesNotContain("\n").doesNotContainIgnoringCase("jackson")
                .doesNotContain("io.billingbatch").doesNotContain("java.").doesNotContain("Exception")
                .doesNotContain("<html");
    }

    static void assertRefused(Reply reply, int status, String reason) {
        assertThat(reply.status()).as(reply.toString()).isEqualTo(status);
        assertThat(reply.header("Content-Type")).as(reply.toString()).startsWith("application/json");
        assertShape(reply);
        assertThat(reply.json().get("message").asString()).as(reply.toString()).contains(reason);
    }
}
