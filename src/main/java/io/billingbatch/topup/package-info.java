/**
 * The {@code auto-topup} job. Reads the accounts whose enabled policy's threshold is above their
 * balance; for each, locks the account, checks its balance, status and caps again and, in one
 * transaction, credits it with a ledger row (idempotency key from account + business date +
 * sequence), its audit row and its {@code billing_account.updated} event. Then raises
 * {@code billing_account.low_balance} once per account, level and day, and writes the day's report.
 */
package io.billingbatch.topup;
