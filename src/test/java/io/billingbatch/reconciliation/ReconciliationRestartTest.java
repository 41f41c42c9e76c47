package io.billingbatch.reconciliation;

import io.billingbatch.testing.Tables;
import io.billingbatch.testing.ServerTest;
import io.billingbatch.report.Workbooks;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import javax.sql.DataSource;

import io.billingbatch.batch.PeriodJobParameters;
import io.billingbatch.batch.StoppedRuns;
import io.billingbatch.launch.BackgroundJobLauncher;
import io.billingbatch.launch.BackgroundJobLauncher.Launched;
import io.billingbatch.launch.PeriodJobLauncher;
import io.billingbatch.launch.PeriodJobLauncher.LaunchOutcome;
import io.billingbatch.launch.RunHeartbeats;
import io.billingbatch.ledger.InsertBarrier;
import io.billingbatch.ledger.InsertFailure;
import io.billingbatch.ledger.LedgerFixture;
import io.billingbatch.ledger.ReportPeriod;
import io.billingbatch.report.ReportStore;
import org.apache.poi.ss.usermodel.Sheet;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.util.FileSystemUtils;

import static org.assertj.core.api.Assertions.assertThat;

/** A reconciliation that fails in its account step, restarted, ends exactly like one that never failed. */
@ServerTest
class ReconciliationRestartTest {

    static final ReportPeriod PERIOD = ReportPeriod.parse("2026-10", "UTC");

    @Autowired
    Job reconciliationJob;

    @Autowired
    PeriodJobLauncher launcher;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    ReportStore reportStore;

    @Autowired
    BackgroundJobLauncher background;

    @Autowired
    RunHeartbeats runs;

    @Autowired
    JobRepository jobRepository;

    @Autowired
    DataSource dataSource;

    @Autowired
    ReconciliationSeals seals;

    @BeforeEach
    void givenSixAccountsTwoOfThemFaulty() {
        Tables.reset(jdbc);
        FileSystemUtils.deleteRecursively(reportStore.directory(PERIOD.key()).toFile());
        LedgerFixture ledger = new LedgerFixture(jdbc);
        Instant day = Instant.parse("2026-10-05T00:00:00Z");
        for (int i = 0; i < 6; i++) {
            UUID account = ledger.account("Account " + i);
            ledger.topUp(account, 1_000_000, day.minusSeconds(86_400 * 10));
            ledger.call(account, 10 + 20 * i, day.plusSeconds(60L * i)); // accounts 3..5 go negative
        }
    }

