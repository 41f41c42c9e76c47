package io.billingbatch.reconciliation;

import java.math.BigDecimal;
import java.util.UUID;

/**
 * One account's balance equation for a period, all in micro-USD. {@code closingSnapshot} is null
 * when nothing was posted in the period. What the run's seal will hold: {@code lastPostingSeq}
 * (the last posting before the period's end, null if none), {@code lastSnapshot} (its snapshot, 0
 * if none), {@code lastExpected} (what the chain expected of it) and {@code rowDigest} (of the
 * {@code ledgerRows} posted in the period). {@code storedBalance} is null unless the period
 * includes now. {@code firstSeq} and {@code closingSeq} are the first and last posting_seq posted in
 * the period (null when none), which let a month reuse the runs of its days (see {@link MonthSegments}).
 */
record AccountBalance(UUID accountId, UUID customerId, String accountName, boolean accountExists,
        long opening, long net, long credits, long chargesCall, long chargesSms, long chargesNumber,
        Long closingSnapshot, Long storedBalance, long ledgerRows, Long lastPostingSeq, long lastSnapshot,
        Long lastExpected, BigDecimal rowDigest, Long firstSeq, Long closingSeq, ReadRows read) {

    /**
     * What the account step's read of the ledger leaves the ledger step for this account (null when it
     * read no row of it, or when the month was assembled from its days): the first posting read and
     * the postings to judge.
     */
    record ReadRows(Long firstSeq, long[] candidates) {
    }

    /** The same account without the stored balance: today's balance says nothing about a period that has ended. */
    AccountBalance withoutStoredBalance() {
        return new AccountBalance(accountId, customerId, accountName, accountExists, opening, net, credits, chargesCall,
                chargesSms, chargesNumber, closingSnapshot, null, ledgerRows, lastPostingSeq, lastSnapshot, lastExpected,
                rowDigest, firstSeq, closingSeq, read);
    }

    long closing() {
        return closingSnapshot != null ? closingSnapshot : opening;
    }

    /** Whatever moved the balance besides credits and the three charge types. */
    long otherDebits() {
        return Math.subtractExact(Math.subtractExact(Math.subtractExact(Math.subtractExact(credits, chargesCall), chargesSms),
                chargesNumber), net); // never wraps around silently
    }
}
