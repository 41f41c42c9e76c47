package io.billingbatch.seals;

import io.billingbatch.testing.Tables;
import io.billingbatch.testing.BillingTest;
import io.billingbatch.report.Workbooks;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.YearMonth;
import java.util.List;
import java.util.UUID;

import io.billingbatch.batch.PeriodJobParameters;
import io.billingbatch.batch.PublishedRuns;
import io.billingbatch.demo.DemoLedgerGenerator;
import io.billingbatch.demo.DemoLedgerSpec;
import io.billingbatch.launch.PeriodJobLauncher;
import io.billingbatch.launch.PeriodJobLauncher.LaunchOutcome;
import io.billingbatch.ledger.InsertFailure;
import io.billingbatch.ledger.LedgerFixture;
import io.billingbatch.ledger.ReportPeriod;
import io.billingbatch.report.ReportFile;
import io.billingbatch.report.ReportStore;
import org.apache.poi.ss.usermodel.Sheet;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.FileSystemUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * verify-seals over seals written by real reconciliation runs (days, months, another zone): an
 * untouched ledger gives nothing, every change behind a seal is found at its account and range.
 * Shares the reconciliation tests' context.
 */
@BillingTest
class VerifySealsJobTest {

    static final ReportPeriod SEPTEMBER = ReportPeriod.parse("2026-09", "UTC");

    static final ReportPeriod OCTOBER = ReportPeriod.parse("2026-10", "UTC");

    static final ReportPeriod OCTOBER_5 = ReportPeriod.parse("2026-10-05", "UTC");

    static final ReportPeriod OCTOBER_5_BERLIN = ReportPeriod.parse("2026-10-05", "Europe/Berlin");

    static final Instant SEPT = Instant.parse("2026-09-15T00:00:00Z");

    static final Instant OCT_5 = Instant.parse("2026-10-05T10:00:00Z");

    static final Instant OCT_20 = Instant.parse("2026-10-20T10:00:00Z");

    @Autowired
    Job reconciliationJob;

    @Autowired
    Job verifySealsJob;

    @Autowired
    PeriodJobLauncher launcher;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    ReportStore reportStore;

    @Autowired
    JdbcSealVerifications verifications;

    @Autowired
    TransactionTemplate transaction;

    @Autowired
    DemoLedgerGenerator demoLedger;

    @Autowired
    JdbcClient jdbcClient;

    @Autowired
    PublishedRuns publishedRuns;

    LedgerFixture ledger;

    UUID busy;

    UUID quiet;

    UUID lateJoiner;

    UUID busyOct5Call;

    UUID busyOct20Sms;

    UUID quietTopUp;

    @BeforeEach
    void givenThreeAccountsReconciledBySealedDaysAndMonths() throws Exception {
        emptyLedger();
        ledger = new LedgerFixture(jdbc);
        busy = ledger.account("Busy");
        ledger.topUp(busy, 100_000_000, SEPT);
        ledger.call(busy, 30, SEPT.plusSeconds(60));
        busyOct5Call = ledger.call(busy, 60, OCT_5);
        ledger.sms(busy, OCT_5.plusSeconds(60));
        busyOct20Sms = ledger.sms(busy, OCT_20);
        quiet = ledger.account("Quiet"); // posts in September only: its October seals carry its September posting
        quietTopUp = ledger.topUp(quiet, 50_000_000, SEPT.plusSeconds(120));
        lateJoiner = ledger.account("Late joiner"); // nothing before October 20th
        ledger.topUp(lateJoiner, 10_000_000, OCT_20.plusSeconds(60));
        for (ReportPeriod period : List.of(SEPTEMBER, OCTOBER_5, OCTOBER_5_BERLIN, OCTOBER)) {
            reconcile(period, false);
        }
    }

