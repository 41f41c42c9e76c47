/**
 * The {@code cost-report} job. Reads the ledger rows posted in a period (grouped by PostgreSQL per
 * account and charge type; for a month, in the same statement, per day of its zone for the
 * workbook's By day sheet), rejects groups that are not valid charges, stores the per account ×
 * type totals under the run, publishes them as the period's result (replacing an earlier run's in
 * one transaction), then writes the CSV, XLSX and manifest for finance under
 * {@code reports/<period>/}. A provisional run (the running period up to its as-of instant) is
 * never published: it writes {@code cost-report-<period>-provisional} files from its own lines and
 * then removes them; the final run removes those files.
 */
package io.billingbatch.costreport;
