/**
 * The {@code auto-topup} job. Reads the accounts whose enabled policy's threshold is above their
 * balance; a stored row that is not a valid policy (possible only by a direct write) is rejected
 * with its reason into the report and {@code batch_item_rejects}, the others go on. For each, locks
 * the account, checks its balance, status and caps again and, in one transaction, credits it with a
 * ledger row (idempotency key from account + business date + sequence), its audit row and its
 * {@code billing_account.updated} event. Then raises {@code billing_account.low_balance} once per
 * account, level and day, and writes the day's report.
 */
package io.billingbatch.topup;