    @Test
    void restartAfterAMidStepFailureGivesTheSameFindingsAndFiles() throws Exception {
        PeriodJobParameters parameters = new PeriodJobParameters(PERIOD, 1);
        JobExecution failed;
        try (InsertFailure crash = InsertFailure.afterRows(jdbc, "reconciliation_accounts", 3)) {
            failed = ((LaunchOutcome.Ran) launcher.launch(reconciliationJob, parameters, false)).execution();
        }
        assertThat(failed.getStatus()).isEqualTo(BatchStatus.FAILED);

        JobExecution restarted = ((LaunchOutcome.Ran) launcher.launch(reconciliationJob, parameters, false)).execution();

        assertThat(restarted.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(restarted.getJobInstanceId()).isEqualTo(failed.getJobInstanceId());
        List<String> restartedFindings = findings();
        byte[] restartedCsv = Files.readAllBytes(csv());
        byte[] restartedWorkbook = Files.readAllBytes(csv().resolveSibling("reconciliation-2026-10.xlsx"));

        JobExecution uninterrupted = ((LaunchOutcome.Ran) launcher.launch(reconciliationJob, parameters, true)).execution();

        assertThat(uninterrupted.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(findings()).hasSize(3).containsExactlyElementsOf(restartedFindings);
        assertThat(Files.readAllBytes(csv())).isEqualTo(restartedCsv);
        assertThat(Workbooks.content(Files.readAllBytes(csv().resolveSibling("reconciliation-2026-10.xlsx")))).isEqualTo(Workbooks.content(restartedWorkbook));
        assertThat(jdbc.queryForObject("SELECT count(*) FROM reconciliation_accounts", Long.class)).isEqualTo(6);

        try (InputStream in = Files.newInputStream(csv().resolveSibling("reconciliation-2026-10.xlsx"));
                XSSFWorkbook workbook = new XSSFWorkbook(in)) {
            Sheet summary = workbook.getSheet("Summary");
            int h = Workbooks.headerRow(summary, "Item");
            assertThat(summary.getRow(h + 1).getCell(0).getStringCellValue()).isEqualTo("accounts checked");
            assertThat(summary.getRow(h + 1).getCell(1).getNumericCellValue()).isEqualTo(6.0);
            assertThat(summary.getRow(h + 2).getCell(1).getNumericCellValue()).isEqualTo(3.0);
            java.util.Map<String, Double> findingsByKind = new java.util.LinkedHashMap<>();
            for (int row = h + 3; row <= summary.getLastRowNum(); row++) {
                String label = summary.getRow(row).getCell(0).getStringCellValue();
                if (label.startsWith("findings: ")) {
                    findingsByKind.put(label.substring("findings: ".length()), summary.getRow(row).getCell(1).getNumericCellValue());
                }
            }
            // every kind is listed, in the order, 0 where there is none
            assertThat(findingsByKind).containsExactly(java.util.Map.entry("balance_mismatch", 0.0),
                    java.util.Map.entry("chain_break", 0.0), java.util.Map.entry("rating_mismatch", 0.0),
                    java.util.Map.entry("stuck_progressing", 0.0), java.util.Map.entry("orphan", 0.0),
                    java.util.Map.entry("negative_balance", 3.0), java.util.Map.entry("charged_failed_call", 0.0),
                    java.util.Map.entry("invalid_amount", 0.0));
            // a chart of the findings by kind, one bar per kind row
            var charts = ((org.apache.poi.xssf.usermodel.XSSFSheet) summary).getDrawingPatriarch().getCharts();
            assertThat(charts).hasSize(1);
            assertThat(charts.get(0).getTitleText().getString()).isEqualTo("Findings by kind");
            var series = charts.get(0).getChartSeries().get(0).getSeries(0);
            assertThat(series.getCategoryData().getPointCount()).isEqualTo(8);
            assertThat(series.getValuesData().getDataRangeReference()).isEqualTo("'Summary'!$B$" + (h + 4) + ":$B$" + (h + 11));
            assertThat(summary.getRow(h).getCell(2).getStringCellValue()).isEqualTo("Absolute difference (USD)");
            assertThat(workbook.getSheet("Accounts").getLastRowNum()).isEqualTo(6);
            assertThat(workbook.getSheet("Findings").getLastRowNum()).isEqualTo(3);
        }
    }

    @Test
    void aRunFromASealRestartedAfterAMidStepFailureEndsLikeOneThatNeverFailedAndLikeOneFromTheBeginning() throws Exception {
        // given: September (the top-ups) sealed; in October a chain break at the first row after the seal
        ReportPeriod september = ReportPeriod.parse("2026-09", "UTC");
        assertThat(((LaunchOutcome.Ran) launcher.launch(reconciliationJob, new PeriodJobParameters(september, 1), false))
                .execution().getStatus()).isEqualTo(BatchStatus.COMPLETED);
        UUID broken = jdbc.queryForObject("SELECT account_id FROM billing_billings WHERE tm_posted = '2026-10-05T00:00:00Z'",
                UUID.class);
        jdbc.update("UPDATE billing_billings SET amount_credit = amount_credit + 1 WHERE tm_posted = '2026-10-05T00:00:00Z'");
        assertThat(seals.startOf(PERIOD).period()).isEqualTo("2026-09");
        PeriodJobParameters parameters = new PeriodJobParameters(PERIOD, 1);
        JobExecution failed;
        try (InsertFailure crash = InsertFailure.afterRows(jdbc, "reconciliation_accounts", 6 + 3)) { // September's 6, then 3
            failed = ((LaunchOutcome.Ran) launcher.launch(reconciliationJob, parameters, false)).execution();
        }
        assertThat(failed.getStatus()).isEqualTo(BatchStatus.FAILED);

        // when
        JobExecution restarted = ((LaunchOutcome.Ran) launcher.launch(reconciliationJob, parameters, false)).execution();

        // then
        assertThat(restarted.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(restarted.getJobInstanceId()).isEqualTo(failed.getJobInstanceId());
        List<String> restartedFindings = findings();
        List<String> restartedSeals = octoberSeals();
        byte[] restartedCsv = Files.readAllBytes(csv());
        byte[] restartedWorkbook = Files.readAllBytes(csv().resolveSibling("reconciliation-2026-10.xlsx"));
        assertThat(restartedFindings).contains("chain_break " + broken + " 800001 800000");
        assertThat(restartedSeals).hasSize(6);

        JobExecution uninterrupted = ((LaunchOutcome.Ran) launcher.launch(reconciliationJob, parameters, true)).execution();
        assertThat(uninterrupted.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(findings()).containsExactlyElementsOf(restartedFindings);
        assertThat(octoberSeals()).isEqualTo(restartedSeals);
        assertThat(Files.readAllBytes(csv())).isEqualTo(restartedCsv);
        assertThat(Workbooks.content(Files.readAllBytes(csv().resolveSibling("reconciliation-2026-10.xlsx")))).isEqualTo(Workbooks.content(restartedWorkbook));

        jdbc.update("DELETE FROM reconciliation_seals WHERE job_instance_id = (SELECT job_instance_id FROM published_runs"
                + " WHERE job_name = 'reconciliation' AND period = '2026-09')");
        assertThat(seals.startOf(PERIOD).fromBeginning()).isTrue();
        JobExecution fromBeginning = ((LaunchOutcome.Ran) launcher.launch(reconciliationJob, parameters, true)).execution();
        assertThat(fromBeginning.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(findings()).containsExactlyElementsOf(restartedFindings);
        assertThat(octoberSeals()).isEqualTo(restartedSeals);
        assertThat(Files.readAllBytes(csv())).isEqualTo(restartedCsv);
        assertThat(Workbooks.content(Files.readAllBytes(csv().resolveSibling("reconciliation-2026-10.xlsx")))).isEqualTo(Workbooks.content(restartedWorkbook));
    }

    List<String> octoberSeals() {
        return jdbc.query("""
                SELECT s.account_id, s.last_posting_seq, s.closing_snapshot, s.row_count, s.row_digest, s.expected_snapshot
                FROM reconciliation_seals s JOIN published_runs r ON r.job_instance_id = s.job_instance_id AND r.period = '2026-10'
                ORDER BY 1""", (rs, i) -> rs.getString(1) + " " + rs.getString(2) + " " + rs.getLong(3) + " " + rs.getLong(4)
                + " " + rs.getBigDecimal(5) + " " + rs.getString(6));
    }

    @Test
    void restartAfterAFailureInTheLedgerStepGivesTheSameFindingsAndFiles() throws Exception {
        LedgerFixture ledger = new LedgerFixture(jdbc);
        for (int i = 0; i < 3; i++) { // row findings: zero-second calls that moved money (charged_failed_call, rating_mismatch)
            UUID account = ledger.account("Failed calls " + i);
            ledger.topUp(account, 100_000_000, Instant.parse("2026-09-20T00:00:00Z"));
            ledger.post(account, "usage", "call", 0, 0, ledger.rate("call"), -ledger.rate("call"), Instant.parse("2026-10-07T00:00:00Z").plusSeconds(i));
        }
        PeriodJobParameters parameters = new PeriodJobParameters(PERIOD, 1);
        JobExecution failed;
        // the account step stores its 3 negative balances, then the ledger step fails on its 4th row finding
        try (InsertFailure crash = InsertFailure.afterRows(jdbc, "reconciliation_findings", 3 + 3)) {
            failed = ((LaunchOutcome.Ran) launcher.launch(reconciliationJob, parameters, false)).execution();
        }
        assertThat(failed.getStatus()).isEqualTo(BatchStatus.FAILED);
        assertThat(failed.getStepExecutions()).filteredOn(step -> step.getStatus() == BatchStatus.FAILED)
                .extracting(step -> step.getStepName()).containsExactly("reconciliationLedgerStep");

        JobExecution restarted = ((LaunchOutcome.Ran) launcher.launch(reconciliationJob, parameters, false)).execution();

        assertThat(restarted.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(restarted.getJobInstanceId()).isEqualTo(failed.getJobInstanceId());
        List<String> restartedFindings = findings();
        byte[] restartedCsv = Files.readAllBytes(csv());

        JobExecution uninterrupted = ((LaunchOutcome.Ran) launcher.launch(reconciliationJob, parameters, true)).execution();

        assertThat(uninterrupted.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(findings()).hasSize(3 + 6).containsExactlyElementsOf(restartedFindings);
        assertThat(Files.readAllBytes(csv())).isEqualTo(restartedCsv);
    }

    @Test
    void aStopMidStepEndsStoppedAfterTheChunkInFlightAndTheRestartGivesTheSameFindingsAndFiles() throws Exception {
        PeriodJobParameters parameters = new PeriodJobParameters(PERIOD, 1);
        long id;
        try (InsertBarrier barrier = InsertBarrier.afterRows(jdbc, dataSource, "reconciliation_accounts", 2)) {
            id = ((Launched.Started) background.launch(reconciliationJob, parameters, false)).execution().getId();
            barrier.awaitArrival(); // the run is writing its third account

            runs.requestStop(jobRepository.getJobExecution(id));

            barrier.release();
            awaitEnd(id);
        }
        JobExecution stopped = jobRepository.getJobExecution(id);
        StoppedRuns.assertStoppedAfterTheChunkInFlight(stopped, "reconciliationAccountStep", 3);
        assertThat(stopped.getExitStatus().getExitDescription()).isEqualTo("stopped on request");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM reconciliation_accounts", Long.class)).isEqualTo(3);
        assertThat(findings()).as("nothing published").isEmpty();
        assertThat(Files.exists(csv())).isFalse();

        JobExecution restarted = ((LaunchOutcome.Ran) launcher.launch(reconciliationJob, parameters, false)).execution();

        assertThat(restarted.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(restarted.getJobInstanceId()).isEqualTo(stopped.getJobInstanceId());
        List<String> restartedFindings = findings();
        byte[] restartedCsv = Files.readAllBytes(csv());
        byte[] restartedWorkbook = Files.readAllBytes(csv().resolveSibling("reconciliation-2026-10.xlsx"));
        JobExecution uninterrupted = ((LaunchOutcome.Ran) launcher.launch(reconciliationJob, parameters, true)).execution();
        assertThat(uninterrupted.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(findings()).hasSize(3).containsExactlyElementsOf(restartedFindings);
        assertThat(Files.readAllBytes(csv())).isEqualTo(restartedCsv);
        assertThat(Workbooks.content(Files.readAllBytes(csv().resolveSibling("reconciliation-2026-10.xlsx")))).isEqualTo(Workbooks.content(restartedWorkbook));
        assertThat(jdbc.queryForObject("SELECT count(*) FROM reconciliation_accounts", Long.class)).isEqualTo(6);
    }

    private void awaitEnd(long id) throws InterruptedException {
        StoppedRuns.awaitEnd(id);
    }

    Path csv() {
        return reportStore.directory(PERIOD.key()).resolve("reconciliation-2026-10.csv");
    }

    List<String> findings() {
        return jdbc.query("""
                SELECT f.kind, f.account_id, f.expected, f.actual FROM reconciliation_findings f
                JOIN published_runs r ON r.job_instance_id = f.job_instance_id AND r.job_name = 'reconciliation' ORDER BY 2, 1""",
                (rs, i) -> rs.getString(1) + " " + rs.getString(2) + " " + rs.getLong(3) + " " + rs.getLong(4));
    }
}
