package io.billingbatch.topup;

import java.util.UUID;

import io.billingbatch.ledger.Money;

/**
 * An account's auto top-up policy, in micro-USD. Defaults follow the document: below $50.00,
 * add $100.00. {@code fixed} adds {@code amount}; {@code target} adds what brings the balance to
 * {@code target}, in one credit. The defaults live here once: {@link #withDefaults} fills in what
 * {@code topup-policy} and the API were not given, and the table's column defaults (V6) are the same
 * values (a test holds them together).
 */
public record TopUpPolicy(UUID accountId, boolean enabled, long threshold, String mode, long amount, Long target,
        int maxPerDay, long monthlyCap) {

    public static final long DEFAULT_THRESHOLD = 50_000_000;

    public static final String DEFAULT_MODE = "fixed";

    public static final long DEFAULT_AMOUNT = 100_000_000;

    public static final int DEFAULT_MAX_PER_DAY = 1;

    public static final long DEFAULT_MONTHLY_CAP = 1_000_000_000;

    public static final String DEFAULT_FUNDING = "grant";

    public static final int DEFAULT_MAX_CONSECUTIVE_FAILURES = 3;

    /**
     * The one place the rules of a policy live: the command line, the API and the job (for rows
     * already stored) all build policies here, and the table's CHECK constraints (V11) mirror it.
     *
     * @throws IllegalArgumentException with the reason a policy cannot be accepted
     */
    public TopUpPolicy {
        if (threshold < 0) {
            throw new IllegalArgumentException("threshold must not be negative, was " + Money.toUsd(threshold));
        }
        if (!"fixed".equals(mode) && !"target".equals(mode)) {
            throw new IllegalArgumentException("mode must be fixed or target, was '" + mode + "'");
        }
        if ("fixed".equals(mode) && amount <= 0) {
            throw new IllegalArgumentException("amount must be positive, was " + Money.toUsd(amount));
        }
        if (amount < 0) {
            throw new IllegalArgumentException("amount must not be negative, was " + Money.toUsd(amount));
        }
        if ("target".equals(mode) && (target == null || target <= threshold)) {
            throw new IllegalArgumentException("target must be above the threshold " + Money.toUsd(threshold) + ", was "
                    + (target == null ? "missing" : Money.toUsd(target)));
        }
        if (maxPerDay < 1) {
            throw new IllegalArgumentException("max_per_day must be at least 1, was " + maxPerDay);
        }
        long smallestTopUp = "fixed".equals(mode) ? amount : target - threshold;
        if (monthlyCap < smallestTopUp) {
            throw new IllegalArgumentException("monthly_cap " + Money.toUsd(monthlyCap) + " is below one top-up of "
                    + Money.toUsd(smallestTopUp));
        }
    }

    /**
     * Checks how a policy's top-ups are paid.
     *
     * @throws IllegalArgumentException with the reason the funding cannot be accepted
     */
    public static void checkFunding(String funding, int maxConsecutiveFailures) {
        if (!"grant".equals(funding) && !"http".equals(funding)) {
            throw new IllegalArgumentException("funding must be grant or http, was '" + funding + "'");
        }
        if (maxConsecutiveFailures < 1) {
            throw new IllegalArgumentException("max_consecutive_failures must be at least 1, was " + maxConsecutiveFailures);
        }
    }

    /** A policy from what was given: each null takes its default (a missing target stays missing). */
    public static TopUpPolicy withDefaults(UUID accountId, Boolean enabled, Long threshold, String mode, Long amount,
            Long target, Integer maxPerDay, Long monthlyCap) {
        return new TopUpPolicy(accountId, enabled == null || enabled, threshold == null ? DEFAULT_THRESHOLD : threshold,
                mode == null ? DEFAULT_MODE : mode, amount == null ? DEFAULT_AMOUNT : amount, target,
                maxPerDay == null ? DEFAULT_MAX_PER_DAY : maxPerDay, monthlyCap == null ? DEFAULT_MONTHLY_CAP : monthlyCap);
    }

    /** How a policy's top-ups are paid when not said. */
    public static String fundingOrDefault(String funding) {
        return funding == null ? DEFAULT_FUNDING : funding;
    }

    /** After how many consecutive failed attempts a policy disables itself when not said. */
    public static int maxConsecutiveFailuresOrDefault(Integer maxConsecutiveFailures) {
        return maxConsecutiveFailures == null ? DEFAULT_MAX_CONSECUTIVE_FAILURES : maxConsecutiveFailures;
    }

    public static TopUpPolicy fixed(UUID accountId, long threshold, long amount, int maxPerDay, long monthlyCap) {
        return new TopUpPolicy(accountId, true, threshold, "fixed", amount, null, maxPerDay, monthlyCap);
    }

    public static TopUpPolicy target(UUID accountId, long threshold, long target, int maxPerDay, long monthlyCap) {
        return new TopUpPolicy(accountId, true, threshold, "target", 0, target, maxPerDay, monthlyCap);
    }

    /** What one top-up adds to {@code balance} before caps. */
    long wanted(long balance) {
        return "fixed".equals(mode) ? amount : target - balance;
    }
}
