package io.billingbatch.costreport;

import io.billingbatch.testing.Tables;
import io.billingbatch.testing.BillingTest;
import io.billingbatch.report.Workbooks;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

import io.billingbatch.batch.PeriodJobParameters;
import io.billingbatch.costreport.JdbcCostReportRepository.TypeTotal;
import io.billingbatch.launch.PeriodJobLauncher;
import io.billingbatch.launch.PeriodJobLauncher.LaunchOutcome;
import io.billingbatch.ledger.InsertFailure;
import io.billingbatch.ledger.LedgerAmountBound;
import io.billingbatch.ledger.LedgerFixture;
import io.billingbatch.ledger.ReportPeriod;
import io.billingbatch.report.ReportStore;
import io.billingbatch.report.StreamedReport;
import org.apache.poi.ss.usermodel.CellType;
import org.apache.poi.ss.usermodel.Sheet;
import org.apache.poi.xssf.usermodel.XSSFSheet;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.test.JobOperatorTestUtils;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.util.ReflectionTestUtils;
import org.springframework.util.FileSystemUtils;

import static org.assertj.core.api.Assertions.assertThat;

@BillingTest
class CostReportJobTest {

    static final ReportPeriod OCTOBER = ReportPeriod.parse("2026-10", "UTC");

    @Autowired
    JobOperator jobOperator;

    @Autowired
    JobRepository jobRepository;

    JobOperatorTestUtils jobOperatorTestUtils;

    @Autowired
    Job costReportJob;

    @Autowired
    PeriodJobLauncher launcher;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    ReportStore reportStore;

    @Autowired
    CostReportFiles costReportFiles;

    @Autowired
    CostReportRepository costReports;

    @Autowired
    LedgerAmountBound amountBound;

    LedgerFixture ledger;

    UUID acme;

    UUID equalPartners;

    UUID acmeCustomer = UUID.fromString("00000000-0000-0000-0000-00000000c001");

    @BeforeEach
    void givenAHandBuiltLedger() throws IOException {
        Tables.reset(jdbc);
        FileSystemUtils.deleteRecursively(reportStore.directory(OCTOBER.key()));
        jobOperatorTestUtils = new JobOperatorTestUtils(jobOperator, jobRepository);
        jobOperatorTestUtils.setJob(costReportJob);
        ledger = new LedgerFixture(jdbc);
        acme = ledger.account("Acme Telecom", acmeCustomer);
        equalPartners = ledger.account("=HYPERLINK(\"http://x\")", UUID.randomUUID());

        ledger.topUp(acme, 100_000_000, Instant.parse("2026-09-30T23:00:00Z"));
        ledger.call(acme, 45, Instant.parse("2026-09-30T23:59:59.999999Z"));       // September: not in October
        ledger.call(acme, 300, Instant.parse("2026-10-01T00:00:00Z"));             // first instant of October
        ledger.call(acme, 0, Instant.parse("2026-10-02T10:00:00Z"));               // failed call: counted, costs 0
        ledger.sms(acme, Instant.parse("2026-10-03T10:00:00Z"));
        ledger.sms(acme, Instant.parse("2026-10-03T10:00:01Z"));
        ledger.number(acme, Instant.parse("2026-10-04T00:00:00Z"));
        ledger.numberRenew(acme, Instant.parse("2026-10-31T23:59:59.999999Z"));   // last instant of October
        ledger.call(acme, 60, Instant.parse("2026-11-01T00:00:00Z"));              // November: not in October
        ledger.softDelete(ledger.call(acme, 100, Instant.parse("2026-10-10T00:00:00Z")), Instant.parse("2026-10-11T00:00:00Z"));
        ledger.progressingCall(acme, Instant.parse("2026-10-20T00:00:00Z"));

        ledger.topUp(equalPartners, 10_000_000, Instant.parse("2026-10-01T00:00:00Z"));
        for (int i = 0; i < 10; i++) {
            ledger.sms(equalPartners, Instant.parse("2026-10-15T00:00:00Z").plusSeconds(i));
        }
    }

    @Test
    void summarisesPostedUsagePerAccountAndTypeWithinTheHalfOpenPeriod() throws Exception {
        JobExecution execution = jobOperatorTestUtils.startJob(new PeriodJobParameters(OCTOBER, 1).toJobParameters());

        assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(summary()).containsExactlyInAnyOrder(
                acme + " call 2 300 6000000",
                acme + " number 2 2 10000000",
                acme + " sms 2 2 16000",
                equalPartners + " sms 10 10 80000");
    }

    @Test
    void filesRenderedWhileTheLinesAreStoredAreByteForByteTheFilesRenderedFromThePublishedLines() throws Exception {
        jobOperatorTestUtils.startJob(new PeriodJobParameters(OCTOBER, 1).toJobParameters());
        Path folder = reportStore.directory(OCTOBER.key());
        byte[] streamedCsv = Files.readAllBytes(folder.resolve("cost-report-2026-10.csv"));
        byte[] streamedWorkbook = Files.readAllBytes(folder.resolve("cost-report-2026-10.xlsx"));

        costReportFiles.write(OCTOBER); // from the table, as a restarted files step does

        assertThat(Files.readAllBytes(folder.resolve("cost-report-2026-10.csv"))).isEqualTo(streamedCsv);
        assertThat(Files.readAllBytes(folder.resolve("cost-report-2026-10.xlsx"))).isEqualTo(streamedWorkbook);
    }

