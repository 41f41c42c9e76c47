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
 * {@link io.billingbatch.report.ReportFileNames} names every job's files. A chunk step that wants its
 * files rendered while it stores uses a job-scoped {@link io.billingbatch.report.StreamedReportWriter},
 * which feeds each committed chunk to a {@link io.billingbatch.report.StreamedReport}.
 */
package io.billingbatch.report;
