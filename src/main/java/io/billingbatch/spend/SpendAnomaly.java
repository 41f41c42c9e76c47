package io.billingbatch.spend;

import java.time.LocalDate;
import java.util.UUID;

/** A day whose spend of one type stood far outside the account's recent days; money in micro-USD. */
public record SpendAnomaly(LocalDate day, String zone, UUID accountId, UUID customerId, String accountName, String type,
        long spend, long baselineMedian, long baselineSpread, int baselineDays) {
}
