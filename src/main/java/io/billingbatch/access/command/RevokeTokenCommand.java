package io.billingbatch.access.command;

import java.util.Set;
import java.util.UUID;

import io.billingbatch.access.ApiPrincipal;
import io.billingbatch.access.JdbcApiTokens.TokenRow;
import io.billingbatch.access.TokenAdministration;
import io.billingbatch.access.TokenAdministration.Revocation;
import io.billingbatch.launch.Command;
import io.billingbatch.launch.CommandContext;
import io.billingbatch.launch.CommandLine;
import io.billingbatch.launch.Invocation;
import io.billingbatch.launch.UsageException;

/** {@code revoke-token --id=<token id>}: the token is refused from its next request on; audited. */
public class RevokeTokenCommand implements Command<UUID> {

    @Override
    public String name() {
        return "revoke-token";
    }

    @Override
    public Set<String> options() {
        return Set.of("id");
    }

    @Override
    public String usage() {
        return "revoke-token   --id=<token id>   refused from its next request on (list-tokens shows the ids)";
    }

    @Override
    public UUID check(Invocation invocation) {
        String id = invocation.options().get("id");
        if (id == null) {
            throw new UsageException("revoke-token needs --id=<token id> (list-tokens shows them)");
        }
        try {
            return UUID.fromString(id);
        }
        catch (IllegalArgumentException ex) {
            throw new UsageException("--id must be a token id (uuid), was '" + id + "'");
        }
    }

    /** Tokens need the database alone: the command runs in the database layer (Command#answerFromDatabase). */
    @Override
    public java.util.List<Class<?>> databaseBeans() {
        return java.util.List.of(io.billingbatch.access.JdbcApiTokens.class, io.billingbatch.access.ApiAudit.class,
                TokenAdministration.class);
    }

    @Override
    public java.util.Optional<Integer> answerFromDatabase(UUID id, CommandContext context) {
        return java.util.Optional.of(run(id, context));
    }

    @Override
    public int run(UUID id, CommandContext context) {
        Revocation revocation = context.bean(TokenAdministration.class).revoke(id, ApiPrincipal.commandLine())
                .orElseThrow(() -> new UsageException("no token " + id + " (list-tokens --all shows every token)"));
        TokenRow token = revocation.token();
        if (!revocation.revokedNow()) {
            throw new UsageException("token " + id + " (" + token.name() + ") was already revoked at " + token.revoked().toInstant());
        }
        context.out().printf("token %s (%s, role %s) revoked: it is refused from now on%n", id, token.name(), token.role().word());
        return CommandLine.OK;
    }
}
