package io.billingbatch.api;

import io.billingbatch.access.ApiPrincipal;
import io.billingbatch.access.Role;
import io.billingbatch.access.JdbcApiTokens;
import io.billingbatch.launch.CommandRunner;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ApiAccessTest extends ServerTestSupport {

    @org.springframework.beans.factory.annotation.Autowired
    CommandRunner commands;

    @Test
    void requestWithoutTokenIsRefusedWith401() {
        Reply reply = get("/v1.0/billing_accounts");
        assertThat(reply.status()).isEqualTo(401);
        assertThat(reply.json().get("error").asString()).isEqualTo("unauthorized");
        assertThat(reply.header("WWW-Authenticate")).isEqualTo("Bearer");
    }

    @Test
    void unknownOrRevokedTokenIsRefusedWith401() {
        assertThat(get("/v1.0/billing_accounts?token=bb_not-a-token").status()).isEqualTo(401);
        JdbcApiTokens.CreatedToken created = tokens.create("to revoke", Role.ADMIN, null);
        assertThat(get("/v1.0/billing_accounts", created.secret()).status()).isEqualTo(200);
        tokens.revoke(created.principal().tokenId());
        Reply reply = get("/v1.0/billing_accounts", created.secret());
        assertThat(reply.status()).isEqualTo(401);
        assertThat(reply.json().get("message").asString()).contains("not valid");
    }

    @Test
    void createTokenCommandPrintsTheSecretOnceAndItWorks() throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.PrintStream original = System.out;
        System.setOut(new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
        int exit;
        try {
            exit = commands.execute("create-token", "--name=finance desk", "--role=finance");
        }
        finally {
            System.setOut(original);
        }
        assertThat(exit).isZero();
        // log lines of other threads (the console appender writes to System.out) are not the command's output
        String[] lines = out.toString(java.nio.charset.StandardCharsets.UTF_8).lines()
                .filter(line -> !line.isBlank() && !line.matches("\\d{2}:\\d{2}:\\d{2}\\.\\d{3} .*")).toArray(String[]::new);
        assertThat(lines[0]).contains("finance desk").contains("role finance").contains("shown only now");
        String secret = lines[1];
        assertThat(secret).startsWith("bb_").hasSizeGreaterThan(40);
        assertThat(tokens.resolve(secret)).get().extracting(ApiPrincipal::role).isEqualTo(Role.FINANCE);
        assertThat(get("/v1.0/billing_accounts?token=" + secret).status()).isEqualTo(200);
    }

    @Test
    void tokensAreStoredOnlyAsHashes() {
        String secret = token(Role.ADMIN);
        assertThat(get("/v1.0/billing_accounts?token=" + secret).status()).isEqualTo(200);
        assertThat(post("/v1.0/webhooks?token=" + secret, "{\"name\": \"t\", \"uri\": \"http://127.0.0.1:9/\","
                + " \"customer_id\": \"" + java.util.UUID.randomUUID() + "\", \"event_types\": [\"billing_account.updated\"]}").status()).isEqualTo(200);
        // Nowhere in the database, as text or as the hex of its bytes: every row of every table, read as text.
        String hex = java.util.HexFormat.of().formatHex(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        for (String table : jdbc.queryForList("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
                + " AND table_type = 'BASE TABLE'", String.class)) {
            Integer found = jdbc.queryForObject("SELECT count(*) FROM \"" + table + "\" t WHERE strpos(t::text, ?) > 0"
                    + " OR strpos(t::text, ?) > 0", Integer.class, secret, hex);
            assertThat(found).as("rows of %s holding the secret", table).isZero();
        }
        assertThat(jdbc.queryForObject("SELECT count(*) FROM api_tokens WHERE token_hash = sha256(convert_to(?, 'UTF8'))",
                Integer.class, secret)).isEqualTo(1);
    }

    @Test
    void healthAndPrometheusNeedNoToken() {
        Reply health = get("/actuator/health");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().get("status").asString()).isEqualTo("UP");
        Reply metrics = get("/actuator/prometheus");
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.text()).contains("jvm_memory_used_bytes");
    }
}
