/**
 * Report files shared by all jobs (cost report, reconciliation, top-up).
 * <p>
 * A {@link io.billingbatch.report.ReportTable} defines the columns once; the
 * {@link io.billingbatch.report.CsvReportWriter} and the streaming
 * {@link io.billingbatch.report.XlsxReportWriter} both render rows from it, formatting
 * micro-USD exactly and neutralising spreadsheet formula injection in text cells.
 * The {@link io.billingbatch.report.ReportStore} places the files under
 * {@code billing.reports.root/<period>/}, each written atomically (temp file, fsync, rename),
 * and keeps a deterministic {@code manifest.json} (name, size, SHA-256) per period folder.
 */
package io.billingbatch.report;