    @Test
    void aPeriodWithoutUsageGetsFilesWithHeadersOnlyTheSameEitherWay() throws Exception {
        ReportPeriod december = ReportPeriod.parse("2026-12", "UTC");
        FileSystemUtils.deleteRecursively(reportStore.directory(december.key()));
        JobExecution execution = jobOperatorTestUtils.startJob(new PeriodJobParameters(december, 1).toJobParameters());
        assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        Path folder = reportStore.directory(december.key());
        byte[] streamedCsv = Files.readAllBytes(folder.resolve("cost-report-2026-12.csv"));
        byte[] streamedWorkbook = Files.readAllBytes(folder.resolve("cost-report-2026-12.xlsx"));
        assertThat(new String(streamedCsv, StandardCharsets.UTF_8)).isEqualTo(
                "period_start,period_end,zone,account_id,customer_id,account_name,type,records,billable_units,cost_usd\n");

        costReportFiles.write(december);

        assertThat(Files.readAllBytes(folder.resolve("cost-report-2026-12.csv"))).isEqualTo(streamedCsv);
        assertThat(Files.readAllBytes(folder.resolve("cost-report-2026-12.xlsx"))).isEqualTo(streamedWorkbook);
        FileSystemUtils.deleteRecursively(folder);
    }

    @Test
    void writesTheCsvWithTheExactHeaderOrderAndSixDecimals() throws Exception {
        jobOperatorTestUtils.startJob(new PeriodJobParameters(OCTOBER, 1).toJobParameters());

        List<String> expected = new java.util.ArrayList<>();
        expected.add("period_start,period_end,zone,account_id,customer_id,account_name,type,records,billable_units,cost_usd");
        String acmeLine = "2026-10-01T00:00:00Z,2026-11-01T00:00:00Z,UTC," + acme + "," + acmeCustomer + ",Acme Telecom,";
        String equalCustomer = jdbc.queryForObject("SELECT customer_id::text FROM billing_accounts WHERE id = ?", String.class, equalPartners);
        String equalLine = "2026-10-01T00:00:00Z,2026-11-01T00:00:00Z,UTC," + equalPartners + "," + equalCustomer
                + ",\"'=HYPERLINK(\"\"http://x\"\")\",";
        List<String> acmeRows = List.of(acmeLine + "call,2,300,6.000000", acmeLine + "number,2,2,10.000000",
                acmeLine + "sms,2,2,0.016000");
        List<String> equalRows = List.of(equalLine + "sms,10,10,0.080000");
        if (acme.toString().compareTo(equalPartners.toString()) < 0) { // PostgreSQL orders uuids as their hex text
            expected.addAll(acmeRows);
            expected.addAll(equalRows);
        }
        else {
            expected.addAll(equalRows);
            expected.addAll(acmeRows);
        }
        String csv = Files.readString(reportStore.directory("2026-10").resolve("cost-report-2026-10.csv"), StandardCharsets.UTF_8);
        assertThat(csv).isEqualTo(String.join("\n", expected) + "\n");
    }

