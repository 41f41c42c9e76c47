package io.billingbatch.ledger;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The sanity bound on one ledger row's amount, {@code billing.ledger.max-row-amount} in USD
 * (default $1,000,000.00). A row whose {@code amount_credit} is beyond it either way (or NULL) is
 * not money the reports can trust: the cost report rejects it into {@code batch_item_rejects}, the
 * reconciliation reports it as an {@code invalid_amount} finding, and neither adds it to a sum. The
 * bound also keeps every sum a report makes far from the limits of a 64-bit micro-USD amount.
 */
@Component
public class LedgerAmountBound {

    public static final String PROPERTY = "billing.ledger.max-row-amount";

    private final long maxMicros;

    public LedgerAmountBound(@Value("${" + PROPERTY + ":1000000.00}") String maxUsd) {
        long micros;
        try {
            micros = Money.fromUsd(maxUsd);
        }
        catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException(PROPERTY + " must be a USD amount like 1000000.00, was '" + maxUsd + "'", ex);
        }
        if (micros <= 0) {
            throw new IllegalArgumentException(PROPERTY + " must be above zero, was '" + maxUsd + "'");
        }
        this.maxMicros = micros;
    }

    /** The largest amount a row may carry either way, in micro-USD. */
    public long maxMicros() {
        return maxMicros;
    }

    /** Whether a row's amount is present and within the bound either way. */
    public boolean allows(Long amountMicros) {
        return amountMicros != null && amountMicros >= -maxMicros && amountMicros <= maxMicros;
    }

    /** Why a row's amount is not taken, in one phrase. */
    public String reason(Long amountMicros) {
        if (amountMicros == null) {
            return "amount_credit is NULL";
        }
        return "amount_credit " + Money.toUsd(amountMicros) + " USD is beyond the bound of ±" + Money.toUsd(maxMicros)
                + " USD (" + PROPERTY + ")";
    }
}
