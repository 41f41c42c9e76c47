package io.billingbatch.access;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

import io.billingbatch.api.ServerTestSupport;
import io.billingbatch.launch.CommandRunner;
import io.billingbatch.launch.UsageException;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Tokens listed and revoked, on the command line and through the admin API: never a secret shown, a revoked token refused at once, audited. */
class TokenAdministrationTest extends ServerTestSupport {

    @Autowired
    CommandRunner commands;

    @Test
    void revokeTokenCommandRefusesTheTokenFromItsNextRequestAndIsAudited() {
        JdbcApiTokens.CreatedToken created = tokens.create("ops laptop", Role.ADMIN, null);
        UUID id = created.principal().tokenId();
        assertThat(get("/v1.0/billing_accounts", created.secret()).status()).isEqualTo(200);

        String output = run("revoke-token", "--id=" + id);

        assertThat(output).contains("token " + id + " (ops laptop, role admin) revoked");
        Reply refused = get("/v1.0/billing_accounts", created.secret());
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.json().get("message").asString()).contains("not valid");
        assertThat(jdbc.queryForObject("SELECT token_name FROM api_audit WHERE action = 'token.revoke' AND target = ?",
                String.class, "token " + id)).startsWith("command line (");
        assertThatThrownBy(() -> run("revoke-token", "--id=" + id)).isInstanceOf(UsageException.class)
                .hasMessageContaining("was already revoked at");
        UUID unknown = UUID.randomUUID();
        assertThatThrownBy(() -> run("revoke-token", "--id=" + unknown)).isInstanceOf(UsageException.class)
                .hasMessage("no token " + unknown + " (list-tokens --all shows every token)");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM api_audit WHERE action = 'token.revoke' AND target = ?",
                Integer.class, "token " + id)).isEqualTo(1);
    }

    @Test
    void listTokensCommandNamesTokensButNeverPrintsASecret() {
        JdbcApiTokens.CreatedToken live = tokens.create("listed live", Role.FINANCE, null);
        JdbcApiTokens.CreatedToken revoked = tokens.create("listed revoked", Role.ADMIN, null);
        tokens.revoke(revoked.principal().tokenId());

        String liveOnly = run("list-tokens");
        String all = run("list-tokens", "--all");

        assertThat(liveOnly).contains(live.principal().tokenId() + "  finance   listed live")
                .doesNotContain(revoked.principal().tokenId().toString()).contains("live token(s)");
        assertThat(all).contains(live.principal().tokenId().toString())
                .containsPattern(revoked.principal().tokenId() + "  admin     listed revoked  created \\S+  REVOKED \\S+");
        assertThat(liveOnly + all).doesNotContain(live.secret()).doesNotContain(revoked.secret()).doesNotContain("bb_");
    }

    @Test
    void adminApiListsTokensWithoutSecretsAndOnlyForAdmins() {
        String admin = token(Role.ADMIN);
        JdbcApiTokens.CreatedToken listed = tokens.create("api listed", Role.CUSTOMER, UUID.randomUUID());

        Reply reply = get("/v1.0/tokens", admin);

        assertThat(reply.status()).isEqualTo(200);
        JsonNode token = null;
        for (JsonNode each : reply.json()) {
            if (each.get("id").asString().equals(listed.principal().tokenId().toString())) {
                token = each;
            }
        }
        assertThat(token).isNotNull();
        assertThat(token.get("name").asString()).isEqualTo("api listed");
        assertThat(token.get("role").asString()).isEqualTo("customer");
        assertThat(token.get("customer_id").asString()).isEqualTo(listed.principal().customerId().toString());
        assertThat(token.get("tm_revoke").isNull()).isTrue();
        assertThat(reply.text()).doesNotContain("bb_").doesNotContain("hash").doesNotContain("secret");
        assertThat(get("/v1.0/tokens", token(Role.FINANCE)).status()).isEqualTo(403);
        Reply customer = get("/v1.0/tokens", customerToken(UUID.randomUUID()));
        assertThat(customer.status()).isEqualTo(403);
        assertThat(customer.json().get("error").asString()).isEqualTo("permission_denied");
        assertThat(customer.json().get("message").asString()).isEqualTo(
                "permission denied: listing tokens needs admin permission; this token is customer");
    }

    @Test
    void adminApiRevokesATokenWhichIsRefusedAtOnceAndAudited() {
        JdbcApiTokens.CreatedToken admin = tokens.create("api admin", Role.ADMIN, null);
        JdbcApiTokens.CreatedToken victim = tokens.create("api victim", Role.FINANCE, null);
        UUID id = victim.principal().tokenId();
        assertThat(delete("/v1.0/tokens/" + id, token(Role.FINANCE)).status()).isEqualTo(403);
        assertThat(get("/v1.0/billing_accounts", victim.secret()).status()).isEqualTo(200);

        Reply revoked = delete("/v1.0/tokens/" + id, admin.secret());

        assertThat(revoked.status()).isEqualTo(200);
        assertThat(revoked.json().get("id").asString()).isEqualTo(id.toString());
        assertThat(revoked.json().get("tm_revoke").isNull()).isFalse();
        assertThat(get("/v1.0/billing_accounts", victim.secret()).status()).isEqualTo(401);
        assertThat(jdbc.queryForObject("SELECT token_name FROM api_audit WHERE action = 'token.revoke' AND target = ?",
                String.class, "token " + id)).isEqualTo("api admin");
        Reply again = delete("/v1.0/tokens/" + id, admin.secret());
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.json().get("message").asString()).contains("already revoked");
        assertThat(delete("/v1.0/tokens/" + UUID.randomUUID(), admin.secret()).status()).isEqualTo(404);
        assertThat(delete("/v1.0/tokens/not-an-id", admin.secret()).status()).isEqualTo(400);
        assertThat(get("/v1.0/tokens?all=true", admin.secret()).text()).contains(id.toString());
        assertThat(get("/v1.0/tokens", admin.secret()).text()).doesNotContain(id.toString());
    }

    private String run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            assertThat(commands.execute(args)).isZero();
            return out.toString(StandardCharsets.UTF_8);
        }
        finally {
            System.setOut(original);
        }
    }
}
