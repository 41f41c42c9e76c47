package io.billingbatch.webhook;

import java.time.Instant;
import java.util.UUID;

/**
 * A {@code billing_account.*} event about one account; amounts in micro-USD, written to receivers
 * as USD decimals exactly as the document shows.
 */
public record BillingAccountEvent(UUID eventId, String eventType, Instant timestamp, UUID accountId, UUID customerId,
        String name, long balance, long previousBalance) {

    public static final String UPDATED = "billing_account.updated";

    public static final String LOW_BALANCE = "billing_account.low_balance";

    /** An auto top-up attempt failed (payment declined or timed out); balance unchanged. */
    public static final String AUTO_TOPUP_FAILED = "billing_account.auto_topup_failed";

    /** The auto top-up policy disabled itself after its consecutive-failure limit. */
    public static final String AUTO_TOPUP_DISABLED = "billing_account.auto_topup_disabled";

    public long change() {
        return balance - previousBalance;
    }
}
