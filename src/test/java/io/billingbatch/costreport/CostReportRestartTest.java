package io.billingbatch.costreport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import javax.sql.DataSource;

import io.billingbatch.testing.Tables;
import io.billingbatch.testing.ServerTest;
import io.billingbatch.batch.PeriodJobParameters;
import io.billingbatch.batch.StoppedRuns;
import io.billingbatch.launch.BackgroundJobLauncher;
import io.billingbatch.launch.BackgroundJobLauncher.Launched;
import io.billingbatch.launch.PeriodJobLauncher;
import io.billingbatch.launch.PeriodJobLauncher.LaunchOutcome;
import io.billingbatch.ledger.InsertBarrier;
import io.billingbatch.ledger.InsertFailure;
import io.billingbatch.ledger.LedgerFixture;
import io.billingbatch.ledger.ReportPeriod;
import io.billingbatch.launch.RunHeartbeats;
import io.billingbatch.report.ReportStore;
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

/** A run that fails in the middle of its chunk step, restarted, ends exactly like one that never failed. */
@ServerTest
class CostReportRestartTest {

    static final ReportPeriod PERIOD = ReportPeriod.parse("2026-10-05", "Europe/Berlin");

    @Autowired
    Job costReportJob;

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

    @BeforeEach
    void givenSixAccountsWithCallsAndSms() {
        Tables.reset(jdbc);
        FileSystemUtils.deleteRecursively(reportStore.directory(PERIOD.key()).toFile());
        LedgerFixture ledger = new LedgerFixture(jdbc);
        Instant day = PERIOD.start();
        for (int i = 0; i < 6; i++) {
            UUID account = ledger.account("Account " + i);
            ledger.topUp(account, 50_000_000, day.minusSeconds(3600));
            ledger.call(account, 10 + i, day.plusSeconds(60L * i));
            ledger.sms(account, day.plusSeconds(60L * i + 30));
        }
    }

