/**
 * The demo ledger: a deterministic (seeded) generator that fills an empty ledger
 * ({@code billing_accounts}, {@code billing_billings}) with a realistic history of top-ups,
 * calls, SMS and phone numbers, so the jobs and reports have something to work on.
 * <p>
 * It simulates one UTC day at a time (that day's events for all accounts, sorted by posting
 * time, with running balances per account), streams every slice into PostgreSQL {@code COPY}
 * in binary format, and never holds the whole ledger in memory. Every row it writes obeys the
 * ledger rules the reconciliation job checks: rated usage, an unbroken chain of balance
 * snapshots per account, a global {@code posting_seq} in {@code tm_posted} order and no
 * negative balance.
 */
package io.billingbatch.demo;
