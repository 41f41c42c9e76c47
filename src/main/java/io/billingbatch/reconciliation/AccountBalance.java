package io.billingbatch.reconciliation;

import java.util.UUID;

/**
 * One account's balance equation for a period, all in micro-USD. {@code closingSnapshot} is null
 * when nothing was posted in the period; {@code latestSnapshot} is the last snapshot ever posted;
 * {@code firstSeq} and {@code closingSeq} are the first and last posting_seq posted in the period (null
 * when none), which let a month reuse the run of a day (see {@link MonthSegments}).
 */
record AccountBalance(UUID accountId, UUID customerId, String accountName, boolean accountExists,
        long opening, long net, long credits, long chargesCall, long chargesSms, long chargesNumber,
        Long closingSnapshot, Long latestSnapshot, Long storedBalance, long ledgerRows, Long firstSeq, Long closingSeq) {

    long closing() {
        return closingSnapshot != null ? closingSnapshot : opening;
    }

    /** Whatever moved the balance besides credits and the three charge types. */
    long otherDebits() {
        return Math.subtractExact(Math.subtractExact(Math.subtractExact(Math.subtractExact(credits, chargesCall), chargesSms),
                chargesNumber), net); // never wraps around silently
    }
}
