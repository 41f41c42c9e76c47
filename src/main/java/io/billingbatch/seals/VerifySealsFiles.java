package io.billingbatch.seals;

import java.math.BigDecimal;
import java.util.List;

import io.billingbatch.batch.PublishedRuns;
import io.billingbatch.ledger.ReportPeriod;
import io.billingbatch.report.ReportTitle;
import io.billingbatch.report.CsvReportWriter;
import io.billingbatch.report.ReportColumn;
import io.billingbatch.report.ReportStore;
import io.billingbatch.report.ReportTable;
import io.billingbatch.report.XlsxReportWriter;

import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Writes {@code verify-seals-<period>.csv} (one row per finding) and the workbook (Summary,
 * Findings) from the period's published run, together, with the manifest.
 */
@Component
public class VerifySealsFiles {

    static final ReportTable FINDINGS = new ReportTable("Findings", List.of(
            ReportColumn.text("kind", 22), ReportColumn.text("sealed_period", 14), ReportColumn.text("zone", 16),
            ReportColumn.instant("period_start"), ReportColumn.instant("period_end"), ReportColumn.id("account_id"),
            ReportColumn.integer("expected_rows", 14), ReportColumn.integer("actual_rows", 14),
            ReportColumn.text("expected_digest_hex", 18), ReportColumn.text("actual_digest_hex", 18),
            ReportColumn.integer("expected_last_seq", 18), ReportColumn.integer("actual_last_seq", 18),
            ReportColumn.usd("expected_snapshot_usd"), ReportColumn.usd("actual_snapshot_usd"),
            ReportColumn.text("detail", 60)));

    static final ReportTable SUMMARY = new ReportTable("Summary", List.of(
            ReportColumn.text("item", 40), ReportColumn.integer("count", 16)));

    private final JdbcSealVerifications verifications;

    private final ReportStore store;

    private final TransactionTemplate transaction;

    private final PublishedRuns publishedRuns;

    public VerifySealsFiles(JdbcSealVerifications verifications, ReportStore store, TransactionTemplate transaction,
            PublishedRuns publishedRuns) {
        this.publishedRuns = publishedRuns;
        this.verifications = verifications;
        this.store = store;
        this.transaction = transaction;
    }

    public static String baseName(ReportPeriod period) {
        return io.billingbatch.report.ReportFileNames.base("verify-seals", period);
    }

    /** Writes the period's files from its published run. */
    void write(ReportPeriod period) {
        JdbcSealVerifications.Summary summary = verifications.summary(period).orElseThrow(() -> new IllegalStateException(
                "verify-seals " + period.key() + " (" + period.zone().getId() + ") has no published run to write files from"));
        String base = baseName(period);
        // both files of the run are swapped in together, or neither
        store.writeAll(period.key(), List.of(new ReportStore.Content(base + ".csv", out -> {
            try (CsvReportWriter csv = new CsvReportWriter(out, FINDINGS)) {
                transaction.executeWithoutResult(status -> verifications.forEachFinding(period, f -> csv.row(row(f))));
            }
        }), new ReportStore.Content(base + ".xlsx", out -> {
            try (XlsxReportWriter xlsx = new XlsxReportWriter(out)) {
                xlsx.title(publishedRuns.stamp(VerifySealsJobConfiguration.JOB_NAME, period)
                        .map(stamp -> ReportTitle.of("Seal verification", period, stamp.revision(), stamp.jobExecutionId(),
                                stamp.started(), null))
                        .orElse(null));
                var sheet = xlsx.summary(SUMMARY);
                sheet.row("sealed ranges checked (reconciliation runs)", summary.rangesChecked());
                sheet.row("seals checked (account x range)", summary.sealsChecked());
                sheet.row("ledger rows read", summary.rowsRead());
                sheet.row("rows checked (summed over the ranges)", summary.rowsChecked());
                sheet.total("findings: " + SealFinding.SEALED_PERIOD_CHANGED, summary.findings());
                var findings = xlsx.sheet(FINDINGS);
                transaction.executeWithoutResult(status -> verifications.forEachFinding(period, f -> findings.row(row(f))));
            }
        })));
    }

    private static Object[] row(SealFinding f) {
        return new Object[] { f.kind(), f.period(), f.zone(), f.periodStart(), f.periodEnd(), f.accountId(),
                f.expectedRows(), f.actualRows(), text(f.expectedDigest()), text(f.actualDigest()), f.expectedLastSeq(),
                f.actualLastSeq(), f.expectedSnapshot(), f.actualSnapshot(), f.detail() };
    }

    /**
     * A digest is a sum of 64-bit hashes, beyond a long and often negative: the files show it as 16
     * hex digits, the sum modulo 2^64 (a negative decimal would be neutralised as a formula, a
     * number cell would round it); {@code seal_findings} keeps the exact sums.
     */
    static String text(BigDecimal digest) {
        return digest == null ? null : String.format("%016x", digest.toBigIntegerExact().longValue());
    }
}
