package io.billingbatch.reconciliation;

import java.util.List;
import java.util.UUID;

/**
 * Something the ledger does not prove. Amounts are micro-USD; {@code difference} = actual −
 * expected where both are known. The key identifies the finding within a run.
 */
record Finding(String kind, UUID accountId, UUID ledgerId, Long expected, Long actual, String detail) {

    static final String BALANCE_MISMATCH = "balance_mismatch";
    static final String CHAIN_BREAK = "chain_break";
    static final String RATING_MISMATCH = "rating_mismatch";
    static final String STUCK_PROGRESSING = "stuck_progressing";
    static final String ORPHAN = "orphan";
    static final String NEGATIVE_BALANCE = "negative_balance";
    static final String CHARGED_FAILED_CALL = "charged_failed_call";
    static final String INVALID_AMOUNT = "invalid_amount";

    /** Every kind, in the order the reports list them. */
    static final List<String> KINDS = List.of(BALANCE_MISMATCH, CHAIN_BREAK, RATING_MISMATCH, STUCK_PROGRESSING, ORPHAN,
            NEGATIVE_BALANCE, CHARGED_FAILED_CALL, INVALID_AMOUNT);

    /** Null where either side is unknown, or where the difference itself does not fit a long. */
    Long difference() {
        if (expected == null || actual == null) {
            return null;
        }
        try {
            return Math.subtractExact(actual, expected);
        }
        catch (ArithmeticException ex) {
            return null;
        }
    }

    String key() {
        return kind + "/" + accountId + "/" + (ledgerId == null ? "-" : ledgerId) + "/" + detail.hashCode();
    }
}
