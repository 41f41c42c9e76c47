package io.billingbatch.topup;

import java.util.Set;
import java.util.UUID;

import io.billingbatch.launch.Command;
import io.billingbatch.launch.CommandContext;
import io.billingbatch.launch.CommandLine;
import io.billingbatch.launch.Invocation;
import io.billingbatch.launch.UsageException;
import io.billingbatch.ledger.Money;

/** {@code topup-policy --account=<id> ...}: saves an account's auto top-up policy and its funding. */
public class TopUpPolicyCommand implements Command<TopUpPolicyCommand.Arguments> {

    /** The policy as given, with its funding and how many failed payments in a row disable it. */
    public record Arguments(TopUpPolicy policy, String funding, int maxFailures) {
    }

    @Override
    public String name() {
        return "topup-policy";
    }

    @Override
    public Set<String> options() {
        return Set.of("account", "threshold", "mode", "amount", "target", "max-per-day", "monthly-cap", "disable", "funding",
                "max-failures");
    }

    @Override
    public String usage() {
        return """
                topup-policy   --account=<id> [--threshold=50.00] [--mode=fixed|target] [--amount=100.00]
                               [--target=200.00] [--max-per-day=1] [--monthly-cap=1000.00] [--disable]
                               [--funding=grant|http] [--max-failures=3]""";
    }

    @Override
    public Arguments check(Invocation invocation) {
        TopUpPolicy policy = policy(invocation);
        String funding = TopUpPolicy.fundingOrDefault(invocation.options().get("funding"));
        if (!"grant".equals(funding) && !"http".equals(funding)) {
            throw new UsageException("--funding must be grant or http, was '" + funding + "'");
        }
        int maxFailures = (int) invocation.longOption("max-failures", TopUpPolicy.DEFAULT_MAX_CONSECUTIVE_FAILURES, 1, 1_000);
        return new Arguments(policy, funding, maxFailures);
    }

    @Override
    public int run(Arguments arguments, CommandContext context) {
        TopUpPolicy policy = arguments.policy();
        JdbcTopUpPolicies policies = context.bean(JdbcTopUpPolicies.class);
        policies.save(policy);
        policies.useFunding(policy.accountId(), arguments.funding(), arguments.maxFailures());
        context.out().printf("auto top-up policy saved for account %s: %s, below %s USD, %s, at most %d a day and %s USD"
                + " a month, funding %s%n", policy.accountId(), policy.enabled() ? "enabled" : "disabled",
                Money.toUsd(policy.threshold()), "fixed".equals(policy.mode()) ? "add " + Money.toUsd(policy.amount())
                        + " USD" : "up to " + Money.toUsd(policy.target()) + " USD", policy.maxPerDay(),
                Money.toUsd(policy.monthlyCap()), arguments.funding());
        return CommandLine.OK;
    }

    private static TopUpPolicy policy(Invocation invocation) {
        String account = invocation.options().get("account");
        UUID accountId;
        try {
            accountId = UUID.fromString(account == null ? "" : account);
        }
        catch (IllegalArgumentException ex) {
            throw new UsageException("--account must be a billing account id (uuid), was '" + account + "'");
        }
        return TopUpPolicy.withDefaults(accountId, !invocation.flag("disable"), usd(invocation, "threshold"),
                invocation.options().get("mode"), usd(invocation, "amount"), usd(invocation, "target"),
                invocation.options().containsKey("max-per-day")
                        ? (int) invocation.longOption("max-per-day", TopUpPolicy.DEFAULT_MAX_PER_DAY, 1, 1_000) : null,
                usd(invocation, "monthly-cap"));
    }

    /** A USD option in micro-USD, null when not given. */
    private static Long usd(Invocation invocation, String option) {
        String usd = invocation.options().get(option);
        return usd == null ? null : Money.fromUsd(usd);
    }
}
