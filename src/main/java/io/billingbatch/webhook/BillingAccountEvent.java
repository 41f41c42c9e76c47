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

    /** The projected run-out of the balance is nearer than billing.alerts.runway-hours; the data adds hours_left. */
    public static final String RUNWAY_LOW = "billing_account.runway_low";

    /** A day's spend of one type stood far outside the account's recent days; the data adds the day, type and figures. */
    public static final String SPEND_ANOMALY = "billing_account.spend_anomaly";

    public long change() {
        return balance - previousBalance;
    }
}
