package io.billingbatch.report;

import java.time.ZoneOffset;
import java.time.LocalDate;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.apache.poi.ss.usermodel.Cell;
import org.apache.poi.ss.usermodel.CellType;
import org.apache.poi.ss.usermodel.Row;
import org.apache.poi.ss.util.PaneInformation;
import org.apache.poi.xssf.usermodel.XSSFSheet;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class XlsxReportWriterTest {

    static final ReportTable USAGE = ReportTable.of("Usage",
            ReportColumn.id("account_id"),
            ReportColumn.text("description", 30),
            ReportColumn.integer("calls", 10),
            ReportColumn.usd("amount_usd"),
            ReportColumn.instant("posted_at"));

    static final UUID ACCOUNT = UUID.fromString("123e4567-e89b-12d3-a456-426614174000");

    @Test
    void writesTypedCellsUnderABoldFrozenFilteredHeader() throws IOException {
        // given
        var out = new ByteArrayOutputStream();

        // when
        try (var xlsx = new XlsxReportWriter(out)) {
            var usage = xlsx.sheet(USAGE);
            usage.row(ACCOUNT, "Calls, outbound", 1_200L, 12_340_000L, Instant.parse("2026-10-01T00:00:00Z"));
            usage.row("acct-7", null, 3, -1_000_001L, null);
            xlsx.sheet("Summary", List.of(ReportColumn.text("what", 12))).row("done");
        }

        // then
        try (XSSFWorkbook workbook = read(out)) {
            assertThat(sheetNames(workbook)).containsExactly("Usage", "Summary");
            XSSFSheet sheet = workbook.getSheet("Usage");
            assertHeader(workbook, sheet, "Account ID", "Description", "Calls", "Amount (USD)", "Posted at");
            assertFrozenHeaderAndFilter(sheet, "A1:E3");
            assertThat(sheet.getColumnWidth(1)).as("fits 'Calls, outbound'").isEqualTo(("Calls, outbound".length() + 2) * 256);
            assertThat(sheet.getColumnWidth(0)).as("fits a UUID").isEqualTo((36 + 2) * 256);
            assertThat(sheet.getColumnWidth(3)).as("fits 'Amount (USD)' and its filter button")
                    .isEqualTo(("Amount (USD)".length() + 3 + 2) * 256);

            Row first = sheet.getRow(1);
            assertThat(first.getCell(0).getStringCellValue()).isEqualTo(ACCOUNT.toString());
            assertThat(first.getCell(1).getCellType()).isEqualTo(CellType.STRING);
            assertThat(first.getCell(1).getStringCellValue()).isEqualTo("Calls, outbound");
            assertNumber(first.getCell(2), 1_200d, XlsxReportWriter.INTEGER_FORMAT);
            assertNumber(first.getCell(3), 12.34d, "\"$\"#,##0.00");
            assertThat(first.getCell(4).getCellType()).isEqualTo(CellType.STRING);
            assertThat(first.getCell(4).getStringCellValue()).isEqualTo("2026-10-01T00:00:00Z");

            Row second = sheet.getRow(2);
            assertThat(second.getCell(1)).isNull();
            assertNumber(second.getCell(3), -1.000001d, XlsxReportWriter.USD_FORMAT);
            assertThat(second.getCell(4)).isNull();

            assertThat(workbook.getSheet("Summary").getRow(1).getCell(0).getStringCellValue()).isEqualTo("done");
            assertFrozenHeaderAndFilter(workbook.getSheet("Summary"), "A1:A2");
        }
    }

    @Test
    void usesInlineStringsInsteadOfASharedStringsTable() throws IOException {
        // given
        var out = new ByteArrayOutputStream();

        // when
        try (var xlsx = new XlsxReportWriter(out)) {
            xlsx.sheet(USAGE).row("acct", "text", 1L, 1L, null);
        }

        // then
        try (XSSFWorkbook workbook = read(out)) {
            assertThat(workbook.getSharedStringSource() == null
                    || workbook.getSharedStringSource().getCount() == 0).isTrue();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "=1+2", "+1", "-1", "@SUM(A1)", "\tcmd", "\rcmd" })
    void neutralisesFormulaInjectionInTextAndIdCells(String dangerous) throws IOException {
        // given
        var out = new ByteArrayOutputStream();

        // when
        try (var xlsx = new XlsxReportWriter(out)) {
            xlsx.sheet(USAGE).row(dangerous, dangerous, -1L, -1_000_000L, null);
        }

        // then
        try (XSSFWorkbook workbook = read(out)) {
            Row row = workbook.getSheet("Usage").getRow(1);
            assertThat(row.getCell(0).getStringCellValue()).isEqualTo("'" + dangerous);
            assertThat(row.getCell(1).getStringCellValue()).isEqualTo("'" + dangerous);
            assertNumber(row.getCell(2), -1d, XlsxReportWriter.INTEGER_FORMAT);
            assertNumber(row.getCell(3), -1d, XlsxReportWriter.USD_FORMAT);
        }
    }

    @Test
    void continuesOnNumberedSheetsWithTheSameHeaderWhenASheetIsFull() throws IOException {
        // given
        var out = new ByteArrayOutputStream();

        // when
        try (var xlsx = new XlsxReportWriter(out, Instant.EPOCH, 5)) {
            var usage = xlsx.sheet(USAGE);
            for (int n = 1; n <= 12; n++) {
                usage.row("acct-" + n, "row " + n, (long) n, n * 1_000_000L, null);
            }
            usage.total(null, "Total", 78L, 78_000_000L, null);
            assertThat(usage.rowCount()).isEqualTo(12);
            assertThat(usage.sheetCount()).isEqualTo(3);
        }

        // then
        try (XSSFWorkbook workbook = read(out)) {
            assertThat(sheetNames(workbook)).containsExactly("Usage", "Usage (2)", "Usage (3)");
            for (XSSFSheet sheet : List.of(workbook.getSheetAt(0), workbook.getSheetAt(1), workbook.getSheetAt(2))) {
                assertHeader(workbook, sheet, "Account ID", "Description", "Calls", "Amount (USD)", "Posted at");
            }
            assertFrozenHeaderAndFilter(workbook.getSheetAt(0), "A1:E6");
            assertFrozenHeaderAndFilter(workbook.getSheetAt(1), "A1:E6");
            assertFrozenHeaderAndFilter(workbook.getSheetAt(2), "A1:E3");
            assertThat(workbook.getSheetAt(0).getLastRowNum()).isEqualTo(5);
            assertThat(workbook.getSheetAt(1).getRow(1).getCell(0).getStringCellValue()).isEqualTo("acct-6");
            assertThat(workbook.getSheetAt(2).getRow(2).getCell(0).getStringCellValue()).isEqualTo("acct-12");

            Row total = workbook.getSheetAt(2).getRow(3);
            assertThat(total.getCell(1).getStringCellValue()).isEqualTo("Total");
            assertThat(workbook.getFontAt(total.getCell(1).getCellStyle().getFontIndex()).getBold()).isTrue();
            assertThat(workbook.getFontAt(total.getCell(3).getCellStyle().getFontIndex()).getBold()).isTrue();
            assertNumber(total.getCell(3), 78d, XlsxReportWriter.USD_FORMAT);
            assertThat(workbook.getFontAt(workbook.getSheetAt(2).getRow(2).getCell(1).getCellStyle().getFontIndex())
                    .getBold()).isFalse();
        }
    }

    @Test
    void aSummarySheetHasItsTitleBlockAboveTheTableAndAChartOfItsRows() throws IOException {
        // given
        var out = new ByteArrayOutputStream();
        ReportTable summaryTable = ReportTable.of("Summary", ReportColumn.text("type", 8), ReportColumn.integer("records", 8),
                ReportColumn.usd("cost_usd"));
        var period = io.billingbatch.ledger.ReportPeriod.parse("2026-10", "UTC");

        // when: the title comes last, as when a run is published after its rows were streamed
        try (var xlsx = new XlsxReportWriter(out)) {
            var summary = xlsx.summary(summaryTable).chart("Cost by type", 0, 2, "Type", "Cost (USD)", row -> true);
            summary.row("call", 1_234_567L, 106_918_928_000L);
            summary.row("sms", 12L, 96_000L);
            summary.total("total", 1_234_579L, 107_015_024_001L);
            xlsx.sheet(USAGE).row("acct-1", "x", 1L, 1L, null);
            xlsx.title(ReportTitle.of("Cost report", period, 2, 41, Instant.parse("2026-11-01T03:00:00Z"), null));
        }

        // then
        try (XSSFWorkbook workbook = read(out)) {
            assertThat(sheetNames(workbook)).containsExactly("Summary", "Usage");
            XSSFSheet sheet = workbook.getSheet("Summary");
            assertThat(sheet.getRow(0).getCell(0).getStringCellValue()).isEqualTo("Cost report");
            List<String> title = IntStream.rangeClosed(1, 4)
                    .mapToObj(i -> sheet.getRow(i).getCell(0).getStringCellValue() + ": " + sheet.getRow(i).getCell(1).getStringCellValue())
                    .toList();
            assertThat(title).containsExactly(
                    "Period: 2026-10 (UTC): 2026-10-01T00:00:00Z to 2026-11-01T00:00:00Z", "Revision: 2",
                    "Generated at: 2026-11-01T03:00:00Z", "Job execution: 41");
            Row header = sheet.getRow(6);
            assertThat(header.getCell(0).getStringCellValue()).isEqualTo("Type");
            assertThat(header.getCell(2).getStringCellValue()).isEqualTo("Cost (USD)");
            assertThat(sheet.getPaneInformation().getHorizontalSplitPosition()).isEqualTo((short) 7);
            assertThat(sheet.getCTWorksheet().getAutoFilter().getRef()).isEqualTo("A7:C9");
            assertNumber(sheet.getRow(7).getCell(1), 1_234_567d, "#,##0");
            assertNumber(sheet.getRow(7).getCell(2), 106_918.928d, "\"$\"#,##0.00");
            assertThat(sheet.getRow(9).getCell(2).getNumericCellValue()).as("every micro-dollar kept").isEqualTo(107_015.024001d);
            assertThat(new org.apache.poi.ss.usermodel.DataFormatter().formatCellValue(sheet.getRow(7).getCell(2)))
                    .isEqualTo("$106,918.93");
            assertThat(new org.apache.poi.ss.usermodel.DataFormatter().formatCellValue(sheet.getRow(7).getCell(1)))
                    .isEqualTo("1,234,567");

            var charts = sheet.getDrawingPatriarch().getCharts();
            assertThat(charts).hasSize(1);
            var chart = charts.get(0);
            assertThat(chart.getTitleText().getString()).isEqualTo("Cost by type");
            var series = chart.getChartSeries().get(0).getSeries(0);
            assertThat(series.getCategoryData().getDataRangeReference()).isEqualTo("'Summary'!$A$8:$A$9");
            assertThat(series.getValuesData().getDataRangeReference()).isEqualTo("'Summary'!$C$8:$C$9");
            assertThat(chart.getAxes()).hasSize(2);
            assertThat(chart.getCTChart().getPlotArea().getCatAxArray(0).getTitle().getTx().getRich().getPArray(0)
                    .getRArray(0).getT()).isEqualTo("Type");
            assertThat(chart.getCTChart().getPlotArea().getValAxArray(0).getTitle().getTx().getRich().getPArray(0)
                    .getRArray(0).getT()).isEqualTo("Cost (USD)");

            for (XSSFSheet printed : List.of(sheet, workbook.getSheet("Usage"))) {
                assertThat(printed.getPrintSetup().getLandscape()).isTrue();
                assertThat(printed.getFitToPage()).isTrue();
                assertThat(printed.getPrintSetup().getFitWidth()).isEqualTo((short) 1);
                assertThat(printed.getPrintSetup().getFitHeight()).isEqualTo((short) 0);
            }
            assertThat(sheet.getRepeatingRows().getFirstRow()).isEqualTo(6);
            assertThat(sheet.getRepeatingRows().getLastRow()).isEqualTo(6);
            assertThat(workbook.getSheet("Usage").getRepeatingRows().getFirstRow()).isZero();
        }
    }

    @Test
    void aSummaryCarriesAChartOfAnotherSummarySheetsRowsUnderItsOwnChart() throws IOException {
        // given
        var out = new ByteArrayOutputStream();
        ReportTable summaryTable = ReportTable.of("Summary", ReportColumn.text("type", 8), ReportColumn.usd("cost_usd"));
        ReportTable dayTable = ReportTable.of("By day", ReportColumn.text("day", 12), ReportColumn.integer("records", 8),
                ReportColumn.usd("cost_usd"));

        // when: the day sheet is started after the long sheet, as a streamed report adds it at the end
        try (var xlsx = new XlsxReportWriter(out)) {
            var summary = xlsx.summary(summaryTable).chart("Cost by type", 0, 1, "Type", "Cost (USD)", row -> true);
            summary.row("call", 6_000_000L);
            summary.row("sms", 96_000L);
            summary.total("total", 6_096_000L);
            xlsx.sheet(USAGE).row("acct-1", "x", 1L, 1L, null);
            var days = xlsx.summary(dayTable);
            assertThat(xlsx.firstSummary()).isSameAs(summary);
            xlsx.firstSummary().chart("Cost by day", days, 0, 2, "Day", "Cost (USD)", row -> true);
            days.row("2026-10-01", 1L, 6_000_000L);
            days.row("2026-10-02", 2L, 0L);
            days.row("2026-10-03", 2L, 96_000L);
            days.total("total", 5L, 6_096_000L);
            xlsx.title(ReportTitle.of("Cost report", io.billingbatch.ledger.ReportPeriod.parse("2026-10", "UTC"), 1, 7,
                    Instant.parse("2026-11-01T03:00:00Z"), null));
        }

        // then
        try (XSSFWorkbook workbook = read(out)) {
            assertThat(sheetNames(workbook)).containsExactly("Summary", "By day", "Usage");
            XSSFSheet sheet = workbook.getSheet("Summary");
            var charts = sheet.getDrawingPatriarch().getCharts();
            assertThat(charts).extracting(chart -> chart.getTitleText().getString()).containsExactly("Cost by type", "Cost by day");
            var typeSeries = charts.get(0).getChartSeries().get(0).getSeries(0);
            assertThat(typeSeries.getValuesData().getDataRangeReference()).isEqualTo("'Summary'!$B$8:$B$9");
            assertThat(charts.get(1).getChartSeries()).hasSize(1);
            assertThat(charts.get(1).getChartSeries().get(0).getSeriesCount()).isEqualTo(1);
            var daySeries = charts.get(1).getChartSeries().get(0).getSeries(0);
            assertThat(daySeries.getCategoryData().getDataRangeReference()).isEqualTo("'By day'!$A$8:$A$10");
            assertThat(daySeries.getValuesData().getDataRangeReference()).isEqualTo("'By day'!$C$8:$C$10");
            assertThat(daySeries.getValuesData().getPointCount()).isEqualTo(3);
            assertThat(daySeries.getValuesData().getPointAt(2)).isEqualTo(0.096);
            List<int[]> anchors = Workbooks.chartAnchors(sheet);
            assertThat(anchors).hasSize(2);
            assertThat(anchors.get(0)[0]).as("below the total row").isGreaterThan(9);
            assertThat(anchors.get(1)[0]).as("side by side: one page").isEqualTo(anchors.get(0)[0]);
            assertThat(anchors.get(1)[2]).as("right of the first chart").isGreaterThan(anchors.get(0)[3]);
            assertThat(workbook.getSheet("By day").getDrawingPatriarch()).isNull();
            assertThat(workbook.getSheet("By day").getRow(8).getCell(0).getStringCellValue()).isEqualTo("2026-10-02");
        }
    }

    @Test
    void drawsChartsOnlyOnSummarySheetsOfSummaryRows() throws IOException {
        try (var xlsx = new XlsxReportWriter(new ByteArrayOutputStream())) {
            var usage = xlsx.sheet(USAGE);
            assertThatThrownBy(xlsx::firstSummary).isInstanceOf(IllegalStateException.class);
            var summary = xlsx.summary(ReportTable.of("Summary", ReportColumn.text("type", 8), ReportColumn.usd("cost_usd")));
            assertThatThrownBy(() -> summary.chart("Usage", usage, 0, 4, "Account", "USD", row -> true))
                    .isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> usage.chart("Usage", 0, 4, "Account", "USD", row -> true))
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void shortensContinuationSheetNamesToExcelsLimit() {
        assertThat(XlsxReportWriter.sheetName("Usage", 1)).isEqualTo("Usage");
        assertThat(XlsxReportWriter.sheetName("Usage", 2)).isEqualTo("Usage (2)");
        assertThat(XlsxReportWriter.sheetName("Reconciliation findings detail", 12))
                .isEqualTo("Reconciliation findings de (12)").hasSize(31);
    }

    @Test
    void refusesRowsAfterTheTotal() throws IOException {
        try (var xlsx = new XlsxReportWriter(new ByteArrayOutputStream())) {
            var usage = xlsx.sheet(USAGE);
            usage.total(null, "Total", 0L, 0L, null);

            assertThatThrownBy(() -> usage.row("acct", "late", 1L, 1L, null)).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void rejectsInvalidSheetNamesAndValues() throws IOException {
        try (var xlsx = new XlsxReportWriter(new ByteArrayOutputStream())) {
            assertThatThrownBy(() -> xlsx.sheet("a/b", USAGE.columns())).isInstanceOf(IllegalArgumentException.class);
            var usage = xlsx.sheet(USAGE);
            assertThatThrownBy(() -> usage.row("acct", "x", 1L, new java.math.BigDecimal("1.5"), null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("amount_usd");
        }
    }

    @Test
    void deletesItsTempFilesAlsoWhenWritingFails() throws IOException {
        // given
        Set<Path> before = poiTempFiles();
        OutputStream failing = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("disk full");
            }

            @Override
            public void write(byte[] bytes, int offset, int length) throws IOException {
                throw new IOException("disk full");
            }
        };
        var xlsx = new XlsxReportWriter(failing);
        var usage = xlsx.sheet(USAGE);
        IntStream.range(0, 500).forEach(n -> usage.row("acct-" + n, "row", (long) n, 1L, null));
        Set<Path> mine = new java.util.HashSet<>(poiTempFiles());
        mine.removeAll(before); // only this writer's: other writers of the JVM or the host may come and go meanwhile
        assertThat(mine).isNotEmpty();

        // when / then
        assertThatThrownBy(xlsx::close).isInstanceOf(IOException.class);
        assertThat(mine).noneMatch(Files::exists);
    }

    @Test
    void leavesTheStreamOpenForItsOwner() throws IOException {
        // given
        var closed = new boolean[1];
        var out = new ByteArrayOutputStream() {
            @Override
            public void close() {
                closed[0] = true;
            }
        };

        // when
        try (var xlsx = new XlsxReportWriter(out)) {
            xlsx.sheet(USAGE).row("acct", "text", 1L, 1L, null);
        }

        // then
        assertThat(closed[0]).isFalse();
        assertThat(out.size()).isPositive();
    }

    @Test
    void writesTheSameBytesForTheSameContent() throws Exception {
        // given
        byte[] first = smallWorkbook();

        // when
        byte[] second = smallWorkbook();

        // then
        assertThat(second).isEqualTo(first);
        // and whenever it is written: no entry carries the time of writing, neither as its zip time
        // (two-second resolution, so two workbooks written back to back could hide it) nor in its content
        Instant written = Instant.now();
        List<String> today = List.of(LocalDate.ofInstant(written, ZoneOffset.UTC).toString(),
                LocalDate.ofInstant(written.minusSeconds(60), ZoneOffset.UTC).toString());
        Path file = Files.createTempFile("same-bytes", ".xlsx");
        try {
            Files.write(file, first);
            try (var zip = new java.util.zip.ZipFile(file.toFile())) {
                assertThat(zip.size()).isGreaterThan(3);
                for (var entry : java.util.Collections.list(zip.entries())) {
                    assertThat(entry.getLastModifiedTime().toInstant()).as(entry.getName() + "'s zip time")
                            .isBefore(written.minus(java.time.Duration.ofDays(2)));
                    String content = new String(zip.getInputStream(entry).readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
                    assertThat(today).as(entry.getName() + " names no date of writing").noneMatch(content::contains);
                }
            }
        }
        finally {
            Files.delete(file);
        }
    }

    private static byte[] smallWorkbook() throws IOException {
        var out = new ByteArrayOutputStream();
        try (var xlsx = new XlsxReportWriter(out, Instant.parse("2026-11-01T00:00:00Z"), 5)) {
            xlsx.sheet(USAGE).row(ACCOUNT, "text", 1L, 1L, Instant.EPOCH);
        }
        return out.toByteArray();
    }

    /** POI's temp files in the folder POI uses now (the reports root's once a report store has started). */
    private static Set<Path> poiTempFiles() throws IOException {
        Path probe = org.apache.poi.util.TempFile.createTempFile("probe", ".tmp").toPath();
        Files.delete(probe);
        Path poiFiles = probe.getParent();
        if (!Files.isDirectory(poiFiles)) {
            return Set.of();
        }
        try (Stream<Path> files = Files.list(poiFiles)) {
            return files.filter(file -> file.getFileName().toString().startsWith("poi-sxssf-sheet"))
                    .collect(Collectors.toSet());
        }
    }

    private static XSSFWorkbook read(ByteArrayOutputStream out) throws IOException {
        return new XSSFWorkbook(new ByteArrayInputStream(out.toByteArray()));
    }

    private static List<String> sheetNames(XSSFWorkbook workbook) {
        return IntStream.range(0, workbook.getNumberOfSheets()).mapToObj(workbook::getSheetName).toList();
    }

    private static void assertHeader(XSSFWorkbook workbook, XSSFSheet sheet, String... headers) {
        Row header = sheet.getRow(0);
        assertThat(header.getLastCellNum()).isEqualTo((short) headers.length);
        for (int i = 0; i < headers.length; i++) {
            Cell cell = header.getCell(i);
            assertThat(cell.getStringCellValue()).isEqualTo(headers[i]);
            assertThat(workbook.getFontAt(cell.getCellStyle().getFontIndex()).getBold()).as("bold header").isTrue();
        }
    }

    private static void assertFrozenHeaderAndFilter(XSSFSheet sheet, String filterRange) {
        PaneInformation pane = sheet.getPaneInformation();
        assertThat(pane).isNotNull();
        assertThat(pane.isFreezePane()).isTrue();
        assertThat(pane.getHorizontalSplitPosition()).isEqualTo((short) 1);
        assertThat(pane.getVerticalSplitPosition()).isEqualTo((short) 0);
        assertThat(sheet.getCTWorksheet().isSetAutoFilter()).isTrue();
        assertThat(sheet.getCTWorksheet().getAutoFilter().getRef()).isEqualTo(filterRange);
    }

    private static void assertNumber(Cell cell, double value, String format) {
        assertThat(cell.getCellType()).isEqualTo(CellType.NUMERIC);
        assertThat(cell.getNumericCellValue()).isEqualTo(value);
        assertThat(cell.getCellStyle().getDataFormatString()).isEqualTo(format);
    }
}
