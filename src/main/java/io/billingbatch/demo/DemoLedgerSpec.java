package io.billingbatch.demo;

import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;

/**
 * What the demo ledger should look like: the same spec always produces the same rows.
 *
 * @param seed the seed of every random choice (names, activity, durations, ids)
 * @param accounts how many accounts (a tenth of the customers own two)
 * @param firstMonth the first calendar month of the history (UTC)
 * @param months how many calendar months the history covers
 * @param targetRows roughly how many ledger rows to write; met within a few percent
 */
public record DemoLedgerSpec(long seed, int accounts, YearMonth firstMonth, int months, long targetRows) {

    public static final int MAX_ACCOUNTS = 1_000_000;

    public static final int MAX_MONTHS = 120;

    public static final long MAX_TARGET_ROWS = 2_000_000_000L;

    /**
     * @throws IllegalArgumentException naming the offending value when the spec cannot be generated
     */
    public DemoLedgerSpec {
        if (firstMonth == null) {
            throw new IllegalArgumentException("firstMonth is required, for example 2026-01");
        }
        if (accounts < 1 || accounts > MAX_ACCOUNTS) {
            throw new IllegalArgumentException(
                    "accounts must be between 1 and " + MAX_ACCOUNTS + ", was " + accounts);
        }
        if (months < 1 || months > MAX_MONTHS) {
            throw new IllegalArgumentException("months must be between 1 and " + MAX_MONTHS + ", was " + months);
        }
        long minimum = minimumRows(accounts, months);
        if (targetRows < minimum || targetRows > MAX_TARGET_ROWS) {
            throw new IllegalArgumentException(("targetRows must be between %d and %d for %d accounts over %d months"
                    + " (each account needs an opening top-up, up to 3 numbers with their monthly renewals,"
                    + " and some usage), was %d").formatted(minimum, MAX_TARGET_ROWS, accounts, months, targetRows));
        }
    }

    /** Seed 42, 2,000 accounts, the 3 months before {@code endExclusive}, 300,000 rows. */
    public static DemoLedgerSpec defaults(YearMonth endExclusive) {
        return new DemoLedgerSpec(42, 2_000, endExclusive.minusMonths(3), 3, 300_000);
    }

    /** The fewest rows a history of this size can have: {@code accounts × (2 + 3 × months)}. */
    public static long minimumRows(int accounts, int months) {
        return accounts * (2L + 3L * months);
    }

    /** The first instant of the history: the start of {@code firstMonth} in UTC. */
    public Instant start() {
        return firstMonth.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
    }

    /** The end (exclusive) of the history: the start of the month after the last one, in UTC. */
    public Instant end() {
        return firstMonth.plusMonths(months).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
    }
}
