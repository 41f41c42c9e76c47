package io.billingbatch.ledger;

import java.time.Instant;
import java.util.UUID;

/** A row of {@code billing_accounts}; {@code balance} in micro-USD, {@code deleted} null while the account lives. */
public record BillingAccount(UUID id, UUID customerId, String name, String detail, String status, long balance,
        String paymentType, String paymentMethod, Instant created, Instant updated, Instant deleted) {
}
