package io.billingbatch.spend;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.UUID;

/**
 * An account's burn rate and runway as of an instant; money in micro-USD.
 * <p>
 * The burn rate is the higher of the last hour's spend and the last 24 hours' average per hour, so
 * a campaign that has just started counts at once and a quiet hour does not hide a busy day. Hours
 * left = balance / burn rate (0 when the balance is not positive); none (null) when the account
 * spent nothing in the last 24 hours. {@code autoTopUp}: {@code refills} when an enabled auto
 * top-up policy will refill it (not failing, room under its monthly cap for one more top-up),
 * {@code exhausted} when it has a policy that will not (disabled by failures, cap reached),
 * {@code none} without an enabled policy.
 */
public record Runway(UUID accountId, UUID customerId, String accountName, long balance, long spentLastHour,
        long spentLastDay, long spentLast7Days, String autoTopUp, boolean trafficPaused, Instant asOf) {

    public static final String REFILLS = "refills";

    public static final String EXHAUSTED = "exhausted";

    public static final String NONE = "none";

    /** Micro-USD per hour. */
    public long burnPerHour() {
        return Math.max(spentLastHour, spentLastDay / 24);
    }

    public boolean spending() {
        return burnPerHour() > 0;
    }

    /** Hours of balance left at the burn rate, two decimals rounded down; null when not spending. */
    public BigDecimal hoursLeft() {
        if (!spending()) {
            return null;
        }
        if (balance <= 0) {
            return BigDecimal.ZERO.setScale(2);
        }
        return BigDecimal.valueOf(balance).divide(BigDecimal.valueOf(burnPerHour()), 2, RoundingMode.DOWN);
    }

    /** Whole minutes left (the document's "minutes of balance left"); null when not spending. */
    public Long minutesLeft() {
        if (!spending()) {
            return null;
        }
        return balance <= 0 ? 0L : Math.multiplyExact(balance, 60L) / burnPerHour();
    }

    /** When the balance runs out at the burn rate; null when not spending. */
    public Instant runsOutAt() {
        if (!spending()) {
            return null;
        }
        return balance <= 0 ? asOf : asOf.plusSeconds(Math.multiplyExact(balance, 3_600L) / burnPerHour());
    }

    /** Whether the projected run-out is nearer than {@code hours}, and no auto top-up will refill the account. */
    public boolean low(BigDecimal hours) {
        BigDecimal left = hoursLeft();
        return left != null && left.compareTo(hours) < 0 && !REFILLS.equals(autoTopUp);
    }
}
