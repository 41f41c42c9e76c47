package io.billingbatch.access;

import java.util.Optional;
import java.util.UUID;

import io.billingbatch.access.JdbcApiTokens.TokenRow;

import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/** Revoking a token, for the command line and the admin API alike: the revocation and its audit row commit together. */
@Component
public class TokenAdministration {

    private final JdbcApiTokens tokens;

    private final ApiAudit audit;

    public TokenAdministration(JdbcApiTokens tokens, ApiAudit audit) {
        this.tokens = tokens;
        this.audit = audit;
    }

    /** What a revocation found: the token as it is now, and whether this call revoked it (false: it already was). */
    public record Revocation(TokenRow token, boolean revokedNow) {
    }

    /** Revokes the token {@code id} on behalf of {@code by}; empty when there is no such token. */
    @Transactional
    public Optional<Revocation> revoke(UUID id, ApiPrincipal by) {
        boolean revokedNow = tokens.revoke(id);
        Optional<TokenRow> token = tokens.find(id);
        if (revokedNow) {
            TokenRow revoked = token.orElseThrow();
            audit.record(by, "token.revoke", "token " + id, revoked.name() + " (" + revoked.role().word() + ")");
        }
        return token.map(row -> new Revocation(row, revokedNow));
    }
}
