package io.billingbatch.launch;

import io.billingbatch.testing.Tables;
import io.billingbatch.testing.TestLog;
import io.billingbatch.testing.BillingTest;
import io.billingbatch.report.Workbooks;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;

import io.billingbatch.ledger.LedgerFixture;
import io.billingbatch.ledger.TestClock;
import io.billingbatch.report.ReportStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.util.FileSystemUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The main job a newcomer runs first: demo ledger on an empty database, then last month's cost report. */
@BillingTest
class MainJobTest {

    static final Instant NOV_25 = Instant.parse("2026-11-25T03:00:00Z");

    @Autowired
    TestClock clock;

    @BeforeEach
    void atNovember25() {
        clock.pin(NOV_25);
    }

    @AfterEach
    void unpinned() {
        clock.unpin();
    }

    @Autowired
    CommandRunner commands;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    ReportStore reportStore;

    @Autowired
    io.billingbatch.topup.JdbcTopUpPolicies policies;

    @Autowired
    JobCatalog jobs;

    /**
     * A command on a database that has never seen the application migrates it before it reads or
     * writes: the command line's lazily initialised context must not leave Flyway uncreated.
     */
    @Test
    void aCommandOnAFreshDatabaseMigratesItFirst() throws Exception {
        jdbc.execute("DROP DATABASE IF EXISTS fresh_command_line");
        jdbc.execute("CREATE DATABASE fresh_command_line");
        try {
            String url;
            String user;
            try (java.sql.Connection connection = jdbc.getDataSource().getConnection()) {
                url = connection.getMetaData().getURL();
                user = connection.getMetaData().getUserName();
            }
            String fresh = url.replaceFirst("/[^/?]+(\\?|$)", "/fresh_command_line$1");
            PrintStream original = System.err;
            PrintStream originalOut = System.out;
            ByteArrayOutputStream errors = new ByteArrayOutputStream();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            System.setErr(new PrintStream(errors, true, StandardCharsets.UTF_8));
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            int exit;
            try {
                exit = CommandLine.run(io.billingbatch.BillingBatchApplication.class, new String[] { "demo-data", "--accounts=3", "--months=1", "--rows=50",
                        "--spring.datasource.url=" + fresh, "--spring.datasource.username=" + user });
            }
            finally {
                System.setErr(original);
                System.setOut(originalOut);
            }
            assertThat(exit).as(errors.toString(StandardCharsets.UTF_8)).isEqualTo(CommandLine.OK);
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("Demo ledger: 3 accounts, 50 ledger rows");
        }
        finally {
            jdbc.execute("DROP DATABASE IF EXISTS fresh_command_line WITH (FORCE)");
        }
    }

    @Test
    void everyJobIsDeclaredOnceAndSoHasItsCommand() {
        // a Job bean without its PeriodJobCommand in META-INF/spring.factories would be admin-only, in no definition and
        // without a command line (README, "Adding a job")
        assertThat(Commands.periodJobs()).extracting(PeriodJobCommand::name).containsExactlyInAnyOrderElementsOf(jobs.names());
        assertThat(Commands.find("finance-pack")).isPresent();
    }

    @Test
    void fillsAnEmptyLedgerReportsLastMonthAndSaysSoWhenRunAgain() throws Exception {
        Tables.reset(jdbc);
        FileSystemUtils.deleteRecursively(reportStore.directory("2026-10"));

        Run first = run();

        assertThat(first.exitCode()).isZero();
        assertThat(first.output()).contains("The ledger is empty: generating the demo ledger")
                .contains("cost-report 2026-10 (UTC): COMPLETED").contains("cost-report-2026-10.csv")
                .contains("cost-report-2026-10.xlsx");
        long ledgerRows = jdbc.queryForObject("SELECT count(*) FROM billing_billings", Long.class);
        assertThat(ledgerRows).isBetween(285_000L, 315_000L);
        assertThat(jdbc.queryForObject("SELECT count(DISTINCT type) FROM cost_summary WHERE period = '2026-10'", Long.class))
                .isEqualTo(3);
        byte[] csv = Files.readAllBytes(reportStore.directory("2026-10").resolve("cost-report-2026-10.csv"));

        Run second = run();

        assertThat(second.exitCode()).isZero();
        assertThat(second.output()).doesNotContain("generating").contains("cost-report 2026-10 (UTC) is already reported")
                .contains("cost-report-2026-10.csv");
        assertThat(totalsLine(second.output())).isEqualTo(totalsLine(first.output()));
        assertThat(jdbc.queryForObject("SELECT count(*) FROM billing_billings", Long.class)).isEqualTo(ledgerRows);
        assertThat(Files.readAllBytes(reportStore.directory("2026-10").resolve("cost-report-2026-10.csv"))).isEqualTo(csv);
    }

