package io.billingbatch.costreport;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import io.billingbatch.batch.PeriodJobParameters;
import io.billingbatch.batch.PublishedRuns;
import io.billingbatch.report.ReportTitle;
import io.billingbatch.costreport.JdbcCostReportRepository.TypeTotal;
import io.billingbatch.ledger.LedgerAmountBound;
import io.billingbatch.ledger.ReportPeriod;
import io.billingbatch.report.ColumnType;
import io.billingbatch.report.ContentWriter;
import io.billingbatch.report.CsvReportWriter;
import io.billingbatch.report.ReportColumn;
import io.billingbatch.report.ReportFileNames;
import io.billingbatch.report.ReportStore;
import io.billingbatch.report.ReportTable;
import io.billingbatch.report.StreamedReport;
import io.billingbatch.report.XlsxReportWriter;

import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Renders the published cost report of a period as {@code cost-report-<period>.csv} and
 * {@code .xlsx} (plus the folder's manifest). Both files come from the same ordered lines, so they
 * always agree; each appears atomically.
 */
@Component
public class CostReportFiles {

    static final ReportTable LINES = new ReportTable("Accounts", List.of(
            new ReportColumn("period_start", ColumnType.INSTANT, 22),
            new ReportColumn("period_end", ColumnType.INSTANT, 22),
            new ReportColumn("zone", ColumnType.TEXT, 16),
            new ReportColumn("account_id", ColumnType.ID, 38),
            new ReportColumn("customer_id", ColumnType.ID, 38),
            new ReportColumn("account_name", ColumnType.TEXT, 30),
            new ReportColumn("type", ColumnType.TEXT, 8),
            new ReportColumn("records", ColumnType.INTEGER, 12),
            new ReportColumn("billable_units", ColumnType.INTEGER, 16),
            new ReportColumn("cost_usd", ColumnType.USD, 18)));

    static final ReportTable SUMMARY = new ReportTable("Summary", List.of(
            new ReportColumn("type", ColumnType.TEXT, 12),
            new ReportColumn("records", ColumnType.INTEGER, 14),
            new ReportColumn("billable_units", ColumnType.INTEGER, 18),
            new ReportColumn("cost_usd", ColumnType.USD, 20)));

    /** A month's cost per day of its zone (the finance page's and the controller's "how did the month go"). */
    static final ReportTable BY_DAY = new ReportTable("By day", List.of(
            new ReportColumn("day", ColumnType.TEXT, 12),
            new ReportColumn("records", ColumnType.INTEGER, 14),
            new ReportColumn("cost_usd", ColumnType.USD, 20)));

    /** A provisional run's tables: the as-of instant leads every row, and the sheet names say provisional. */
    static final ReportTable PROVISIONAL_LINES = provisional(LINES);

    static final ReportTable PROVISIONAL_SUMMARY = provisional(SUMMARY);

    private static final org.slf4j.Logger logger = org.slf4j.LoggerFactory.getLogger(CostReportFiles.class);

    private final CostReportRepository costReports;

    private final ReportStore store;

    private final TransactionTemplate readOnly;

    private final PublishedRuns publishedRuns;

    private final LedgerAmountBound amountBound;

    public CostReportFiles(CostReportRepository costReports, ReportStore store, TransactionTemplate transactionTemplate,
            PublishedRuns publishedRuns, LedgerAmountBound amountBound) {
        this.costReports = costReports;
        this.store = store;
        this.readOnly = transactionTemplate;
        this.publishedRuns = publishedRuns;
        this.amountBound = amountBound;
    }

    /**
     * A month's "By day" sheet, next to the Summary: the cost per day of the zone and its total, which
     * is the month's; its chart is drawn on the Summary, under the chart of cost by type. The days are
     * those the aggregation step read with its lines ({@code aggregated}, from the same scan of the
     * ledger), or when it did not (a partitioned run, the files written again outside a run) from a
     * grouped statement over the ledger with the report's own rules; if they do not add up to the
     * published total to the micro-dollar (a group of an account and type whose sum did not fit a 64-bit
     * amount was rejected whole), the sheet is left out rather than shown wrong.
     */
    private java.util.function.Consumer<XlsxReportWriter> byDay(ReportPeriod period,
            Optional<List<CostReportRepository.DayTotal>> aggregated) {
        if (!period.isMonth()) {
            return xlsx -> {
            };
        }
        List<CostReportRepository.DayTotal> days = aggregated
                .orElseGet(() -> costReports.totalsByDay(period, amountBound.maxMicros()));
        long records = 0;
        long cost = 0;
        for (CostReportRepository.DayTotal day : days) {
            records = Math.addExact(records, day.records());
            cost = Math.addExact(cost, day.cost());
        }
        long reported = 0;
        for (TypeTotal total : costReports.totalsByType(period)) {
            reported = Math.addExact(reported, total.cost());
        }
        if (cost != reported) {
            logger.warn("Cost report {}: the days add up to {} micro-USD, the report to {}; no By day sheet", period.key(),
                    cost, reported);
            return xlsx -> {
            };
        }
        long totalRecords = records;
        long totalCost = cost;
        return xlsx -> {
            var sheet = xlsx.summary(BY_DAY);
            // the chart is on the Summary, under the one of cost by type; its series refer to this sheet's days
            xlsx.firstSummary().chart("Cost by day", sheet, 0, 2, "Day", "Cost (USD)", row -> true);
            for (CostReportRepository.DayTotal day : days) {
                sheet.row(day.day().toString(), day.records(), day.cost());
            }
            sheet.total("total", totalRecords, totalCost);
        };
    }

    /** The Summary sheet of a cost report workbook, with its chart of cost by type (a month's gets one of cost by day under it). */
    static XlsxReportWriter.SheetWriter summarySheet(XlsxReportWriter xlsx, ReportTable table) {
        int offset = table.columns().size() - SUMMARY.columns().size(); // the provisional as-of column
        return xlsx.summary(table).chart("Cost by type", offset, offset + 3, "Type", "Cost (USD)", row -> true);
    }

    /** The title block of the period's published run; none if nothing is published (a test writing files directly). */
    private ReportTitle title(ReportPeriod period) {
        return publishedRuns.stamp(CostReportJobConfiguration.JOB_NAME, period)
                .map(stamp -> ReportTitle.of("Cost report", period, stamp.revision(), stamp.jobExecutionId(),
                        stamp.started(), null))
                .orElse(null);
    }

    /** The base name of the period's cost report files: the zone is part of it unless it is UTC. */
    public static String baseName(ReportPeriod period) {
        return ReportFileNames.base(CostReportJobConfiguration.JOB_NAME, period);
    }

    /**
     * The base name of a provisional run's files, {@code cost-report-2026-11-provisional}: one pair
     * per period, replaced by the next provisional run and removed by the final run.
     */
    public static String provisionalBaseName(ReportPeriod period) {
        return ReportFileNames.provisional(CostReportJobConfiguration.JOB_NAME, period);
    }

    private static ReportTable provisional(ReportTable table) {
        List<ReportColumn> columns = new ArrayList<>();
        columns.add(new ReportColumn("provisional_as_of", ColumnType.INSTANT, 24));
        columns.addAll(table.columns());
        return new ReportTable(table.name() + " (provisional)", columns);
    }

    /**
     * Renders a provisional run's files from its own lines (never published), with
     * {@code period_end} and the leading {@code provisional_as_of} column at its as-of instant,
     * then removes those lines: the files are all that a provisional run leaves.
     */
    List<Path> writeProvisional(PeriodJobParameters parameters, long jobInstanceId, long jobExecutionId, Instant started) {
        ReportPeriod covered = parameters.covered();
        Instant asOf = parameters.provisionalAsOf();
        List<Path> written = write(covered, provisionalBaseName(parameters.period()), out -> {
            try (CsvReportWriter csv = new CsvReportWriter(out, PROVISIONAL_LINES)) {
                forEachLineOfRun(jobInstanceId, line -> csv.row(provisionalRow(asOf, covered, line)));
            }
        }, out -> {
            try (XlsxReportWriter xlsx = new XlsxReportWriter(out)) {
                xlsx.title(ReportTitle.of("Cost report (provisional)", parameters.period(), parameters.revision(),
                        jobExecutionId, started, asOf));
                var summary = summarySheet(xlsx, PROVISIONAL_SUMMARY);
                long records = 0;
                long cost = 0;
                for (TypeTotal total : costReports.totalsOfRun(jobInstanceId)) {
                    summary.row(asOf, total.type(), total.records(), total.billableUnits(), total.cost());
                    records = Math.addExact(records, total.records());
                    cost = Math.addExact(cost, total.cost());
                }
                summary.total(asOf, "total", records, null, cost); // units of different types do not add up
                var accounts = xlsx.sheet(PROVISIONAL_LINES);
                forEachLineOfRun(jobInstanceId, line -> accounts.row(provisionalRow(asOf, covered, line)));
            }
        });
        costReports.discardRun(jobInstanceId);
        return written;
    }

    /** Removes the period's provisional files, if any: once the final report is there they are stale. */
    void removeProvisional(ReportPeriod period) {
        String base = provisionalBaseName(period);
        store.delete(period.key(), base + ".csv");
        store.delete(period.key(), base + ".xlsx");
    }

    private void forEachLineOfRun(long jobInstanceId, java.util.function.Consumer<CostLine> consumer) {
        readOnly.executeWithoutResult(status -> costReports.forEachLineOfRun(jobInstanceId, consumer));
    }

    private static Object[] provisionalRow(Instant asOf, ReportPeriod covered, CostLine line) {
        Object[] row = lineRow(covered, line);
        Object[] withAsOf = new Object[row.length + 1];
        withAsOf[0] = asOf;
        System.arraycopy(row, 0, withAsOf, 1, row.length);
        return withAsOf;
    }

    /**
     * How the lines become the files when they are streamed: the same table, rows and summary as
     * {@link #write(ReportPeriod)} renders from the published lines, so both give the same bytes.
     */
    static StreamedReport.Layout<CostLine> layout(ReportPeriod period) {
        return new StreamedReport.Layout<>("cost-report", LINES, line -> lineRow(period, line), SUMMARY, TypeTotals::new,
                CostReportFiles::summarySheet);
    }

    /** The summary sheet as the table gives it: one row per type in type order, then the total. */
    private static final class TypeTotals implements StreamedReport.Summary<CostLine> {

        private final Map<String, long[]> totals = new TreeMap<>();

        @Override
        public void add(CostLine line) {
            long[] total = totals.computeIfAbsent(line.type(), type -> new long[3]);
            total[0] = Math.addExact(total[0], line.records()); // never wraps around silently
            total[1] = Math.addExact(total[1], line.billableUnits());
            total[2] = Math.addExact(total[2], line.cost());
        }

        @Override
        public void writeTo(XlsxReportWriter.SheetWriter summary) {
            long records = 0;
            long cost = 0;
            for (Map.Entry<String, long[]> total : totals.entrySet()) {
                long[] sums = total.getValue();
                summary.row(total.getKey(), sums[0], sums[1], sums[2]);
                records = Math.addExact(records, sums[0]);
                cost = Math.addExact(cost, sums[2]);
            }
            summary.total("total", records, null, cost); // units of different types do not add up
        }
    }

    /** Renders both files from the period's published lines (a month's days from the ledger). */
    public List<Path> write(ReportPeriod period) throws IOException {
        return write(period, null, Optional.empty());
    }

    /**
     * Writes both files at once, the workbook on a second thread. They come from the run's stream of
     * lines when it is whole (the run stored exactly what it saw, see {@link StreamedReport}),
     * otherwise from the published lines, which both read in the same order. {@code days}: a month's
     * day totals as the aggregation step read them, if it did.
     */
    List<Path> write(ReportPeriod period, StreamedReport<CostLine> stream, Optional<List<CostReportRepository.DayTotal>> days)
            throws IOException {
        String base = baseName(period);
        try {
            if (stream != null && stream.isWhole()) {
                logger.debug("Cost report {}: files from the aggregation step's stream", period.key());
                return write(period, base, stream.csvContent(), stream.workbookContent(title(period), byDay(period, days)));
            }
        }
        finally {
            if (stream != null) {
                stream.discard();
            }
        }
        logger.debug("Cost report {}: files from the published lines", period.key());
        return write(period, base, out -> {
            try (CsvReportWriter csv = new CsvReportWriter(out, LINES)) {
                forEachLine(period, line -> csv.row(lineRow(period, line)));
            }
        }, out -> writeWorkbook(period, days, out));
    }

    /** Both files of the run are swapped in together (the workbook rendered on a second thread), or neither. */
    private List<Path> write(ReportPeriod period, String base, ContentWriter csvContent, ContentWriter workbookContent) {
        return store.writeAll(period.key(), List.of(new ReportStore.Content(base + ".csv", csvContent),
                new ReportStore.Content(base + ".xlsx", workbookContent)));
    }

    private void writeWorkbook(ReportPeriod period, Optional<List<CostReportRepository.DayTotal>> days, java.io.OutputStream out)
            throws IOException {
        try (XlsxReportWriter xlsx = new XlsxReportWriter(out)) {
            xlsx.title(title(period));
            var summary = summarySheet(xlsx, SUMMARY);
            long records = 0;
            long cost = 0;
            for (TypeTotal total : costReports.totalsByType(period)) {
                summary.row(total.type(), total.records(), total.billableUnits(), total.cost());
                records = Math.addExact(records, total.records());
                cost = Math.addExact(cost, total.cost());
            }
            summary.total("total", records, null, cost); // units of different types do not add up
            var accounts = xlsx.sheet(LINES);
            forEachLine(period, line -> accounts.row(lineRow(period, line)));
            byDay(period, days).accept(xlsx); // started last, as on the streamed path (the same bytes); placed after the Summary
        }
    }

    private void forEachLine(ReportPeriod period, java.util.function.Consumer<CostLine> consumer) {
        // inside a transaction so the driver streams the lines instead of loading them all
        readOnly.executeWithoutResult(status -> costReports.forEachLine(period, consumer));
    }

    static Object[] lineRow(ReportPeriod period, CostLine line) {
        return new Object[] { period.start(), period.end(), period.zone().getId(), line.accountId(), line.customerId(),
                line.accountName(), line.type(), line.records(), line.billableUnits(), line.cost() };
    }
}