    @Test
    void writesTheWorkbookWithTotalsNumericCurrencyCellsFrozenHeaderAndFilter() throws Exception {
        jobOperatorTestUtils.startJob(new PeriodJobParameters(OCTOBER, 1).toJobParameters());

        try (InputStream in = Files.newInputStream(reportStore.directory("2026-10").resolve("cost-report-2026-10.xlsx"));
                XSSFWorkbook workbook = new XSSFWorkbook(in)) {
            Sheet summary = workbook.getSheet("Summary");
            // the title block names the report, the period, the published run's revision and job execution
            assertThat(rowText(summary, 0)).containsExactly("Cost report");
            long execution = jdbc.queryForObject("SELECT job_execution_id FROM published_runs WHERE job_name = 'cost-report'"
                    + " AND period = '2026-10'", Long.class);
            assertThat(rowText(summary, 1)).containsExactly("Period", "2026-10 (UTC): 2026-10-01T00:00:00Z to 2026-11-01T00:00:00Z");
            assertThat(rowText(summary, 2)).containsExactly("Revision", "1");
            assertThat(rowText(summary, 3).get(0)).isEqualTo("Generated at");
            assertThat(rowText(summary, 4)).containsExactly("Job execution", Long.toString(execution));
            int h = Workbooks.headerRow(summary, "Type");
            assertThat(rowText(summary, h)).containsExactly("Type", "Records", "Billable units", "Cost (USD)");
            assertThat(rowText(summary, h + 1)).containsExactly("call", "2.0", "300.0", "6.0");
            assertThat(rowText(summary, h + 2)).containsExactly("number", "2.0", "2.0", "10.0");
            assertThat(rowText(summary, h + 3)).containsExactly("sms", "12.0", "12.0", "0.096");
            // call seconds, messages and numbers do not add up: the total row leaves billable units empty, as the CLI does
            assertThat(rowText(summary, h + 4)).containsExactly("total", "16.0", "16.096");
            assertThat(summary.getRow(h + 4).getCell(2)).isNull();
            var grandTotal = summary.getRow(h + 4).getCell(3);
            assertThat(grandTotal.getCellType()).isEqualTo(CellType.NUMERIC);
            assertThat(grandTotal.getCellStyle().getDataFormatString()).isEqualTo("\"$\"#,##0.00");
            assertThat(summary.getRow(h + 3).getCell(3).getNumericCellValue()).as("every micro-dollar").isEqualTo(0.096);
            assertThat(new org.apache.poi.ss.usermodel.DataFormatter().formatCellValue(summary.getRow(h + 3).getCell(3)))
                    .isEqualTo("$0.10");
            assertThat(summary.getRow(h + 1).getCell(1).getCellStyle().getDataFormatString()).isEqualTo("#,##0");
            // a chart of cost by type from the rows above it (and, for a month, one of cost by day under it)
            var charts = ((XSSFSheet) summary).getDrawingPatriarch().getCharts();
            assertThat(charts).extracting(chart -> chart.getTitleText().getString()).containsExactly("Cost by type", "Cost by day");
            assertThat(charts.get(0).getChartSeries().get(0).getSeries(0).getValuesData().getDataRangeReference())
                    .isEqualTo("'Summary'!$D$" + (h + 2) + ":$D$" + (h + 4));
            for (Sheet sheet : List.of(summary, workbook.getSheet("Accounts"))) {
                assertThat(sheet.getPrintSetup().getLandscape()).isTrue();
                assertThat(sheet.getFitToPage()).isTrue();
                assertThat(sheet.getPrintSetup().getFitWidth()).isEqualTo((short) 1);
                assertThat(sheet.getPrintSetup().getFitHeight()).isEqualTo((short) 0);
                assertThat(sheet.getRepeatingRows()).isNotNull();
            }
            assertThat(summary.getRepeatingRows().getFirstRow()).isEqualTo(h);

            Sheet accounts = workbook.getSheet("Accounts");
            assertThat(rowText(accounts, 0)).containsExactly("Period start", "Period end", "Zone", "Account ID",
                    "Customer ID", "Account name", "Type", "Records", "Billable units", "Cost (USD)");
            assertThat(accounts.getColumnWidth(3)).as("a UUID fits").isGreaterThanOrEqualTo(36 * 256);
            assertThat(accounts.getLastRowNum()).isEqualTo(4);
            assertThat(accounts.getPaneInformation().isFreezePane()).isTrue();
            assertThat(accounts.getPaneInformation().getHorizontalSplitPosition()).isEqualTo((short) 1);
            assertThat(((XSSFSheet) accounts).getCTWorksheet().isSetAutoFilter()).isTrue();
            for (int row = 1; row <= 4; row++) {
                assertThat(accounts.getRow(row).getCell(9).getCellType()).isEqualTo(CellType.NUMERIC);
                String name = accounts.getRow(row).getCell(5).getStringCellValue();
                assertThat(name).doesNotStartWith("=");
            }
        }
    }

