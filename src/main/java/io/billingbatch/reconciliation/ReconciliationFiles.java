package io.billingbatch.reconciliation;

import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.billingbatch.batch.PeriodJobParameters;
import io.billingbatch.batch.PublishedRuns;
import io.billingbatch.report.ReportTitle;
import io.billingbatch.ledger.ReportPeriod;
import io.billingbatch.reconciliation.JdbcReconciliationRepository.Source;
import io.billingbatch.reconciliation.JdbcReconciliationRepository.KindCount;
import io.billingbatch.reconciliation.JdbcReconciliationRepository.Summary;
import io.billingbatch.report.CsvReportWriter;
import io.billingbatch.report.ReportColumn;
import io.billingbatch.report.ReportStore;
import io.billingbatch.report.ReportTable;
import io.billingbatch.report.XlsxReportWriter;

import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Writes {@code reconciliation-<period>.csv} (one row per finding) and the three-sheet workbook,
 * from the period's published run; a provisional run writes {@code -provisional} files from its
 * own results, and the final run removes them.
 */
@Component
public class ReconciliationFiles {

    static final ReportTable FINDINGS = new ReportTable("Findings", List.of(
            ReportColumn.instant("period_start"), ReportColumn.instant("period_end"), ReportColumn.text("zone", 16),
            ReportColumn.text("kind", 20), ReportColumn.id("account_id"), ReportColumn.id("ledger_id"),
            ReportColumn.usd("expected_usd"), ReportColumn.usd("actual_usd"), ReportColumn.usd("difference_usd"),
            ReportColumn.text("detail", 60)));

    static final ReportTable ACCOUNTS = new ReportTable("Accounts", List.of(
            ReportColumn.id("account_id"), ReportColumn.id("customer_id"), ReportColumn.text("account_name", 30),
            ReportColumn.usd("opening_usd"), ReportColumn.usd("credits_usd"),
            ReportColumn.usd("charges_call_usd").labelled("Charges: calls (USD)"),
            ReportColumn.usd("charges_sms_usd").labelled("Charges: SMS (USD)"),
            ReportColumn.usd("charges_number_usd").labelled("Charges: numbers (USD)"),
            ReportColumn.usd("other_debits_usd"), ReportColumn.usd("closing_usd"), ReportColumn.usd("stored_balance_usd"),
            ReportColumn.integer("ledger_rows", 12), ReportColumn.text("status", 30)));

    static final ReportTable SUMMARY = new ReportTable("Summary", List.of(
            ReportColumn.text("item", 34), ReportColumn.integer("count", 14), ReportColumn.usd("absolute_difference_usd")));

    private final JdbcReconciliationRepository reconciliations;

    private final ReportStore store;

    private final TransactionTemplate transaction;

    private final PublishedRuns publishedRuns;

    public ReconciliationFiles(JdbcReconciliationRepository reconciliations, ReportStore store,
            TransactionTemplate transaction, PublishedRuns publishedRuns) {
        this.reconciliations = reconciliations;
        this.store = store;
        this.transaction = transaction;
        this.publishedRuns = publishedRuns;
    }

    /** Summary rows that count findings of one kind carry this prefix; the chart shows them. */
    static final String FINDINGS_PREFIX = "findings: ";

    public static String baseName(ReportPeriod period) {
        return io.billingbatch.report.ReportFileNames.base("reconciliation", period);
    }

    /** The base name of a provisional run's files, {@code reconciliation-2026-11-provisional}. */
    public static String provisionalBaseName(ReportPeriod period) {
        return io.billingbatch.report.ReportFileNames.provisional("reconciliation", period);
    }

    /** Writes the period's files from its published run. */
    void write(ReportPeriod period) {
        ReportTitle title = publishedRuns.stamp(ReconciliationJobConfiguration.JOB_NAME, period)
                .map(stamp -> ReportTitle.of("Reconciliation", period, stamp.revision(), stamp.jobExecutionId(),
                        stamp.started(), null))
                .orElse(null);
        write(period, baseName(period), Source.published(period), null, title);
    }

