package io.billingbatch.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * API tokens. A token's secret is 32 random bytes shown once, at creation; only its SHA-256 is
 * stored (the secret has full entropy, so a fast hash is enough and lookups stay one index probe).
 */
@Component
public class JdbcApiTokens {

    private static final String PREFIX = "bb_";

    private final JdbcTemplate jdbc;

    private final SecureRandom random = new SecureRandom();

    public JdbcApiTokens(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** A token just created, with the secret that is never shown again. */
    public record CreatedToken(ApiPrincipal principal, String secret) {
    }

    public CreatedToken create(String name, Role role, UUID customerId) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a token needs a name (who or what uses it)");
        }
        if ((role == Role.CUSTOMER) != (customerId != null)) {
            throw new IllegalArgumentException(role == Role.CUSTOMER ? "a customer token needs the customer id it may read"
                    : "only a customer token names a customer");
        }
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String secret = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        UUID id = UUID.randomUUID();
        jdbc.update("INSERT INTO api_tokens (id, name, role, customer_id, token_hash) VALUES (?, ?, ?, ?, ?)", id,
                name.trim(), role.word(), customerId, hash(secret));
        return new CreatedToken(new ApiPrincipal(id, name.trim(), role, customerId), secret);
    }

    /** The live token with this secret, if any. */
    public Optional<ApiPrincipal> resolve(String secret) {
        if (secret == null || secret.isBlank() || secret.length() > 200) {
            return Optional.empty();
        }
        return jdbc.query("SELECT id, name, role, customer_id FROM api_tokens WHERE token_hash = ? AND tm_revoke IS NULL",
                (rs, row) -> new ApiPrincipal(rs.getObject("id", UUID.class), rs.getString("name"), Role.of(rs.getString("role")),
                        rs.getObject("customer_id", UUID.class)), (Object) hash(secret.trim())).stream().findFirst();
    }

    /**
     * The token with this id as it is now, if it is still live: a signed-in session re-checks its
     * token on every request, so revoking a token ends its sessions too.
     */
    public Optional<ApiPrincipal> live(UUID id) {
        return jdbc.query("SELECT id, name, role, customer_id FROM api_tokens WHERE id = ? AND tm_revoke IS NULL",
                (rs, row) -> new ApiPrincipal(rs.getObject("id", UUID.class), rs.getString("name"), Role.of(rs.getString("role")),
                        rs.getObject("customer_id", UUID.class)), id).stream().findFirst();
    }

    public boolean revoke(UUID id) {
        return jdbc.update("UPDATE api_tokens SET tm_revoke = now() WHERE id = ? AND tm_revoke IS NULL", id) == 1;
    }

    static byte[] hash(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
        }
        catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