    @Test
    void aMonthsWorkbookHasItsCostByDayWithAChartOnTheSummaryAndTheDaysAddUpToTheMonthToTheMicroDollar() throws Exception {
        jobOperatorTestUtils.startJob(new PeriodJobParameters(OCTOBER, 1).toJobParameters());

        try (InputStream in = Files.newInputStream(reportStore.directory("2026-10").resolve("cost-report-2026-10.xlsx"));
                XSSFWorkbook workbook = new XSSFWorkbook(in)) {
            assertThat(workbook.getSheetName(0)).isEqualTo("Summary");
            assertThat(workbook.getSheetName(1)).as("next to the Summary, before the long sheet").isEqualTo("By day");
            Sheet byDay = workbook.getSheet("By day");
            assertThat(rowText(byDay, 0)).containsExactly("Cost report");
            int h = Workbooks.headerRow(byDay, "Day");
            assertThat(rowText(byDay, h)).containsExactly("Day", "Records", "Cost (USD)");
            // the days with posted usage, in the period's zone; the soft-deleted, progressing and outside rows are not there
            List<String> days = new java.util.ArrayList<>();
            long dayMicros = 0;
            for (int row = h + 1; row <= h + 6; row++) {
                days.add(byDay.getRow(row).getCell(0).getStringCellValue());
                var cost = byDay.getRow(row).getCell(2);
                assertThat(cost.getCellType()).isEqualTo(CellType.NUMERIC);
                assertThat(cost.getCellStyle().getDataFormatString()).isEqualTo("\"$\"#,##0.00");
                dayMicros = Math.addExact(dayMicros, new java.math.BigDecimal(Double.toString(cost.getNumericCellValue()))
                        .movePointRight(6).longValueExact());
            }
            assertThat(days).containsExactly("2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04", "2026-10-15", "2026-10-31");
            assertThat(rowText(byDay, h + 1)).containsExactly("2026-10-01", "1.0", "6.0");
            assertThat(rowText(byDay, h + 7)).containsExactly("total", "16.0", "16.096");
            assertThat(dayMicros).isEqualTo(16_096_000L);
            // the chart of the days is on the Summary, under the chart of cost by type; its series refer to the By day sheet
            assertThat(((XSSFSheet) byDay).getDrawingPatriarch()).as("no chart on the By day sheet").isNull();
            XSSFSheet summary = workbook.getSheet("Summary");
            var charts = summary.getDrawingPatriarch().getCharts();
            assertThat(charts).extracting(chart -> chart.getTitleText().getString()).containsExactly("Cost by type", "Cost by day");
            var dayChart = charts.get(1);
            assertThat(dayChart.getChartSeries()).hasSize(1);
            assertThat(dayChart.getChartSeries().get(0).getSeriesCount()).isEqualTo(1);
            var series = dayChart.getChartSeries().get(0).getSeries(0);
            assertThat(series.getValuesData().getDataRangeReference()).isEqualTo("'By day'!$C$" + (h + 2) + ":$C$" + (h + 7));
            assertThat(series.getCategoryData().getDataRangeReference()).isEqualTo("'By day'!$A$" + (h + 2) + ":$A$" + (h + 7));
            assertThat(series.getCategoryData().getPointCount()).isEqualTo(6);
            assertThat(series.getValuesData().getPointAt(0)).isEqualTo(6.0);
            assertThat(axisTitle(dayChart.getCTChart().getPlotArea().getCatAxArray(0).getTitle())).isEqualTo("Day");
            assertThat(axisTitle(dayChart.getCTChart().getPlotArea().getValAxArray(0).getTitle())).isEqualTo("Cost (USD)");
            // side by side below the Summary's table (total row included), so the Summary prints on one page
            List<int[]> anchors = Workbooks.chartAnchors(summary);
            assertThat(anchors).hasSize(2);
            assertThat(anchors.get(0)[0]).isGreaterThan(Workbooks.headerRow(summary, "total"));
            assertThat(anchors.get(1)[0]).isEqualTo(anchors.get(0)[0]);
            assertThat(anchors.get(1)[2]).isGreaterThan(anchors.get(0)[3]);
            assertThat(byDay.getPrintSetup().getLandscape()).isTrue();
            assertThat(byDay.getRepeatingRows().getFirstRow()).isEqualTo(h);
        }
        long monthMicros = costReports.totalsByType(OCTOBER).stream().mapToLong(TypeTotal::cost).reduce(0, Math::addExact);
        assertThat(costReports.totalsByDay(OCTOBER, amountBound.maxMicros()).stream()
                .mapToLong(CostReportRepository.DayTotal::cost).reduce(0, Math::addExact)).isEqualTo(monthMicros);
    }

    @Test
    void aMonthOfAZoneOtherThanUtcHasItsDaysInThatZoneReadWithTheLinesAndTheyAddUpToTheMonth() throws Exception {
        // given: rows at the day boundaries of Berlin (UTC+2, then UTC+1 from the 25-hour 2026-10-25 on), besides the
        // given ones, which are posted in UTC
        ReportPeriod berlin = ReportPeriod.parse("2026-10", "Europe/Berlin");
        ledger.sms(acme, Instant.parse("2026-09-30T21:59:59.999999Z"));  // Berlin 2026-09-30 23:59:59.999999: September
        ledger.sms(acme, Instant.parse("2026-09-30T22:00:00Z"));         // Berlin 2026-10-01 00:00, the first instant
        ledger.call(acme, 2, Instant.parse("2026-10-24T22:00:00Z"));     // Berlin 2026-10-25 00:00 (CEST)
        ledger.call(acme, 1, Instant.parse("2026-10-25T22:59:59.999999Z")); // Berlin 2026-10-25 23:59:59.999999 (CET)
        ledger.sms(acme, Instant.parse("2026-10-25T23:00:00Z"));         // Berlin 2026-10-26 00:00
        ledger.sms(acme, Instant.parse("2026-10-31T22:59:59.999999Z")); // Berlin 2026-10-31 23:59:59.999999, the last instant

        // when
        JobExecution execution = jobOperatorTestUtils.startJob(new PeriodJobParameters(berlin, 1).toJobParameters());

        // then: the days of Berlin, as the aggregation read them with its lines (no second statement over the ledger)
        assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(execution.getStepExecutions()).filteredOn(step -> step.getStepName().equals("costAggregationStep"))
                .singleElement().satisfies(step -> assertThat(step.getExecutionContext().containsKey(CostLineItemReader.DAYS)).isTrue());
        long monthMicros = costReports.totalsByType(berlin).stream().mapToLong(TypeTotal::cost).reduce(0, Math::addExact);
        List<String> expected = new java.util.ArrayList<>();
        for (CostReportRepository.DayTotal day : costReports.totalsByDay(berlin, amountBound.maxMicros())) { // written apart
            expected.add(day.day() + " " + day.records() + " " + day.cost());
        }
        try (InputStream in = Files.newInputStream(reportStore.directory("2026-10").resolve("cost-report-2026-10-Europe_Berlin.xlsx"));
                XSSFWorkbook workbook = new XSSFWorkbook(in)) {
            Sheet byDay = workbook.getSheet("By day");
            int h = Workbooks.headerRow(byDay, "Day");
            List<String> days = new java.util.ArrayList<>();
            long dayMicros = 0;
            for (int row = h + 1; !"total".equals(byDay.getRow(row).getCell(0).getStringCellValue()); row++) {
                long micros = new java.math.BigDecimal(Double.toString(byDay.getRow(row).getCell(2).getNumericCellValue()))
                        .movePointRight(6).longValueExact();
                days.add(byDay.getRow(row).getCell(0).getStringCellValue() + " "
                        + (long) byDay.getRow(row).getCell(1).getNumericCellValue() + " " + micros);
                dayMicros = Math.addExact(dayMicros, micros);
            }
            assertThat(days).extracting(day -> day.substring(0, day.lastIndexOf(' '))).containsExactly("2026-10-01 3",
                    "2026-10-02 1", "2026-10-03 2", "2026-10-04 1", "2026-10-15 10", "2026-10-25 2", "2026-10-26 1", "2026-10-31 1");
            assertThat(days).contains("2026-10-25 2 60000", "2026-10-26 1 8000", "2026-10-31 1 8000")
                    .containsExactlyElementsOf(expected);
            assertThat(dayMicros).isEqualTo(monthMicros);
        }
        FileSystemUtils.deleteRecursively(reportStore.directory("2026-10"));
    }

