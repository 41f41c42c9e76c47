package io.billingbatch.seals;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

/**
 * A seal that no longer holds: the account's rows in a sealed range (count and digest) or its last
 * posting before the range's end differ from what the reconciliation sealed. {@code expectedRows}
 * and {@code expectedDigest} are null for an account the seal does not hold; snapshots are micro-USD.
 */
public record SealFinding(String kind, UUID accountId, String period, String zone, Instant periodStart, Instant periodEnd,
        Long expectedRows, long actualRows, BigDecimal expectedDigest, BigDecimal actualDigest, Long expectedLastSeq,
        Long actualLastSeq, Long expectedSnapshot, Long actualSnapshot, String detail) {

    public static final String SEALED_PERIOD_CHANGED = "sealed_period_changed";
}
