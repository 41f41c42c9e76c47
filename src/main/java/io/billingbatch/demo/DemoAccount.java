package io.billingbatch.demo;

import java.util.UUID;

/**
 * One simulated account: what goes into {@code billing_accounts} plus how it behaves.
 *
 * @param index position in the population, 0-based
 * @param createdMicros {@code tm_create}, at or before the start of the history
 * @param activationMicros when the opening top-up is posted; nothing of the account is posted earlier
 * @param openingTopUp the opening top-up in micro-USD
 * @param activity its relative share of all usage (log-normal: a few heavy accounts, many light ones)
 * @param callShare the share of its usage events that are calls (the rest are SMS)
 * @param numbers how many phone numbers it buys in its first days (1–3)
 */
record DemoAccount(int index, UUID id, UUID customerId, String name, String detail, String paymentType,
        String paymentMethod, long createdMicros, long activationMicros, long openingTopUp, double activity, double callShare,
        int numbers) {
}