    @Test
    void aRestartAfterTheAggregationDrawsTheDaysThatRunReadNotTheLedgerAsItIsNow() throws Exception {
        // given: a run failed after its aggregation (publishing it), and a row of the month was posted since
        PeriodJobParameters october = new PeriodJobParameters(OCTOBER, 1);
        JobExecution failed;
        try (InsertFailure crash = InsertFailure.afterRows(jdbc, "published_runs", 0)) {
            failed = ((LaunchOutcome.Ran) launcher.launch(costReportJob, october, false)).execution();
        }
        assertThat(failed.getStatus()).isEqualTo(BatchStatus.FAILED);
        ledger.call(equalPartners, 10, Instant.parse("2026-10-20T00:00:00Z"));

        // when
        JobExecution restarted = ((LaunchOutcome.Ran) launcher.launch(costReportJob, october, false)).execution();

        // then: the files are that run's, its lines and its days, which add up to them (the new row waits for a --rerun)
        assertThat(restarted.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(restarted.getJobInstanceId()).isEqualTo(failed.getJobInstanceId());
        assertThat(summary()).hasSize(4);
        try (InputStream in = Files.newInputStream(reportStore.directory("2026-10").resolve("cost-report-2026-10.xlsx"));
                XSSFWorkbook workbook = new XSSFWorkbook(in)) {
            Sheet byDay = workbook.getSheet("By day");
            assertThat(byDay).as("the days add up to the run's lines").isNotNull();
            int h = Workbooks.headerRow(byDay, "Day");
            assertThat(rowText(byDay, h + 5)).containsExactly("2026-10-15", "10.0", "0.08");
            assertThat(rowText(byDay, h + 7)).containsExactly("total", "16.0", "16.096");
        }
    }

    @Test
    void aDaysWorkbookHasOnlyTheChartOfCostByTypeOnItsSummaryAndNoByDaySheet() throws Exception {
        ReportPeriod day = ReportPeriod.parse("2026-10-03", "UTC");
        FileSystemUtils.deleteRecursively(reportStore.directory(day.key()));
        jobOperatorTestUtils.startJob(new PeriodJobParameters(day, 1).toJobParameters());

        try (InputStream in = Files.newInputStream(reportStore.directory(day.key()).resolve("cost-report-2026-10-03.xlsx"));
                XSSFWorkbook workbook = new XSSFWorkbook(in)) {
            assertThat(workbook.getSheet("By day")).isNull();
            XSSFSheet summary = workbook.getSheet("Summary");
            var charts = summary.getDrawingPatriarch().getCharts();
            assertThat(charts).extracting(chart -> chart.getTitleText().getString()).containsExactly("Cost by type");
            int h = Workbooks.headerRow(summary, "Type");
            assertThat(charts.get(0).getChartSeries().get(0).getSeries(0).getValuesData().getDataRangeReference())
                    .isEqualTo("'Summary'!$D$" + (h + 2) + ":$D$" + (h + 2));
        }
    }

    private static String axisTitle(org.openxmlformats.schemas.drawingml.x2006.chart.CTTitle title) {
        return title.getTx().getRich().getPArray(0).getRArray(0).getT();
    }

    @Test
    void manifestListsEachFileWithSizeAndSha256() throws Exception {
        jobOperatorTestUtils.startJob(new PeriodJobParameters(OCTOBER, 1).toJobParameters());

        Path folder = reportStore.directory("2026-10");
        String manifest = Files.readString(folder.resolve("manifest.json"));
        for (String name : List.of("cost-report-2026-10.csv", "cost-report-2026-10.xlsx")) {
            byte[] bytes = Files.readAllBytes(folder.resolve(name));
            String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
            assertThat(manifest).containsPattern("\"name\"\\s*:\\s*\"" + name.replace(".", "\\.") + "\"\\s*,\\s*\"size\"\\s*:\\s*"
                    + bytes.length + "\\s*,\\s*\"sha256\"\\s*:\\s*\"" + sha256 + "\"");
        }
    }

    @Test
    void aCompletedPeriodIsNotRunTwiceAndAnExplicitRerunReplacesItsResults() throws Exception {
        PeriodJobParameters october = new PeriodJobParameters(OCTOBER, 1);
        assertThat(launcher.launch(costReportJob, october, false)).isInstanceOf(LaunchOutcome.Ran.class);

        LaunchOutcome second = launcher.launch(costReportJob, october, false);
        assertThat(second).isInstanceOf(LaunchOutcome.AlreadyComplete.class);

        ledger.call(equalPartners, 10, Instant.parse("2026-10-20T00:00:00Z")); // a late correction
        LaunchOutcome rerun = launcher.launch(costReportJob, october, true);

        assertThat(((LaunchOutcome.Ran) rerun).execution().getStatus()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(((LaunchOutcome.Ran) rerun).execution().getJobParameters().getLong("revision")).isEqualTo(2L);
        assertThat(summary()).contains(equalPartners + " call 1 10 200000").hasSize(5);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM cost_report_lines", Long.class)).isEqualTo(5);
        assertThat(Files.readString(reportStore.directory("2026-10").resolve("cost-report-2026-10.csv")))
                .contains(equalPartners + "," ).contains("call,1,10,0.200000");
    }

    @Test
    void ledgerRowsOfAnUnknownTypeAreRejectedAndRecordedWhileTheRestIsReported() throws Exception {
        ledger.post(acme, "usage", "fax", 0, 3, 1_000, -3_000, Instant.parse("2026-10-05T00:00:00Z"));

        JobExecution execution = jobOperatorTestUtils.startJob(new PeriodJobParameters(OCTOBER, 1).toJobParameters());

        assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(execution.getStepExecutions()).filteredOn(step -> step.getStepName().equals("costAggregationStep"))
                .singleElement().satisfies(step -> assertThat(step.getProcessSkipCount()).isEqualTo(1));
        assertThat(summary()).hasSize(4);
        assertThat(jdbc.queryForList("SELECT item_key, reason FROM batch_item_rejects"))
                .singleElement()
                .satisfies(reject -> assertThat(reject.get("reason").toString()).contains("unknown reference_type 'fax'")
                        .contains(acme.toString()));
    }

    @Test
    void rowsBeyondTheSanityBoundAreRejectedWithTheirReasonAndTheTotalsStayExact() throws Exception {
        // given: two rows of -5e18 micro-USD on different accounts (their sum does not fit a long)
        UUID hugeAcme = ledger.post(acme, "usage", "call", 1, 1, ledger.rate("call"), -5_000_000_000_000_000_000L,
                Instant.parse("2026-10-06T00:00:00Z"));
        UUID hugeEqual = ledger.post(equalPartners, "usage", "sms", 0, 1, ledger.rate("sms"), -5_000_000_000_000_000_000L,
                Instant.parse("2026-10-06T00:00:00Z"));
        PeriodJobParameters october = new PeriodJobParameters(OCTOBER, 1);

        // when
        LaunchOutcome first = launcher.launch(costReportJob, october, false);

        // then: the rows are rejected with their reason, the rest of the period is reported exactly
        assertThat(((LaunchOutcome.Ran) first).execution().getStatus()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(summary()).containsExactlyInAnyOrder(
                acme + " call 2 300 6000000",
                acme + " number 2 2 10000000",
                acme + " sms 2 2 16000",
                equalPartners + " sms 10 10 80000");
        assertThat(jdbc.queryForList("SELECT reason FROM batch_item_rejects ORDER BY reason", String.class))
                .hasSize(2)
                .anySatisfy(reason -> assertThat(reason).contains(acme.toString()).contains(hugeAcme.toString())
                        .contains("-5000000000000.000000").contains("1000000.000000"))
                .anySatisfy(reason -> assertThat(reason).contains(equalPartners.toString()).contains(hugeEqual.toString()));
        try (InputStream in = Files.newInputStream(reportStore.directory("2026-10").resolve("cost-report-2026-10.xlsx"));
                XSSFWorkbook workbook = new XSSFWorkbook(in)) {
            Sheet summary = workbook.getSheet("Summary");
            assertThat(rowText(summary, Workbooks.headerRow(summary, "Type") + 4)).containsExactly("total", "16.0", "16.096");
        }
        assertThat(costReports.totalsByType(OCTOBER)).extracting(TypeTotal::cost).containsExactly(6_000_000L, 10_000_000L, 96_000L);
        // the days leave the rejected rows out too, so they still add up to the month
        assertThat(costReports.totalsByDay(OCTOBER, amountBound.maxMicros()).stream()
                .mapToLong(CostReportRepository.DayTotal::cost).reduce(0, Math::addExact)).isEqualTo(16_096_000L);

        // and a relaunch of the completed period is refused as complete, its totals still readable
        assertThat(launcher.launch(costReportJob, october, false)).isInstanceOf(LaunchOutcome.AlreadyComplete.class);
        assertThat(costReports.totalsByType(OCTOBER)).hasSize(3);
    }

    @Test
    void aRowJustBeyondTheBoundIsRejectedWhileTheGoodRowsOfItsGroupAreReported() throws Exception {
        // given: $1,000,000.000001, one micro-USD over the default bound, in acme's call group
        UUID overBound = ledger.post(acme, "usage", "call", 1, 1, ledger.rate("call"), -1_000_000_000_001L,
                Instant.parse("2026-10-07T00:00:00Z"));
        ledger.post(acme, "usage", "call", 50_000, 50_000, ledger.rate("call"), -1_000_000_000_000L,  // exactly the bound: fine
                Instant.parse("2026-10-07T00:00:01Z"));

        // when
        JobExecution execution = jobOperatorTestUtils.startJob(new PeriodJobParameters(OCTOBER, 1).toJobParameters());

        // then
        assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(summary()).contains(acme + " call 3 50300 1000006000000").hasSize(4);
        assertThat(jdbc.queryForList("SELECT reason FROM batch_item_rejects", String.class)).singleElement()
                .satisfies(reason -> assertThat(reason).contains(overBound.toString())
                        .contains("beyond the bound").contains("billing.ledger.max-row-amount"));
    }

    @Test
    void aUsageRowWithoutAnAmountIsRejectedNotCounted() throws Exception {
        // given
        UUID noAmount = ledger.sms(acme, Instant.parse("2026-10-08T00:00:00Z"));
        jdbc.update("UPDATE billing_billings SET amount_credit = NULL WHERE id = ?", noAmount);

        // when
        JobExecution execution = jobOperatorTestUtils.startJob(new PeriodJobParameters(OCTOBER, 1).toJobParameters());

        // then: neither its record nor its unit is counted
        assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(summary()).contains(acme + " sms 2 2 16000").hasSize(4);
        assertThat(jdbc.queryForList("SELECT reason FROM batch_item_rejects", String.class)).singleElement()
                .satisfies(reason -> assertThat(reason).contains(noAmount.toString()).contains("amount_credit is NULL"));
    }

    @Test
    void aRunWhoseTotalsDoNotFitALongIsNeverPublishedAndThePeriodKeepsItsResultAndFiles() throws Exception {
        // given: October reported, then two rows of -5e18 micro-USD on two accounts under a bound raised to take them
        assertThat(jobOperatorTestUtils.startJob(new PeriodJobParameters(OCTOBER, 1).toJobParameters()).getStatus())
                .isEqualTo(BatchStatus.COMPLETED);
        Path folder = reportStore.directory(OCTOBER.key());
        byte[] manifest = Files.readAllBytes(folder.resolve("manifest.json"));
        byte[] xlsx = Files.readAllBytes(folder.resolve("cost-report-2026-10.xlsx"));
        ledger.post(acme, "usage", "call", 1, 1, ledger.rate("call"), -5_000_000_000_000_000_000L, Instant.parse("2026-10-09T00:00:00Z"));
        ledger.post(equalPartners, "usage", "call", 1, 1, ledger.rate("call"), -5_000_000_000_000_000_000L,
                Instant.parse("2026-10-09T00:00:01Z"));
        long bound = amountBound.maxMicros();
        JobExecution rerun;
        // the expected failure's stack trace stays out of the log
        ch.qos.logback.classic.Logger steps = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory
                .getLogger("org.springframework.batch.core.step");
        ch.qos.logback.classic.Level level = steps.getLevel();
        try {
            steps.setLevel(ch.qos.logback.classic.Level.OFF);
            ReflectionTestUtils.setField(amountBound, "maxMicros", Long.MAX_VALUE);

            // when: a new revision whose call total (-1e19 micro-USD) is beyond a long
            rerun = jobOperatorTestUtils.startJob(new PeriodJobParameters(OCTOBER, 2).toJobParameters());
        }
        finally {
            ReflectionTestUtils.setField(amountBound, "maxMicros", bound);
            steps.setLevel(level);
        }

        // then: it fails with the reason before it is published; the period's result, totals and files are revision 1's
        assertThat(rerun.getStatus()).isEqualTo(BatchStatus.FAILED);
        assertThat(rerun.getExitStatus().getExitDescription()).contains("call cost in micro-USD sums to 10000000000006000000")
                .contains("beyond a 64-bit amount");
        assertThat(jdbc.queryForObject("SELECT revision FROM published_runs WHERE job_name = 'cost-report' AND period = '2026-10'",
                Long.class)).isEqualTo(1L);
        assertThat(costReports.totalsByType(OCTOBER)).extracting(TypeTotal::cost).containsExactly(6_000_000L, 10_000_000L, 96_000L);
        assertThat(Files.readAllBytes(folder.resolve("manifest.json"))).isEqualTo(manifest);
        assertThat(Files.readAllBytes(folder.resolve("cost-report-2026-10.xlsx"))).isEqualTo(xlsx);

        // and once the rows are corrected, --rerun makes a new revision from the ledger as it is now (a restart of the
        // failed revision would publish its stored lines, whose totals never fit, and fail again for ever)
        jdbc.update("UPDATE billing_billings SET amount_credit = -20000 WHERE amount_credit = -5000000000000000000");
        LaunchOutcome corrected = launcher.launch(costReportJob, new PeriodJobParameters(OCTOBER, 1), true);
        assertThat(corrected).isInstanceOf(LaunchOutcome.Ran.class);
        assertThat(((LaunchOutcome.Ran) corrected).execution().getStatus()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(jdbc.queryForObject("SELECT revision FROM published_runs WHERE job_name = 'cost-report' AND period = '2026-10'",
                Long.class)).isEqualTo(3L);
        assertThat(costReports.totalsByType(OCTOBER)).extracting(TypeTotal::cost).containsExactly(6_040_000L, 10_000_000L, 96_000L);
    }

    @Test
    void theRenderersLeaveNoTemporariesInTheReportsRootsHiddenFolder() throws Exception {
        Path temporaries = reportStore.temporaryDirectory();

        JobExecution execution = jobOperatorTestUtils.startJob(new PeriodJobParameters(OCTOBER, 1).toJobParameters());

        assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(temporaries).startsWith(reportStore.directory("2026-10").getParent().resolve(".tmp"));
        assertThat(temporaryFiles(temporaries)).isEmpty();
    }

    @Test
    void theRenderersTemporariesLiveInTheReportsRootsHiddenFolderAndGoWithTheStream() throws Exception {
        // given
        Path temporaries = reportStore.temporaryDirectory();
        StreamedReport<CostLine> stream = StreamedReport.start(CostReportFiles.layout(OCTOBER), reportStore);

        // when: the aggregation query answered, so both renderers open their files
        stream.begin();

        // then
        awaitFiles(temporaries, files -> files.size() >= 2, "both renderers' temp files");
        assertThat(temporaries).startsWith(reportStore.directory("2026-10").getParent().resolve(".tmp"));
        assertThat(temporaryFiles(temporaries)).anyMatch(file -> file.getFileName().toString().startsWith("cost-report-"))
                .anyMatch(file -> file.getFileName().toString().startsWith("poi-sxssf-"));
        stream.endInput(false, 0, 0);
        stream.discard();
        awaitFiles(temporaries, List::isEmpty, "no temp file left");
        assertThat(temporaryFiles(temporaries)).isEmpty();
    }

    /**
     * Waits until the files below {@code folder} satisfy {@code done}: checked again at each change of the
     * folder or of a folder below it (a WatchService per folder, new folders included), not polled.
     */
    static void awaitFiles(Path folder, java.util.function.Predicate<List<Path>> done, String what) throws Exception {
        Files.createDirectories(folder);
        try (var changes = folder.getFileSystem().newWatchService()) {
            java.util.Set<Path> watched = new java.util.HashSet<>();
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
            while (true) {
                try (var folders = Files.walk(folder)) { // (again) every folder, so that a new one is watched too
                    for (Path each : folders.filter(Files::isDirectory).toList()) {
                        if (watched.add(each)) {
                            each.register(changes, java.nio.file.StandardWatchEventKinds.ENTRY_CREATE,
                                    java.nio.file.StandardWatchEventKinds.ENTRY_DELETE);
                        }
                    }
                }
                catch (java.io.UncheckedIOException | java.nio.file.NoSuchFileException ex) {
                    continue; // a folder went while we looked
                }
                List<Path> files = temporaryFiles(folder);
                if (done.test(files)) {
                    return;
                }
                var change = changes.poll(Math.max(0, deadline - System.nanoTime()), java.util.concurrent.TimeUnit.NANOSECONDS);
                assertThat(change).as(what + " within 30 s; there are " + files).isNotNull();
                change.pollEvents();
                change.reset();
            }
        }
    }

    /** The files below the folder now; a walk that met a file being deleted meanwhile is simply walked again. */
    static List<Path> temporaryFiles(Path folder) throws IOException {
        while (true) {
            if (!Files.isDirectory(folder)) {
                return List.of();
            }
            try (var files = Files.walk(folder)) {
                return files.filter(Files::isRegularFile).toList();
            }
            catch (java.io.UncheckedIOException | java.nio.file.NoSuchFileException ex) {
                // a renderer deleted a file while we looked
            }
        }
    }

    List<String> summary() {
        return jdbc.query("SELECT account_id, type, records, billable_units, cost_credit FROM cost_summary WHERE period = '2026-10'",
                (rs, i) -> rs.getString(1) + " " + rs.getString(2) + " " + rs.getLong(3) + " " + rs.getLong(4) + " " + rs.getLong(5));
    }

    static List<String> rowText(Sheet sheet, int row) {
        List<String> cells = new java.util.ArrayList<>();
        sheet.getRow(row).forEach(cell -> cells.add(cell.getCellType() == CellType.NUMERIC
                ? String.valueOf(cell.getNumericCellValue()) : cell.getStringCellValue()));
        return cells;
    }
}
