/**
 * The {@code cost-report} job. Reads the ledger rows posted in a period (grouped by PostgreSQL per
 * account and charge type), rejects groups that are not valid charges, stores the per account ×
 * type totals under the run, publishes them as the period's result (replacing an earlier run's in
 * one transaction), then writes the CSV, XLSX and manifest for finance under
 * {@code reports/<period>/}.
 */
package io.billingbatch.costreport;
