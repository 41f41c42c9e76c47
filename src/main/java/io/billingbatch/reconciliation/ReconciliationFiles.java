package io.billingbatch.reconciliation;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;

import io.billingbatch.ledger.ReportPeriod;
import io.billingbatch.reconciliation.JdbcReconciliationRepository.KindCount;
import io.billingbatch.reconciliation.JdbcReconciliationRepository.Summary;
import io.billingbatch.report.CsvReportWriter;
import io.billingbatch.report.ReportColumn;
import io.billingbatch.report.ReportStore;
import io.billingbatch.report.ReportTable;
import io.billingbatch.report.XlsxReportWriter;

import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/** Writes {@code reconciliation-<period>.csv} (one row per finding) and the three-sheet workbook. */
@Component
public class ReconciliationFiles {

    static final ReportTable FINDINGS = new ReportTable("Findings", List.of(
            ReportColumn.instant("period_start"), ReportColumn.instant("period_end"), ReportColumn.text("zone", 16),
            ReportColumn.text("kind", 20), ReportColumn.id("account_id"), ReportColumn.id("ledger_id"),
            ReportColumn.usd("expected_usd"), ReportColumn.usd("actual_usd"), ReportColumn.usd("difference_usd"),
            ReportColumn.text("detail", 60)));

    static final ReportTable ACCOUNTS = new ReportTable("Accounts", List.of(
            ReportColumn.id("account_id"), ReportColumn.id("customer_id"), ReportColumn.text("account_name", 30),
            ReportColumn.usd("opening_usd"), ReportColumn.usd("credits_usd"), ReportColumn.usd("charges_call_usd"),
            ReportColumn.usd("charges_sms_usd"), ReportColumn.usd("charges_number_usd"),
            ReportColumn.usd("other_debits_usd"), ReportColumn.usd("closing_usd"), ReportColumn.usd("stored_balance_usd"),
            ReportColumn.integer("ledger_rows", 12), ReportColumn.text("status", 30)));

    static final ReportTable SUMMARY = new ReportTable("Summary", List.of(
            ReportColumn.text("item", 34), ReportColumn.integer("count", 14), ReportColumn.usd("absolute_difference_usd")));

    private final JdbcReconciliationRepository reconciliations;

    private final ReportStore store;

    private final TransactionTemplate transaction;

    public ReconciliationFiles(JdbcReconciliationRepository reconciliations, ReportStore store,
            TransactionTemplate transaction) {
        this.reconciliations = reconciliations;
        this.store = store;
        this.transaction = transaction;
    }

    public static String baseName(ReportPeriod period) {
        String zone = period.zone().getId();
        return "reconciliation-" + period.key() + ("UTC".equals(zone) ? "" : "-" + zone.replace('/', '_'));
    }

    void write(ReportPeriod period) {
        String base = baseName(period);
        // both files of the run are swapped in together, or neither: never a new CSV beside an old workbook
        store.writeAll(period.key(), List.of(new ReportStore.Content(base + ".csv", out -> {
            try (CsvReportWriter csv = new CsvReportWriter(out, FINDINGS)) {
                transaction.executeWithoutResult(status ->
                        reconciliations.forEachFinding(period, finding -> csv.row(findingRow(period, finding))));
            }
        }), new ReportStore.Content(base + ".xlsx", out -> {
            try (XlsxReportWriter xlsx = new XlsxReportWriter(out)) {
                var summarySheet = xlsx.sheet(SUMMARY);
                Summary summary = reconciliations.summary(period);
                summarySheet.row("accounts checked", summary.accountsChecked(), null);
                summarySheet.row("accounts clean", summary.accountsClean(), null);
                BigInteger total = BigInteger.ZERO; // exact: differences can add up beyond a long
                for (KindCount kind : summary.kinds()) {
                    summarySheet.row("findings: " + kind.kind(), kind.findings(), kind.absoluteDifference());
                    total = total.add(kind.absoluteDifference());
                }
                summarySheet.total("total", summary.findings(), total);
                var accounts = xlsx.sheet(ACCOUNTS);
                transaction.executeWithoutResult(status -> reconciliations.forEachAccount(period, account -> {
                    String kinds = (String) account.get("finding_kinds");
                    accounts.row(account.get("account_id"), account.get("customer_id"), account.get("account_name"),
                            account.get("opening"), account.get("credits"), account.get("charges_call"),
                            account.get("charges_sms"), account.get("charges_number"), account.get("other_debits"),
                            account.get("closing"), account.get("stored_balance"), account.get("ledger_rows"),
                            kinds.isEmpty() ? "OK" : kinds);
                }));
                var findings = xlsx.sheet(FINDINGS);
                transaction.executeWithoutResult(status ->
                        reconciliations.forEachFinding(period, finding -> findings.row(findingRow(period, finding))));
            }
        })));
    }

    private static Object[] findingRow(ReportPeriod period, Map<String, Object> finding) {
        return new Object[] { period.start(), period.end(), period.zone().getId(), finding.get("kind"),
                finding.get("account_id"), finding.get("ledger_id"), finding.get("expected"), finding.get("actual"),
                finding.get("difference"), finding.get("detail") };
    }

}
