/**
 * A customer's spend: the billing history of an account, its cost for any period (counted exactly
 * as the cost report counts it), an estimate of planned usage at the rates in force, the burn rate
 * and runway (and the {@code runway} job with its {@code billing_account.runway_low} event), the
 * {@code spend-anomalies} job (a day's spend per type against the account's own recent days) and
 * the per-account finance page. Everything reads the ledger; nothing here posts to it.
 */
package io.billingbatch.spend;