    @Test
    void anUntouchedLedgerHasNoFindingsAndTheFilesSaySo() throws Exception {
        JobExecution execution = verify(OCTOBER, false);

        assertThat(findings()).isEmpty();
        JdbcSealVerifications.Summary summary = verifications.summary(OCTOBER).orElseThrow();
        assertThat(summary.rangesChecked()).isEqualTo(4);
        assertThat(summary.sealsChecked()).isEqualTo(4 * 3);
        // September 3 rows, October 4 rows (2 on the 5th, in both zones' 5th): read once, counted per range
        assertThat(summary.rowsRead()).isEqualTo(7);
        assertThat(summary.rowsChecked()).isEqualTo(3 + 4 + 2 + 2);
        assertThat(execution.getStepExecutions()).extracting(step -> step.getStepName())
                .containsExactly("sealCheckStep", "sealPublishStep", "sealFilesStep");
        Path csv = reportStore.directory("2026-10").resolve("verify-seals-2026-10.csv");
        assertThat(Files.readString(csv)).isEqualTo("kind,sealed_period,zone,period_start,period_end,account_id,"
                + "expected_rows,actual_rows,expected_digest_hex,actual_digest_hex,expected_last_seq,actual_last_seq,"
                + "expected_snapshot_usd,actual_snapshot_usd,detail\n");
        assertThat(reportStore.readManifest("2026-10").orElseThrow().files()).extracting(ReportFile::name)
                .contains("verify-seals-2026-10.csv", "verify-seals-2026-10.xlsx");
        try (InputStream in = Files.newInputStream(csv.resolveSibling("verify-seals-2026-10.xlsx"));
                XSSFWorkbook workbook = new XSSFWorkbook(in)) {
            Sheet sheet = workbook.getSheet("Summary");
            assertThat(sheet.getRow(0).getCell(0).getStringCellValue()).isEqualTo("Seal verification");
            int header = Workbooks.headerRow(sheet, "Item");
            assertThat(sheet.getRow(header + 1).getCell(1).getNumericCellValue()).isEqualTo(4.0);
            assertThat(sheet.getRow(sheet.getLastRowNum()).getCell(0).getStringCellValue())
                    .isEqualTo("findings: sealed_period_changed");
            assertThat(sheet.getRow(sheet.getLastRowNum()).getCell(1).getNumericCellValue()).isEqualTo(0.0);
            assertThat(workbook.getSheet("Findings").getLastRowNum()).isZero();
        }
    }

    @Test
    void aRangeSealedAfterThePeriodIsNotChecked() throws Exception {
        verify(SEPTEMBER, false);

        JdbcSealVerifications.Summary summary = verifications.summary(SEPTEMBER).orElseThrow();
        assertThat(summary.rangesChecked()).isEqualTo(1);
        assertThat(summary.rowsRead()).isEqualTo(3);
    }

    @Test
    void anAlteredAmountIsFoundInEveryRangeThatHoldsTheRow() throws Exception {
        jdbc.update("UPDATE billing_billings SET amount_credit = amount_credit + 1 WHERE id = ?", busyOct5Call);

        verify(OCTOBER, false);

        assertThat(findings()).containsExactlyInAnyOrder(
                "2026-10 UTC " + busy + " rows 3/3 row(s) altered (same count, different digest)",
                "2026-10-05 UTC " + busy + " rows 2/2 row(s) altered (same count, different digest)",
                "2026-10-05 Europe/Berlin " + busy + " rows 2/2 row(s) altered (same count, different digest)");
        String digests = jdbc.queryForObject("""
                SELECT expected_digest || ' ' || actual_digest FROM seal_findings WHERE zone = 'Europe/Berlin'""", String.class);
        String[] sums = digests.split(" ");
        assertThat(Files.readString(reportStore.directory("2026-10").resolve("verify-seals-2026-10.csv")).lines())
                .hasSize(4).contains("sealed_period_changed,2026-10-05,Europe/Berlin,2026-10-04T22:00:00Z,"
                        + "2026-10-05T22:00:00Z," + busy + ",2,2," + VerifySealsFiles.text(new java.math.BigDecimal(sums[0]))
                        + "," + VerifySealsFiles.text(new java.math.BigDecimal(sums[1])) + "," + (seq(busyOct5Call) + 1) + ","
                        + (seq(busyOct5Call) + 1) + ",98.192000,98.192000,\"row(s) altered (same count, different digest)\"");
    }

    @Test
    void anAlteredSnapshotAlsoMovesTheLastPosting() throws Exception {
        jdbc.update("UPDATE billing_billings SET balance_credit_snapshot = balance_credit_snapshot + 5 WHERE id = ?",
                busyOct20Sms);

        verify(OCTOBER, false);

        assertThat(findings()).singleElement().satisfies(finding -> assertThat(finding)
                .startsWith("2026-10 UTC " + busy + " rows 3/3 row(s) altered (same count, different digest); last posting"
                        + " before the period's end: sealed #"));
        assertThat(jdbc.queryForObject("SELECT actual_snapshot - expected_snapshot FROM seal_findings", Long.class))
                .isEqualTo(5);
    }

    @Test
    void aSoftDeletedRowIsFound() throws Exception {
        ledger.softDelete(busyOct20Sms, Instant.parse("2026-11-02T00:00:00Z"));

        verify(OCTOBER, false);

        assertThat(findings()).containsExactly("2026-10 UTC " + busy + " rows 3/3 row(s) altered (same count, different digest)");
    }

