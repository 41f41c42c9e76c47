package io.billingbatch.access.command;

import java.util.List;
import java.util.Set;

import io.billingbatch.access.JdbcApiTokens;
import io.billingbatch.access.JdbcApiTokens.TokenRow;
import io.billingbatch.launch.Command;
import io.billingbatch.launch.CommandContext;
import io.billingbatch.launch.CommandLine;
import io.billingbatch.launch.Invocation;

/** {@code list-tokens [--all]}: the live API tokens (every one with {@code --all}), never a secret. */
public class ListTokensCommand implements Command<Boolean> {

    @Override
    public String name() {
        return "list-tokens";
    }

    @Override
    public Set<String> options() {
        return Set.of("all");
    }

    @Override
    public String usage() {
        return "list-tokens    [--all: revoked ones too]   the API tokens: id, role, name, customer, created, revoked";
    }

    @Override
    public Boolean check(Invocation invocation) {
        return invocation.flag("all");
    }

    /** Tokens need the database alone: the command runs in the database layer (Command#answerFromDatabase). */
    @Override
    public java.util.List<Class<?>> databaseBeans() {
        return java.util.List.of(JdbcApiTokens.class);
    }

    @Override
    public java.util.Optional<Integer> answerFromDatabase(Boolean all, CommandContext context) {
        return java.util.Optional.of(run(all, context));
    }

    @Override
    public int run(Boolean all, CommandContext context) {
        List<TokenRow> tokens = context.bean(JdbcApiTokens.class).list(all);
        for (TokenRow token : tokens) {
            context.out().printf("%s  %-8s  %s%s  created %s%s%n", token.id(), token.role().word(), token.name(),
                    token.customerId() == null ? "" : "  customer " + token.customerId(), token.created().toInstant(),
                    token.live() ? "" : "  REVOKED " + token.revoked().toInstant());
        }
        context.out().printf("%d %stoken(s)%s%n", tokens.size(), all ? "" : "live ",
                all ? "" : "; --all lists the revoked ones too");
        return CommandLine.OK;
    }
}
