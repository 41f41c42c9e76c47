package io.billingbatch.ledger;

import java.time.Instant;
import java.util.UUID;

/**
 * Published (as a Spring application event, in the posting's transaction) when a credit moved an
 * account's balance; the webhook outbox turns it into {@code billing_account.updated}. Amounts in
 * micro-USD; {@code eventId} is the posting's idempotency key, so a repeated event is one event.
 */
public record BalanceChanged(UUID eventId, Instant at, UUID accountId, UUID customerId, String name, long balance,
        long previousBalance) {
}