    @Test
    void aRowInsertedIntoASealedRangeIsFoundAlsoForAnAccountTheSealDidNotHold() throws Exception {
        UUID inserted = ledger.sms(busy, Instant.parse("2026-10-05T22:30:00Z")); // the 5th in UTC, the 6th in Berlin
        UUID newcomer = UUID.randomUUID();
        ledger.post(newcomer, "top_up", "top_up", 0, 0, 0, 1_000_000, Instant.parse("2026-09-30T23:00:00Z"));

        verify(OCTOBER, false);

        // busy: 100.00 top-up, calls of 0.60 and 1.20, SMS of 0.008 each
        String now = ", now #" + seq(inserted) + " at 98.176000 USD";
        assertThat(findings()).containsExactlyInAnyOrder(
                "2026-09 UTC " + newcomer + " rows -/1 account not in the seal: 1 row(s) in the sealed range now",
                "2026-10 UTC " + busy + " rows 3/4 1 row(s) added; last posting before the period's end: sealed #"
                        + seq(busyOct20Sms) + " at 98.184000 USD" + now,
                "2026-10-05 UTC " + busy + " rows 2/3 1 row(s) added; last posting before the period's end: sealed #"
                        + (seq(busyOct5Call) + 1) + " at 98.192000 USD" + now);
    }

    @Test
    void aDeletedRowIsFoundAlsoWhereItWasTheLastPostingOfALaterQuietRange() throws Exception {
        long deletedSeq = seq(quietTopUp);
        jdbc.update("DELETE FROM billing_billings WHERE id = ?", quietTopUp);

        verify(OCTOBER, false);

        // September lost the row; October's seals carried it as the quiet account's last posting
        String lost = "last posting before the period's end: sealed #" + deletedSeq + " at 50.000000 USD, now none";
        assertThat(findings()).containsExactlyInAnyOrder(
                "2026-09 UTC " + quiet + " rows 1/0 1 row(s) removed; " + lost,
                "2026-10 UTC " + quiet + " rows 0/0 " + lost,
                "2026-10-05 UTC " + quiet + " rows 0/0 " + lost,
                "2026-10-05 Europe/Berlin " + quiet + " rows 0/0 " + lost);
    }

    @Test
    void aRerunPeriodsNewSealsAreCheckedNotTheReplacedOnes() throws Exception {
        jdbc.update("UPDATE billing_billings SET amount_credit = amount_credit + 1 WHERE id = ?", busyOct20Sms);
        verify(OCTOBER, false);
        assertThat(findings()).hasSize(1);

        reconcile(OCTOBER, true); // the late change is reconciled again: October's new seals hold it

        verify(OCTOBER, true);
        assertThat(findings()).isEmpty();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM seal_findings", Long.class))
                .as("the replaced verification's findings are gone with it").isZero();
        assertThat(Files.readString(reportStore.directory("2026-10").resolve("verify-seals-2026-10.csv")).lines()).hasSize(1);
    }

