package io.billingbatch.access;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * API tokens. A token's secret is 32 random bytes shown once, at creation; only its SHA-256 is
 * stored (the secret has full entropy, so a fast hash is enough and lookups stay one index probe).
 * A revoked token is refused from the next request on: every request (and every request of a
 * signed-in session) reads its token again.
 */
@Component
public class JdbcApiTokens {

    private static final String PREFIX = "bb_";

    private static final String INSERT = """
            INSERT INTO api_tokens (id, name, role, customer_id, token_hash)
            VALUES (:id, :name, :role, :customerId, :hash)
            """;

    private static final String LIVE_BY_HASH = """
            SELECT id, name, role, customer_id FROM api_tokens WHERE token_hash = :hash AND tm_revoke IS NULL
            """;

    private static final String LIVE_BY_ID = """
            SELECT id, name, role, customer_id FROM api_tokens WHERE id = :id AND tm_revoke IS NULL
            """;

    /** Never the hash: a listing names tokens, it does not hand out anything that identifies a secret. */
    private static final String LIST = """
            SELECT id, name, role, customer_id, tm_create, tm_revoke
            FROM api_tokens
            WHERE (:all OR tm_revoke IS NULL)
            ORDER BY tm_create, id
            """;

    private static final String BY_ID = """
            SELECT id, name, role, customer_id, tm_create, tm_revoke FROM api_tokens WHERE id = :id
            """;

    private static final String REVOKE = """
            UPDATE api_tokens SET tm_revoke = now() WHERE id = :id AND tm_revoke IS NULL
            """;

    private final JdbcClient jdbc;

    private final SecureRandom random = new SecureRandom();

    public JdbcApiTokens(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** A token just created, with the secret that is never shown again. */
    public record CreatedToken(ApiPrincipal principal, String secret) {
    }

    /** A token as listed: who it is for and its state, never its secret or hash. {@code revoked} is null while it is live. */
    public record TokenRow(UUID id, String name, Role role, UUID customerId, OffsetDateTime created, OffsetDateTime revoked) {

        public boolean live() {
            return revoked == null;
        }
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
        jdbc.sql(INSERT).param("id", id).param("name", name.trim()).param("role", role.word()).param("customerId", customerId)
                .param("hash", hash(secret)).update();
        return new CreatedToken(new ApiPrincipal(id, name.trim(), role, customerId), secret);
    }

    /** The live token with this secret, if any. */
    public Optional<ApiPrincipal> resolve(String secret) {
        if (secret == null || secret.isBlank() || secret.length() > 200) {
            return Optional.empty();
        }
        return jdbc.sql(LIVE_BY_HASH).param("hash", hash(secret.trim())).query(JdbcApiTokens::principal).optional();
    }

    /** The principal signed in on the request's session while its token is live; a revoked token's session is ended. */
    public Optional<ApiPrincipal> signedIn(jakarta.servlet.http.HttpServletRequest request) {
        jakarta.servlet.http.HttpSession session = request.getSession(false);
        if (session != null && session.getAttribute(ApiPrincipal.SESSION_ATTRIBUTE) instanceof ApiPrincipal principal) {
            Optional<ApiPrincipal> live = live(principal.tokenId());
            if (live.isEmpty()) {
                session.invalidate();
            }
            return live;
        }
        return Optional.empty();
    }

    /**
     * The token with this id as it is now, if it is still live: a signed-in session re-checks its
     * token on every request, so revoking a token ends its sessions too.
     */
    public Optional<ApiPrincipal> live(UUID id) {
        return jdbc.sql(LIVE_BY_ID).param("id", id).query(JdbcApiTokens::principal).optional();
    }

    /** The tokens, oldest first: the live ones, or every one with {@code includeRevoked}. */
    public List<TokenRow> list(boolean includeRevoked) {
        return jdbc.sql(LIST).param("all", includeRevoked).query(JdbcApiTokens::row).list();
    }

    public Optional<TokenRow> find(UUID id) {
        return jdbc.sql(BY_ID).param("id", id).query(JdbcApiTokens::row).optional();
    }

    /** Revokes a live token; false when there is no live token with this id. */
    public boolean revoke(UUID id) {
        return jdbc.sql(REVOKE).param("id", id).update() == 1;
    }

    private static ApiPrincipal principal(ResultSet rs, int row) throws SQLException {
        return new ApiPrincipal(rs.getObject("id", UUID.class), rs.getString("name"), Role.of(rs.getString("role")),
                rs.getObject("customer_id", UUID.class));
    }

    private static TokenRow row(ResultSet rs, int row) throws SQLException {
        return new TokenRow(rs.getObject("id", UUID.class), rs.getString("name"), Role.of(rs.getString("role")),
                rs.getObject("customer_id", UUID.class), rs.getObject("tm_create", OffsetDateTime.class),
                rs.getObject("tm_revoke", OffsetDateTime.class));
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
