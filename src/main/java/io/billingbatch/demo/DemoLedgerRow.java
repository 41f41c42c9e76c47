package io.billingbatch.demo;

import java.util.UUID;

/**
 * One row of {@code billing_billings} as the simulation posts it; times are epoch microseconds
 * (UTC), {@link #NO_TIME} where the column is null.
 */
record DemoLedgerRow(UUID id, DemoAccount account, DemoRowType type, UUID referenceId, int usageDuration,
        int billableUnits, long ratePerUnit, long amount, long balanceSnapshot, long postingSeq, long postedMicros,
        UUID idempotencyKey, long billingStartMicros, long billingEndMicros) {

    static final long NO_TIME = Long.MIN_VALUE;
}