    /**
     * Writes a provisional run's files from its own results (never published), each row led by
     * its as-of instant, then removes those results: the files are all a provisional run leaves.
     */
    void writeProvisional(PeriodJobParameters parameters, long jobInstanceId, long jobExecutionId, Instant started) {
        reconciliations.markFindingKinds(jobInstanceId);
        write(parameters.period(), provisionalBaseName(parameters.period()), Source.run(jobInstanceId),
                parameters.provisionalAsOf(), ReportTitle.of("Reconciliation (provisional)", parameters.period(),
                        parameters.revision(), jobExecutionId, started, parameters.provisionalAsOf()));
        reconciliations.discardRun(jobInstanceId);
    }

    /** Removes the period's provisional files, if any: once the final report is there they are stale. */
    void removeProvisional(ReportPeriod period) {
        store.delete(period.key(), provisionalBaseName(period) + ".csv");
        store.delete(period.key(), provisionalBaseName(period) + ".xlsx");
    }

    private void write(ReportPeriod period, String base, Source source, Instant asOf, ReportTitle title) {
        // both files of the run are swapped in together, or neither: never a new CSV beside an old workbook
        store.writeAll(period.key(), List.of(new ReportStore.Content(base + ".csv", out -> {
            try (CsvReportWriter csv = new CsvReportWriter(out, table(FINDINGS, asOf))) {
                transaction.executeWithoutResult(status ->
                        reconciliations.forEachFinding(source, finding -> csv.row(row(asOf, findingRow(period, finding)))));
            }
        }), new ReportStore.Content(base + ".xlsx", out -> {
            try (XlsxReportWriter xlsx = new XlsxReportWriter(out)) {
                xlsx.title(title);
                int item = asOf == null ? 0 : 1;
                var summarySheet = xlsx.summary(table(SUMMARY, asOf)).chart("Findings by kind", item, item + 1, "Kind",
                        "Findings", row -> row[item] instanceof String label && label.startsWith(FINDINGS_PREFIX));
                Summary summary = reconciliations.summary(source);
                summarySheet.row(row(asOf, "accounts checked", summary.accountsChecked(), null));
                summarySheet.row(row(asOf, "accounts clean", summary.accountsClean(), null));
                BigInteger total = BigInteger.ZERO; // exact: differences can add up beyond a long
                for (KindCount kind : summary.kinds()) {
                    summarySheet.row(row(asOf, FINDINGS_PREFIX + kind.kind(), kind.findings(), kind.absoluteDifference()));
                    total = total.add(kind.absoluteDifference());
                }
                summarySheet.total(row(asOf, "total", summary.findings(), total));
                var accounts = xlsx.sheet(table(ACCOUNTS, asOf));
                transaction.executeWithoutResult(status -> reconciliations.forEachAccount(source, account -> {
                    int kinds = account.length - 1; // the account's finding kinds, shown as its status
                    account[kinds] = ((String) account[kinds]).isEmpty() ? "OK" : account[kinds];
                    accounts.row(row(asOf, account));
                }));
                var findings = xlsx.sheet(table(FINDINGS, asOf));
                transaction.executeWithoutResult(status -> reconciliations.forEachFinding(source,
                        finding -> findings.row(row(asOf, findingRow(period, finding)))));
            }
        })));
    }

    /** The table itself, or for a provisional run one led by {@code provisional_as_of} whose name says provisional. */
    private static ReportTable table(ReportTable table, Instant asOf) {
        if (asOf == null) {
            return table;
        }
        List<ReportColumn> columns = new ArrayList<>();
        columns.add(ReportColumn.instant("provisional_as_of"));
        columns.addAll(table.columns());
        return new ReportTable(table.name() + " (provisional)", columns);
    }

    private static Object[] row(Instant asOf, Object... values) {
        if (asOf == null) {
            return values;
        }
        Object[] row = new Object[values.length + 1];
        row[0] = asOf;
        System.arraycopy(values, 0, row, 1, values.length);
        return row;
    }

    private static Object[] findingRow(ReportPeriod period, Map<String, Object> finding) {
        return new Object[] { period.start(), period.end(), period.zone().getId(), finding.get("kind"),
                finding.get("account_id"), finding.get("ledger_id"), finding.get("expected"), finding.get("actual"),
                finding.get("difference"), finding.get("detail") };
    }

}