    @Test
    void restartAfterAFailureGivesTheSameFindingsAndFiles() throws Exception {
        jdbc.update("DELETE FROM billing_billings WHERE id = ?", busyOct5Call);
        PeriodJobParameters parameters = new PeriodJobParameters(OCTOBER, 1);
        JobExecution failed;
        ch.qos.logback.classic.Logger stepLog = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory
                .getLogger("org.springframework.batch.core.step");
        ch.qos.logback.classic.Level level = stepLog.getLevel();
        stepLog.setLevel(ch.qos.logback.classic.Level.OFF); // the expected failure's stack trace
        try (InsertFailure crash = InsertFailure.afterRows(jdbc, "seal_findings", 1)) {
            failed = ((LaunchOutcome.Ran) launcher.launch(verifySealsJob, parameters, false)).execution();
        }
        finally {
            stepLog.setLevel(level);
        }
        assertThat(failed.getStatus()).isEqualTo(BatchStatus.FAILED);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM seal_findings", Long.class)).as("nothing half-written").isZero();

        JobExecution restarted = ((LaunchOutcome.Ran) launcher.launch(verifySealsJob, parameters, false)).execution();

        assertThat(restarted.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(restarted.getJobInstanceId()).isEqualTo(failed.getJobInstanceId());
        List<String> restartedFindings = findings();
        Path csv = reportStore.directory("2026-10").resolve("verify-seals-2026-10.csv");
        byte[] restartedCsv = Files.readAllBytes(csv);
        byte[] restartedWorkbook = Files.readAllBytes(csv.resolveSibling("verify-seals-2026-10.xlsx"));

        verify(OCTOBER, true);

        assertThat(findings()).hasSize(3).containsExactlyElementsOf(restartedFindings);
        assertThat(Files.readAllBytes(csv)).isEqualTo(restartedCsv);
        assertThat(Workbooks.content(Files.readAllBytes(csv.resolveSibling("verify-seals-2026-10.xlsx")))).isEqualTo(Workbooks.content(restartedWorkbook));
    }

    @Test
    void theCheckReadsTheSealsAndTheLedgerInOneSnapshot() throws Exception {
        // a re-run publishing between two of the check's statements would otherwise leave a range without its seals
        jdbc.execute("CREATE TABLE check_isolation (level text)");
        jdbc.execute("""
                CREATE FUNCTION record_check_isolation() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN INSERT INTO check_isolation VALUES (current_setting('transaction_isolation')); RETURN NEW; END $$""");
        jdbc.execute("CREATE TRIGGER record_check_isolation BEFORE INSERT ON seal_verifications FOR EACH ROW"
                + " EXECUTE FUNCTION record_check_isolation()");
        try {
            verify(OCTOBER, false);

            assertThat(jdbc.queryForList("SELECT level FROM check_isolation", String.class)).containsExactly("repeatable read");
        }
        finally {
            jdbc.execute("DROP TRIGGER record_check_isolation ON seal_verifications");
            jdbc.execute("DROP FUNCTION record_check_isolation()");
            jdbc.execute("DROP TABLE check_isolation");
        }
    }

    @Test
    void theLedgerIsReadOnceWithoutSorting() throws Exception {
        // a ledger whose statistics make a sort look cheap: many rows per account, the account index in order
        emptyLedger();
        demoLedger.generate(new DemoLedgerSpec(5, 40, YearMonth.of(2026, 7), 4, 60_000));
        for (String month : List.of("2026-07", "2026-08", "2026-09", "2026-10")) {
            reconcile(ReportPeriod.parse(month, "UTC"), false);
        }
        jdbc.execute("ANALYZE billing_billings");

        // with little memory a hash aggregate looks like it spills, so the planner would rather sort
        JdbcSealVerifications frugal = new JdbcSealVerifications(jdbcClient, publishedRuns, "64kB");
        for (JdbcSealVerifications check : List.of(verifications, frugal)) {
            String plan = transaction.execute(status -> {
                status.setRollbackOnly();
                return check.explainLedgerPass(OCTOBER.end());
            });
            assertThat(plan).contains("HashAggregate").contains("billing_billings").doesNotContain("Sort");
        }
        verify(OCTOBER, false);
        assertThat(findings()).isEmpty();
        assertThat(verifications.summary(OCTOBER).orElseThrow().rowsRead())
                .isEqualTo(jdbc.queryForObject("SELECT count(*) FROM billing_billings WHERE tm_posted IS NOT NULL", Long.class));
    }

    void emptyLedger() {
        Tables.reset(jdbc);
        for (String period : List.of("2026-07", "2026-08", "2026-09", "2026-10", "2026-10-05")) {
            FileSystemUtils.deleteRecursively(reportStore.directory(period).toFile());
        }
    }

    JobExecution reconcile(ReportPeriod period, boolean rerun) throws Exception {
        JobExecution execution = ((LaunchOutcome.Ran) launcher.launch(reconciliationJob, new PeriodJobParameters(period, 1),
                rerun)).execution();
        assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM reconciliation_seals WHERE job_instance_id = ?", Long.class,
                execution.getJobInstanceId())).as("the published run sealed its accounts").isEqualTo(
                jdbc.queryForObject("SELECT count(*) FROM reconciliation_accounts WHERE job_instance_id = ?", Long.class,
                        execution.getJobInstanceId())).isPositive();
        return execution;
    }

    JobExecution verify(ReportPeriod period, boolean rerun) throws Exception {
        JobExecution execution = ((LaunchOutcome.Ran) launcher.launch(verifySealsJob, new PeriodJobParameters(period, 1),
                rerun)).execution();
        assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        return execution;
    }

    long seq(UUID ledgerRow) {
        return jdbc.queryForObject("SELECT posting_seq FROM billing_billings WHERE id = ?", Long.class, ledgerRow);
    }

    /** The published run's findings: sealed period, zone, account, rows sealed/now, detail. */
    List<String> findings() {
        return jdbc.query("""
                SELECT f.period, f.zone, f.account_id, f.expected_rows, f.actual_rows, f.detail, f.kind FROM seal_findings f
                JOIN published_runs r ON r.job_instance_id = f.job_instance_id AND r.job_name = 'verify-seals'
                ORDER BY f.period_start, f.zone, f.account_id""", (rs, i) -> {
            assertThat(rs.getString(7)).isEqualTo(SealFinding.SEALED_PERIOD_CHANGED);
            return rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3) + " rows "
                    + (rs.getObject(4) == null ? "-" : rs.getLong(4)) + "/" + rs.getLong(5) + " " + rs.getString(6);
        });
    }
}
