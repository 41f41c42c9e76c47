package io.billingbatch.access.command;

import java.util.Set;
import java.util.UUID;

import io.billingbatch.access.JdbcApiTokens;
import io.billingbatch.access.Role;
import io.billingbatch.launch.Command;
import io.billingbatch.launch.CommandContext;
import io.billingbatch.launch.CommandLine;
import io.billingbatch.launch.Invocation;
import io.billingbatch.launch.UsageException;
import io.billingbatch.ledger.JdbcBillingAccounts;

/** {@code create-token --name=<who> --role=...}: an API token; its secret is printed once, only its hash is stored. */
public class CreateTokenCommand implements Command<CreateTokenCommand.TokenRequest> {

    public record TokenRequest(String name, Role role, UUID customerId) {
    }

    @Override
    public String name() {
        return "create-token";
    }

    @Override
    public Set<String> options() {
        return Set.of("name", "role", "customer");
    }

    @Override
    public String usage() {
        return """
                create-token   --name=<who> --role=admin|finance|customer [--customer=<customer id>]
                               prints the token's secret once (only its hash is stored)""";
    }

    @Override
    public TokenRequest check(Invocation invocation) {
        String name = invocation.options().get("name");
        if (name == null || name.isBlank()) {
            throw new UsageException("create-token needs --name=<who uses it>");
        }
        Role role = Role.of(invocation.option("role", ""));
        String customer = invocation.options().get("customer");
        UUID customerId = null;
        if (customer != null) {
            try {
                customerId = UUID.fromString(customer);
            }
            catch (IllegalArgumentException ex) {
                throw new UsageException("--customer must be a customer id (uuid), was '" + customer + "'");
            }
        }
        if ((role == Role.CUSTOMER) != (customerId != null)) {
            throw new UsageException(role == Role.CUSTOMER ? "a customer token needs --customer=<customer id>"
                    : "--customer is only for --role=customer");
        }
        return new TokenRequest(name, role, customerId);
    }

    /** Tokens need the database alone: the command runs in the database layer (Command#answerFromDatabase). */
    @Override
    public java.util.List<Class<?>> databaseBeans() {
        return java.util.List.of(JdbcApiTokens.class, JdbcBillingAccounts.class);
    }

    @Override
    public java.util.Optional<Integer> answerFromDatabase(TokenRequest request, CommandContext context) {
        return java.util.Optional.of(run(request, context));
    }

    @Override
    public int run(TokenRequest request, CommandContext context) {
        if (request.customerId() != null && context.bean(JdbcBillingAccounts.class).page(request.customerId(), null, 1).isEmpty()) {
            // a token that can read nothing is a typo in --customer, not something to hand out
            throw new UsageException("customer " + request.customerId() + " has no billing account: check --customer"
                    + " (a customer token reads only its customer's accounts)");
        }
        JdbcApiTokens.CreatedToken created = context.bean(JdbcApiTokens.class).create(request.name(), request.role(),
                request.customerId());
        context.out().printf("token %s created for %s (role %s%s). Its secret, shown only now:%n%s%n",
                created.principal().tokenId(), created.principal().name(), request.role().word(),
                request.customerId() == null ? "" : ", customer " + request.customerId(), created.secret());
        return CommandLine.OK;
    }
}
