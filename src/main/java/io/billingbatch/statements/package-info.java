/**
 * The {@code statements} job: a monthly statement of account per billing account, as PDF. Reads the
 * month's published reconciliation ({@code reconciliation_accounts} of the run in
 * {@code published_runs}: opening, credits, charges by type, other debits, closing), the published
 * cost report's records and units per type, and the month's top-up rows. Decides per account with
 * activity or a balance whether its statement is issued, or withheld because its reconciliation has
 * findings (or its cost report disagrees). Writes one PDF per issued statement (fonts embedded) to
 * {@code reports/<month>/statements/}, swapped in as a whole, and {@code statements-<month>.csv} (every
 * statement and withheld account, with the PDF's SHA-256) through the report store, so it is in the
 * month's manifest and finance pack.
 */
package io.billingbatch.statements;