    @Test
    void theShippedMonthlyDefinitionRunsItsJobsInOrderAndSkipsWhatIsAlreadyDone() throws Exception {
        Tables.reset(jdbc);
        FileSystemUtils.deleteRecursively(reportStore.directory("2026-10"));
        String[] command = { "run-definition", "jobs/monthly.properties" };

        Run first = run(command);
        Run second = run(command);

        assertThat(first.exitCode()).isZero();
        assertThat(first.output()).contains("cost-report 2026-10 (UTC): COMPLETED").contains("reconciliation 2026-10 (UTC): COMPLETED")
                .contains("finance-pack 2026-10 (UTC): COMPLETED");
        assertThat(first.output().indexOf("cost-report 2026-10")).isLessThan(first.output().indexOf("reconciliation 2026-10"));
        assertThat(first.output().indexOf("reconciliation 2026-10")).isLessThan(first.output().indexOf("finance-pack 2026-10"));
        java.nio.file.Path pack = reportStore.directory("2026-10").resolve("finance-pack-2026-10.zip");
        java.util.List<String> entries = new java.util.ArrayList<>();
        try (var zip = new java.util.zip.ZipInputStream(Files.newInputStream(pack))) {
            for (var entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                entries.add(entry.getName());
            }
        }
        assertThat(entries).contains("cost-report-2026-10.csv", "cost-report-2026-10.xlsx", "reconciliation-2026-10.csv",
                "reconciliation-2026-10.xlsx", "manifest.json");
        assertThat(second.exitCode()).isZero();
        assertThat(second.output()).contains("cost-report 2026-10 (UTC) is already reported")
                .contains("reconciliation 2026-10 (UTC) is already reported").contains("finance-pack 2026-10 (UTC) is already reported");
    }

    @Test
    void aFailedRunExits1AndRestartsAndACompletedPeriodIsRefusedWithTheReason() throws Exception {
        Tables.reset(jdbc);
        LedgerFixture ledger = new LedgerFixture(jdbc);
        java.util.UUID account = ledger.account("Exit codes");
        ledger.call(account, 12, Instant.parse("2026-05-06T08:00:00Z"));
        String[] command = { "cost-report", "--period=2026-05-06" };
        jdbc.execute("""
                CREATE FUNCTION refuse_cost_lines() RETURNS trigger LANGUAGE plpgsql AS
                $$ BEGIN RAISE EXCEPTION 'disk full (simulated)'; END $$""");
        Run failed;
        try {
            jdbc.execute("CREATE TRIGGER refuse_cost_lines BEFORE INSERT ON cost_report_lines FOR EACH ROW"
                    + " EXECUTE FUNCTION refuse_cost_lines()");
            failed = run(command);
        }
        finally {
            jdbc.execute("DROP FUNCTION refuse_cost_lines() CASCADE");
        }

        assertThat(failed.exitCode()).isEqualTo(CommandLine.FAILED);
        assertThat(failed.output()).contains("cost-report 2026-05-06 (UTC): FAILED").contains("disk full (simulated)")
                .contains("Run the same command again");
        assertThat(failed.output().lines().filter(line -> line.startsWith("cost-report 2026-05-06 (UTC): FAILED")))
                .as("the one line of the failure names its cause, not the exception that wrapped it")
                .singleElement().asString().contains("disk full (simulated)").doesNotContain("Exception");
        Run restarted = run(command);
        assertThat(restarted.exitCode()).isZero();
        assertThat(restarted.output()).contains("cost-report 2026-05-06 (UTC): COMPLETED");
        assertThat(jdbc.queryForObject("SELECT cost_credit FROM cost_summary WHERE period = '2026-05-06'", Long.class))
                .isEqualTo(12 * new LedgerFixture(jdbc).rate("call"));
        assertThatThrownBy(() -> run(command)).isInstanceOf(UsageException.class)
                .hasMessageContaining("cost-report 2026-05-06 (UTC) is already reported")
                .hasMessageEndingWith("nothing was run: add --rerun to replace it");
    }

