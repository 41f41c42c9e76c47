/**
 * The {@code reconciliation} job. Proves every account's balance against its ledger for a period:
 * opening balance + credits − charges = closing balance (and, for a period that includes now, the
 * stored balance), and finds the ledger rows that break the chain, are rated wrongly, are stuck
 * in progress, belong to no live account or charged a failed call. Stores accounts and findings
 * under the run, publishes them as the period's result with its seals (per account the last
 * posting, its snapshot, and the count and digest of the period's rows), and writes the CSV, XLSX
 * and manifest. Each run reads the ledger from the latest seal at or before its period's start
 * (from the beginning when there is none), not from the beginning of the ledger. A
 * provisional run (the running period, judged as of its as-of instant) is never published: it
 * writes {@code -provisional} files from its own results and then removes them. A month that has
 * ended is assembled from the published, sealed day runs inside it and reads only the gaps between
 * them from the ledger ({@link io.billingbatch.reconciliation.MonthSegments}).
 */
package io.billingbatch.reconciliation;