    @Test
    void restartAfterAMidStepFailureGivesTheSameSummaryAndFilesAsAnUninterruptedRun() throws Exception {
        PeriodJobParameters parameters = new PeriodJobParameters(PERIOD, 1);
        JobExecution failed;
        try (InsertFailure crash = InsertFailure.afterRows(jdbc, "cost_report_lines", 3)) {
            failed = ((LaunchOutcome.Ran) launcher.launch(costReportJob, parameters, false)).execution();
        }
        assertThat(failed.getStatus()).isEqualTo(BatchStatus.FAILED);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM cost_report_lines", Long.class)).isEqualTo(3);
        assertThat(Files.exists(csv())).isFalse();

        JobExecution restarted = ((LaunchOutcome.Ran) launcher.launch(costReportJob, parameters, false)).execution();

        assertThat(restarted.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(restarted.getJobInstanceId()).isEqualTo(failed.getJobInstanceId());
        assertThat(restarted.getStepExecutions()).filteredOn(step -> step.getStepName().equals("costAggregationStep"))
                .singleElement().satisfies(step -> assertThat(step.getReadCount()).isEqualTo(9));
        List<String> restartedSummary = summary();
        byte[] restartedCsv = Files.readAllBytes(csv());
        byte[] restartedWorkbook = Files.readAllBytes(workbook());

        JobExecution uninterrupted = ((LaunchOutcome.Ran) launcher.launch(costReportJob, parameters, true)).execution();

        assertThat(uninterrupted.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(summary()).hasSize(12).containsExactlyElementsOf(restartedSummary);
        assertThat(Files.readAllBytes(csv())).isEqualTo(restartedCsv);
        // the same cells; only the title lines naming the run (revision, execution, when) differ
        assertThat(io.billingbatch.report.Workbooks.content(Files.readAllBytes(workbook())))
                .isEqualTo(io.billingbatch.report.Workbooks.content(restartedWorkbook));
        assertThat(jdbc.queryForObject("SELECT count(*) FROM cost_report_lines", Long.class)).isEqualTo(12);
    }

    @Test
    void aMonthRestartedAfterAMidStepFailureReadsItsDaysWithTheRestOfItsLinesAndGetsTheSameByDaySheet() throws Exception {
        // given: the month of the given day, whose aggregation failed after three of its twelve lines (a chunk is a line here)
        ReportPeriod month = ReportPeriod.parse("2026-10", "Europe/Berlin");
        FileSystemUtils.deleteRecursively(reportStore.directory(month.key()).toFile());
        PeriodJobParameters parameters = new PeriodJobParameters(month, 1);
        JobExecution failed;
        try (InsertFailure crash = InsertFailure.afterRows(jdbc, "cost_report_lines", 3)) {
            failed = ((LaunchOutcome.Ran) launcher.launch(costReportJob, parameters, false)).execution();
        }
        assertThat(failed.getStatus()).isEqualTo(BatchStatus.FAILED);

        // when
        JobExecution restarted = ((LaunchOutcome.Ran) launcher.launch(costReportJob, parameters, false)).execution();

        // then: the restart read the days after the lines it had left, and the workbook is an uninterrupted run's
        assertThat(restarted.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(restarted.getStepExecutions()).filteredOn(step -> step.getStepName().equals("costAggregationStep"))
                .singleElement().satisfies(step -> {
                    assertThat(step.getReadCount()).isEqualTo(9);
                    assertThat(step.getExecutionContext().getString(CostLineItemReader.DAYS)).isEqualTo("2026-10-05 12 "
                            + jdbc.queryForObject("SELECT sum(cost_credit) FROM cost_report_lines", Long.class) + "\n");
                });
        Path workbook = reportStore.directory(month.key()).resolve("cost-report-2026-10-Europe_Berlin.xlsx");
        List<String> restartedWorkbook = io.billingbatch.report.Workbooks.content(Files.readAllBytes(workbook));
        assertThat(restartedWorkbook).contains("sheet By day");
        JobExecution uninterrupted = ((LaunchOutcome.Ran) launcher.launch(costReportJob, parameters, true)).execution();
        assertThat(uninterrupted.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(io.billingbatch.report.Workbooks.content(Files.readAllBytes(workbook))).isEqualTo(restartedWorkbook);
        FileSystemUtils.deleteRecursively(reportStore.directory(month.key()).toFile());
    }

    @Test
    void aStopMidStepEndsStoppedAfterTheChunkInFlightAndTheRestartGivesTheSameSummaryAndFiles() throws Exception {
        PeriodJobParameters parameters = new PeriodJobParameters(PERIOD, 1);
        long id;
        try (InsertBarrier barrier = InsertBarrier.afterRows(jdbc, dataSource, "cost_report_lines", 2)) {
            id = ((Launched.Started) background.launch(costReportJob, parameters, false)).execution().getId();
            barrier.awaitArrival(); // the run is storing its third line

            runs.requestStop(jobRepository.getJobExecution(id));

            barrier.release();
            awaitEnd(id);
        }
        JobExecution stopped = jobRepository.getJobExecution(id);
        StoppedRuns.assertStoppedAfterTheChunkInFlight(stopped, "costAggregationStep", 3);
        assertThat(stopped.getExitStatus().getExitCode()).isEqualTo("STOPPED");
        assertThat(stopped.getExitStatus().getExitDescription()).isEqualTo("stopped on request");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM cost_report_lines", Long.class)).isEqualTo(3);
        assertThat(summary()).as("nothing published").isEmpty();
        assertThat(Files.exists(csv())).isFalse();

        JobExecution restarted = ((LaunchOutcome.Ran) launcher.launch(costReportJob, parameters, false)).execution();

        assertThat(restarted.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(restarted.getJobInstanceId()).isEqualTo(stopped.getJobInstanceId());
        assertThat(restarted.getStepExecutions()).filteredOn(step -> step.getStepName().equals("costAggregationStep"))
                .singleElement().satisfies(step -> assertThat(step.getReadCount()).isEqualTo(9));
        List<String> restartedSummary = summary();
        byte[] restartedCsv = Files.readAllBytes(csv());
        byte[] restartedWorkbook = Files.readAllBytes(workbook());
        JobExecution uninterrupted = ((LaunchOutcome.Ran) launcher.launch(costReportJob, parameters, true)).execution();
        assertThat(uninterrupted.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(summary()).hasSize(12).containsExactlyElementsOf(restartedSummary);
        assertThat(Files.readAllBytes(csv())).isEqualTo(restartedCsv);
        // the same cells; only the title lines naming the run (revision, execution, when) differ
        assertThat(io.billingbatch.report.Workbooks.content(Files.readAllBytes(workbook())))
                .isEqualTo(io.billingbatch.report.Workbooks.content(restartedWorkbook));
    }

    private void awaitEnd(long id) throws InterruptedException {
        StoppedRuns.awaitEnd(id);
    }

    Path csv() {
        return reportStore.directory(PERIOD.key()).resolve("cost-report-2026-10-05-Europe_Berlin.csv");
    }

    Path workbook() {
        return reportStore.directory(PERIOD.key()).resolve("cost-report-2026-10-05-Europe_Berlin.xlsx");
    }

    List<String> summary() {
        return jdbc.query("""
                SELECT account_id, type, records, billable_units, cost_credit FROM cost_summary
                WHERE period = ? AND zone = ? ORDER BY account_id, type""",
                (rs, i) -> rs.getString(1) + " " + rs.getString(2) + " " + rs.getLong(3) + " " + rs.getLong(4) + " " + rs.getLong(5),
                PERIOD.key(), PERIOD.zone().getId());
    }
}