    @Test
    void amountsWhoseSumDoesNotFitALongAreRejectedAndEveryCommandEndsAsDocumented() throws Exception {
        // given: the ledger, two usage rows of -5e18 micro-USD on different accounts, and one good call
        Tables.reset(jdbc);
        LedgerFixture ledger = new LedgerFixture(jdbc);
        java.util.UUID first = ledger.account("First");
        java.util.UUID second = ledger.account("Second");
        ledger.call(first, 12, Instant.parse("2019-07-06T08:00:00Z"));
        ledger.post(first, "usage", "call", 1, 1, 20_000, -5_000_000_000_000_000_000L, Instant.parse("2019-07-06T09:00:00Z"));
        ledger.post(second, "usage", "sms", 0, 1, 8_000, -5_000_000_000_000_000_000L, Instant.parse("2019-07-06T09:00:00Z"));
        FileSystemUtils.deleteRecursively(reportStore.directory("2019-07"));

        // when / then: the cost report completes with exact totals and says what it rejected
        Run costReport = run(new String[] { "cost-report", "--period=2019-07" });
        assertThat(costReport.exitCode()).as(costReport.output()).isZero();
        assertThat(costReport.output()).contains("cost-report 2019-07 (UTC): COMPLETED")
                .contains("2 item(s) were rejected as bad input");
        assertThat(totalsLine(costReport.output())).contains(" 1 ").endsWith(" 0.240000");
        // a relaunch of the completed period is refused as such (exit 2), not a failure
        assertThatThrownBy(() -> run(new String[] { "cost-report", "--period=2019-07" })).isInstanceOf(UsageException.class)
                .hasMessageContaining("is already reported");

        // and the reconciliation completes, run after run, with both files listed together
        Run reconciliation = run(new String[] { "reconciliation", "--period=2019-07" });
        Run rerun = run(new String[] { "reconciliation", "--period=2019-07", "--rerun" });
        assertThat(reconciliation.exitCode()).as(reconciliation.output()).isZero();
        assertThat(rerun.exitCode()).as(rerun.output()).isZero();
        assertThat(rerun.output()).contains("invalid_amount").contains("10000000000000.000000 USD")
                .contains("reconciliation-2019-07.csv").contains("reconciliation-2019-07.xlsx");
        assertThat(reportStore.readManifest("2019-07").orElseThrow().files()).isEqualTo(reportStore.list("2019-07"));
        FileSystemUtils.deleteRecursively(reportStore.directory("2019-07"));
    }

    @Test
    void aPeriodThatHasNotEndedOrHasNotBegunIsRefusedWithTheReasonAndNothingRuns(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path folder) throws Exception {
        Tables.reset(jdbc);
        clock.pin(Instant.parse("2026-11-29T20:00:00Z"));
        long executionsBefore = jdbc.queryForObject("SELECT count(*) FROM batch_job_execution", Long.class);

        assertRefused("cost-report --period=2026-11",
                "cost-report 2026-11 (UTC) has not ended (it ends 2026-12-01T00:00:00Z): a period is reported once it"
                        + " has ended; nothing was run; a provisional run reports it so far");
        assertRefused("cost-report --period=2026-11-29", "cost-report 2026-11-29 (UTC) has not ended");
        assertRefused("reconciliation --period=2026-11", "reconciliation 2026-11 (UTC) has not ended");
        assertRefused("cost-report --period=2027-05", "cost-report 2027-05 (UTC) is in the future (it begins 2027-05-01T00:00:00Z)");
        assertRefused("cost-report --period=2027-05 --provisional", "cost-report 2027-05 (UTC) is in the future");
        assertRefused("cost-report --period=2026-10 --provisional", "cost-report 2026-10 (UTC) has ended: run it without provisional");
        assertRefused("auto-topup --date=2026-11-30", "auto-topup 2026-11-30 (UTC) is in the future");
        assertRefused("reconciliation --period=2026-10 --provisional", "reconciliation 2026-10 (UTC) has ended");
        java.nio.file.Path definition = folder.resolve("literal.properties");
        Files.writeString(definition, "cron=0 0 2 * * *\njobs=cost-report\ncost-report.period=2027-05\n");
        assertRefused("run-definition " + definition, definition + ": cost-report 2027-05 (UTC) is in the future");

        assertThat(jdbc.queryForObject("SELECT count(*) FROM batch_job_execution", Long.class))
                .as("no job ran for a refused period").isEqualTo(executionsBefore);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM published_runs WHERE period IN ('2026-11', '2027-05')",
                Long.class)).isZero();
    }

    @Test
    void aCompletedPeriodIsOnlyReportedOnceItHasEndedInItsZone() throws Exception {
        Tables.reset(jdbc);
        clock.pin(Instant.parse("2026-12-01T03:00:00Z")); // still November 30th in New York

        assertRefused("cost-report --period=2026-11 --zone=America/New_York",
                "cost-report 2026-11 (America/New_York) has not ended (it ends 2026-12-01T05:00:00Z)");
        assertThat(run(new String[] { "cost-report", "--period=2026-11" }).exitCode()).isZero();
    }

    @Test
    void aProvisionalRunReportsTheMonthSoFarUnderItsOwnNameAgainAndAgainAndNeverStandsInForTheFinalRun() throws Exception {
        Tables.reset(jdbc);
        FileSystemUtils.deleteRecursively(reportStore.directory("2026-11"));
        LedgerFixture ledger = new LedgerFixture(jdbc);
        java.util.UUID account = ledger.account("Month so far");
        ledger.call(account, 60, Instant.parse("2026-11-10T08:00:00Z"));
        ledger.call(account, 30, Instant.parse("2026-11-29T19:00:00Z"));
        ledger.call(account, 15, Instant.parse("2026-11-29T21:00:00Z")); // after the first provisional run's as-of
        ledger.call(account, 7, Instant.parse("2026-10-31T23:59:59Z"));  // October
        java.nio.file.Path folder = reportStore.directory("2026-11");
        java.nio.file.Path csv = folder.resolve("cost-report-2026-11-provisional.csv");
        java.nio.file.Path xlsx = folder.resolve("cost-report-2026-11-provisional.xlsx");
        String[] provisional = { "cost-report", "--period=2026-11", "--provisional" };

        clock.pin(Instant.parse("2026-11-29T20:00:00Z"));
        Run first = run(provisional);

        assertThat(first.exitCode()).as(first.output()).isZero();
        assertThat(first.output()).contains("cost-report 2026-11 (UTC) provisional as of 2026-11-29T20:00:00Z: COMPLETED");
        assertThat(Files.readAllLines(csv)).containsExactly(
                "provisional_as_of,period_start,period_end,zone,account_id,customer_id,account_name,type,records,"
                        + "billable_units,cost_usd",
                "2026-11-29T20:00:00Z,2026-11-01T00:00:00Z,2026-11-29T20:00:00Z,UTC," + account + ","
                        + customerOf(account) + ",Month so far,call,2,90,1.800000");
        try (var workbook = new org.apache.poi.xssf.usermodel.XSSFWorkbook(Files.newInputStream(xlsx))) {
            assertThat(workbook.getSheetName(0)).isEqualTo("Summary (provisional)");
            assertThat(workbook.getSheetName(1)).isEqualTo("Accounts (provisional)");
            assertThat(workbook.getSheetAt(0).getRow(0).getCell(0).getStringCellValue()).isEqualTo("Cost report (provisional)");
            assertThat(workbook.getSheetAt(0).getRow(1).getCell(1).getStringCellValue())
                    .isEqualTo("2026-11 (UTC): 2026-11-01T00:00:00Z to 2026-11-29T20:00:00Z (provisional, so far)");
            int h = Workbooks.headerRow(workbook.getSheetAt(0), "Provisional as of");
            assertThat(workbook.getSheetAt(0).getRow(h + 1).getCell(0).getStringCellValue()).isEqualTo("2026-11-29T20:00:00Z");
            // its total row (after the call row) leaves billable units empty: they do not add up across types
            assertThat(workbook.getSheetAt(0).getRow(h + 2).getCell(1).getStringCellValue()).isEqualTo("total");
            assertThat(workbook.getSheetAt(0).getRow(h + 2).getCell(3)).isNull();
        }
        assertThat(Files.exists(folder.resolve("cost-report-2026-11.csv"))).isFalse();
        assertThat(reportStore.readManifest("2026-11").orElseThrow().files()).extracting(file -> file.name())
                .containsExactly("cost-report-2026-11-provisional.csv", "cost-report-2026-11-provisional.xlsx");
        assertUnreported();

        clock.pin(Instant.parse("2026-11-29T21:30:00Z"));
        Run second = run(provisional);

        assertThat(second.exitCode()).as(second.output()).isZero();
        assertThat(Files.readAllLines(csv).get(1)).startsWith("2026-11-29T21:30:00Z,").endsWith(",call,3,105,2.100000");
        assertUnreported();

        clock.pin(Instant.parse("2026-12-01T03:00:00Z"));
        assertRefused("cost-report --period=2026-11 --provisional", "cost-report 2026-11 (UTC) has ended");
        Run last = run(new String[] { "run-definition", "jobs/monthly.properties" });

        assertThat(last.exitCode()).as(last.output()).isZero();
        assertThat(last.output()).contains("cost-report 2026-11 (UTC): COMPLETED").contains("(execution")
                .contains("revision 1)").contains("finance-pack 2026-11 (UTC): COMPLETED");
        assertThat(jdbc.queryForObject("SELECT sum(cost_credit) FROM cost_summary WHERE period = '2026-11'", Long.class))
                .isEqualTo(105 * new LedgerFixture(jdbc).rate("call"));
        assertThat(Files.exists(csv)).as("the final report supersedes the provisional one").isFalse();
        assertThat(Files.exists(xlsx)).isFalse();
        assertThat(reportStore.readManifest("2026-11").orElseThrow().files()).extracting(file -> file.name())
                .noneMatch(name -> name.contains("provisional"));
        assertThat(Files.readAllLines(folder.resolve("cost-report-2026-11.csv")).get(1)).endsWith(",call,3,105,2.100000");
        assertThat(jdbc.queryForObject("""
                SELECT count(*) FROM cost_report_lines l
                JOIN batch_job_execution e ON e.job_instance_id = l.job_instance_id
                JOIN batch_job_execution_params p ON p.job_execution_id = e.job_execution_id
                WHERE p.parameter_name = 'provisional-as-of'""", Long.class))
                .as("a provisional run leaves no lines behind").isZero();
        assertThat(run(new String[] { "run-definition", "jobs/monthly.properties" }).output())
                .contains("cost-report 2026-11 (UTC) is already reported");
    }

    @Test
    void aProvisionalReconciliationChecksTheMonthSoFarAsOfItsInstantAndIsNotThePeriodsResult() throws Exception {
        Tables.reset(jdbc);
        FileSystemUtils.deleteRecursively(reportStore.directory("2026-11"));
        LedgerFixture ledger = new LedgerFixture(jdbc);
        java.util.UUID drifted = ledger.account("Drifted");
        ledger.topUp(drifted, 10_000_000, Instant.parse("2026-11-02T00:00:00Z"));
        jdbc.update("UPDATE billing_accounts SET balance_credit = balance_credit + 1 WHERE id = ?", drifted);
        java.nio.file.Path csv = reportStore.directory("2026-11").resolve("reconciliation-2026-11-provisional.csv");
        clock.pin(Instant.parse("2026-11-29T20:00:00Z"));

        Run provisional = run(new String[] { "reconciliation", "--period=2026-11", "--provisional" });

        assertThat(provisional.exitCode()).as(provisional.output()).isZero();
        assertThat(provisional.output()).contains("reconciliation 2026-11 (UTC) provisional as of 2026-11-29T20:00:00Z: COMPLETED");
        List<String> lines = Files.readAllLines(csv);
        assertThat(lines.get(0)).startsWith("provisional_as_of,period_start,period_end,zone,kind,");
        assertThat(lines).hasSize(2);
        assertThat(lines.get(1)).startsWith("2026-11-29T20:00:00Z,2026-11-01T00:00:00Z,2026-12-01T00:00:00Z,UTC,balance_mismatch,"
                + drifted + ",");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM published_runs WHERE period = '2026-11'", Long.class)).isZero();
        assertThat(jdbc.queryForObject("""
                SELECT (SELECT count(*) FROM reconciliation_accounts a WHERE a.job_instance_id = i.job_instance_id)
                     + (SELECT count(*) FROM reconciliation_findings f WHERE f.job_instance_id = i.job_instance_id)
                FROM batch_job_execution e JOIN batch_job_instance i ON i.job_instance_id = e.job_instance_id
                JOIN batch_job_execution_params p ON p.job_execution_id = e.job_execution_id
                WHERE i.job_name = 'reconciliation' AND p.parameter_name = 'provisional-as-of'
                  AND p.parameter_value = '2026-11-29T20:00:00Z'""", Long.class))
                .as("a provisional run leaves no results behind").isZero();

        clock.pin(Instant.parse("2026-12-01T03:00:00Z"));
        Run last = run(new String[] { "reconciliation", "--period=2026-11" });

        assertThat(last.exitCode()).as(last.output()).isZero();
        assertThat(Files.exists(csv)).as("the final reconciliation supersedes the provisional one").isFalse();
        assertThat(Files.exists(reportStore.directory("2026-11").resolve("reconciliation-2026-11.csv"))).isTrue();
    }

    private void assertUnreported() {
        assertThat(jdbc.queryForObject("SELECT count(*) FROM published_runs WHERE period = '2026-11'", Long.class))
                .as("a provisional run is not the period's result").isZero();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM cost_summary WHERE period = '2026-11'", Long.class)).isZero();
    }

    private String customerOf(java.util.UUID account) {
        return jdbc.queryForObject("SELECT customer_id::text FROM billing_accounts WHERE id = ?", String.class, account);
    }

    private void assertRefused(String commandLine, String reason) {
        assertThatThrownBy(() -> run(commandLine.split(" "))).as(commandLine).isInstanceOf(UsageException.class)
                .hasMessageContaining(reason)
                .satisfies(refusal -> assertThat(refusal.getMessage().lines()).as("one line").hasSize(1));
    }

    @Test
    void aDefinitionRunsAnAutoTopUpAsADryRunWhenItSaysSo(@org.junit.jupiter.api.io.TempDir java.nio.file.Path folder)
            throws Exception {
        Tables.reset(jdbc);
        LedgerFixture ledger = new LedgerFixture(jdbc);
        java.util.UUID account = ledger.account("Planned only");
        ledger.topUp(account, 1_000_000, Instant.parse("2026-11-20T00:00:00Z"));
        policies.save(io.billingbatch.topup.TopUpPolicy.fixed(account, 50_000_000, 100_000_000, 1, 1_000_000_000));
        java.nio.file.Path definition = folder.resolve("plan.properties");
        Files.writeString(definition, "cron=0 0 2 * * *\njobs=auto-topup\nauto-topup.dry-run=true\n");

        Run run = run(new String[] { "run-definition", definition.toString() });

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(jdbc.queryForObject("SELECT balance_credit FROM billing_accounts WHERE id = ?", Long.class, account))
                .isEqualTo(1_000_000);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM auto_topups", Long.class)).isZero();
        assertThat(jdbc.queryForObject("SELECT outcome FROM auto_topup_results WHERE account_id = ?", String.class, account))
                .isEqualTo("planned");
    }

    private static String totalsLine(String output) {
        return output.lines().filter(line -> line.strip().startsWith("total")).findFirst().orElseThrow();
    }

    private Run run() throws Exception {
        return run(new String[0]);
    }

    private Run run(String[] args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        int logged = TestLog.text().length();
        try {
            int exitCode = commands.execute(args);
            // what a console shows: the command's lines and the log's (which tests keep off the console)
            return new Run(exitCode, out.toString(StandardCharsets.UTF_8) + TestLog.text().substring(logged));
        }
        finally {
            System.setOut(original);
        }
    }

    record Run(int exitCode, String output) {
    }
}
