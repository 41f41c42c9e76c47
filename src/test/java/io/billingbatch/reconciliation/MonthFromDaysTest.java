package io.billingbatch.reconciliation;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import io.billingbatch.testing.Tables;
import io.billingbatch.testing.BillingTest;
import io.billingbatch.batch.PeriodJobParameters;
import io.billingbatch.launch.PeriodJobLauncher;
import io.billingbatch.launch.PeriodJobLauncher.LaunchOutcome;
import io.billingbatch.ledger.LedgerFixture;
import io.billingbatch.ledger.ReportPeriod;
import io.billingbatch.report.ReportStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.util.FileSystemUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The incremental month end: a month assembled from its published day runs (and gaps read from the
 * ledger) equals a cold run of the same month, row for row and byte for byte. Same context as
 * {@link ReconciliationJobTest}.
 */
@BillingTest
class MonthFromDaysTest {

    @Autowired
    Job reconciliationJob;

    @Autowired
    PeriodJobLauncher launcher;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    ReportStore reportStore;

    @Autowired
    io.billingbatch.demo.DemoLedgerGenerator demoLedger;

    @Autowired
    io.billingbatch.demo.DemoFaultInjector faults;

    LedgerFixture ledger;

    @BeforeEach
    void emptyLedger() {
        Tables.reset(jdbc);
        FileSystemUtils.deleteRecursively(reportStore.directory("2026-10").toFile());
        FileSystemUtils.deleteRecursively(reportStore.directory("2026-09").toFile());
        ledger = new LedgerFixture(jdbc);
    }

    @Test
    void aUtcMonthAssembledFromItsSealedDaysEqualsAColdRunWithFindingsOfEveryKindInDifferentDays() throws Exception {
        ReportPeriod month = ReportPeriod.parse("2026-10", "UTC");
        plantLedgerWithFindings(ledger, jdbc, ZoneId.of("UTC"));

        Result cold = runMonth(month, 1);
        assertThat(cold.findings()).extracting(f -> f.split(" ")[0]).contains("balance_mismatch", "chain_break",
                "rating_mismatch", "stuck_progressing", "orphan", "negative_balance", "charged_failed_call", "invalid_amount");
        runDays(month, Set.of());

        Result assembled = runMonth(month, 2);

        assertThat(plan(assembled)).startsWith("31 sealed, 0 gaps");
        assertThat(assembled).isEqualTo(cold);
    }

    @Test
    void aMonthWithDaysMissingReadsTheGapsFromTheLedgerAndEqualsAColdRun() throws Exception {
        ReportPeriod month = ReportPeriod.parse("2026-10", "UTC");
        plantLedgerWithFindings(ledger, jdbc, ZoneId.of("UTC"));

        Result cold = runMonth(month, 1);
        runDays(month, Set.of(1, 3, 10, 11, 31)); // the first, a fault's day, two together and the last

        Result assembled = runMonth(month, 2);

        assertThat(plan(assembled)).startsWith("26 sealed, 4 gaps");
        assertThat(assembled).isEqualTo(cold);
    }

    @Test
    void aBerlinMonthAcrossTheEndOfSummerTimeAssembledFromBerlinDaysEqualsAColdRun() throws Exception {
        ZoneId berlin = ZoneId.of("Europe/Berlin");
        ReportPeriod month = ReportPeriod.parse("2026-10", berlin.getId());
        plantLedgerWithFindings(ledger, jdbc, berlin);
        // rows in the 25th's extra hour (02:00-03:00 happens twice) and at its edges
        UUID dst = ledger.account("Across DST");
        ledger.topUp(dst, 10_000_000, Instant.parse("2026-09-30T21:59:59Z")); // Berlin 2026-09-30 23:59:59: before
        ledger.call(dst, 30, Instant.parse("2026-10-24T22:00:00Z"));          // Berlin 2026-10-25 00:00 CEST: the 25th
        ledger.call(dst, 31, Instant.parse("2026-10-25T00:30:00Z"));          // 02:30 CEST
        UUID altered = ledger.call(dst, 32, Instant.parse("2026-10-25T01:30:00Z")); // 02:30 CET, the repeated hour
        ledger.call(dst, 33, Instant.parse("2026-10-25T22:59:59Z"));          // 23:59:59 CET, the 25th's last second
        ledger.call(dst, 34, Instant.parse("2026-10-31T22:59:59Z"));          // Berlin month's last second
        ledger.call(dst, 35, Instant.parse("2026-10-31T23:00:00Z"));          // Berlin November
        jdbc.update("UPDATE billing_billings SET amount_credit = amount_credit + 1 WHERE id = ?", altered);

        Result cold = runMonth(month, 1);
        runDays(month, Set.of());

        Result assembled = runMonth(month, 2);

        assertThat(plan(assembled)).startsWith("31 sealed, 0 gaps");
        assertThat(jdbc.queryForObject("""
                SELECT extract(epoch FROM segment_end - segment_start) / 3600 || ' h' FROM reconciliation_segments s
                JOIN published_runs r ON r.job_instance_id = s.job_instance_id AND r.period = '2026-10'
                WHERE s.sealed_period = '2026-10-25'""", String.class)).startsWith("25");
        assertThat(assembled).isEqualTo(cold);
        assertThat(cold.findings()).anyMatch(f -> f.startsWith("chain_break " + dst));
        assertThat(cold.files().get(0)).startsWith("reconciliation-2026-10-Europe_Berlin.csv");
    }

    @Test
    void aBerlinMonthReusesUtcDaysAndReadsTheHoursAtItsEdgesFromTheLedger() throws Exception {
        ReportPeriod month = ReportPeriod.parse("2026-10", "Europe/Berlin");
        plantLedgerWithFindings(ledger, jdbc, ZoneId.of("Europe/Berlin"));

        Result cold = runMonth(month, 1);
        runDays(ReportPeriod.parse("2026-10", "UTC"), Set.of());

        Result assembled = runMonth(month, 2);

        // UTC 2026-10-01 .. 2026-10-30 lie inside the Berlin month; 2026-10-31 ends an hour after it
        assertThat(plan(assembled)).isEqualTo("30 sealed, 2 gaps");
        assertThat(jdbc.queryForList("""
                SELECT segment_start || ' ' || segment_end FROM reconciliation_segments
                WHERE job_instance_id = ? AND sealed_job_instance_id IS NULL ORDER BY segment_start""", String.class,
                assembled.jobInstanceId())).containsExactly(
                        jdbc.queryForObject("SELECT CAST('2026-09-30T22:00:00Z' AS timestamptz) || ' ' || CAST('2026-10-01T00:00:00Z' AS timestamptz)", String.class),
                        jdbc.queryForObject("SELECT CAST('2026-10-31T00:00:00Z' AS timestamptz) || ' ' || CAST('2026-10-31T23:00:00Z' AS timestamptz)", String.class));
        assertThat(assembled).isEqualTo(cold);
    }

    @Test
    void dayRunsOfAnotherRateCardAreNotReused() throws Exception {
        ReportPeriod month = ReportPeriod.parse("2026-10", "UTC");
        plantLedgerWithFindings(ledger, jdbc, ZoneId.of("UTC"));
        runDays(month, Set.of());
        // a rate entered after the days were reconciled: their rating_mismatch findings may no longer hold
        jdbc.update("""
                INSERT INTO billing_rates (reference_type, unit, credit_per_unit, effective_from)
                SELECT reference_type, unit, credit_per_unit + 1, '2026-10-15T00:00:00Z' FROM billing_rates
                WHERE reference_type = 'sms' ORDER BY effective_from DESC LIMIT 1""");
        try {
            Result month1 = runMonth(month, 1);

            assertThat(plan(month1)).isEqualTo("0 sealed, 0 gaps");
            assertThat(month1.findings()).anyMatch(f -> f.startsWith("rating_mismatch ") && f.contains("0.008001 USD per unit"));
        }
        finally {
            jdbc.update("DELETE FROM billing_rates WHERE effective_from = '2026-10-15T00:00:00Z'");
        }
    }

    @Test
    void aDayRunAgainBetweenAFailureAndTheRestartIsReplannedAndTheMonthStillEqualsAColdRun() throws Exception {
        ReportPeriod month = ReportPeriod.parse("2026-10", "UTC");
        plantLedgerWithFindings(ledger, jdbc, ZoneId.of("UTC"));
        Result cold = runMonth(month, 1);
        runDays(month, Set.of());
        int written = jdbc.queryForObject("SELECT count(*) FROM reconciliation_accounts", Integer.class);
        JobExecution failed;
        try (io.billingbatch.ledger.InsertFailure crash = io.billingbatch.ledger.InsertFailure.afterRows(jdbc,
                "reconciliation_accounts", written + 1)) {
            failed = launch(month, 2);
        }
        assertThat(failed.getStatus()).isEqualTo(BatchStatus.FAILED);
        long planned = jdbc.queryForObject("SELECT sealed_job_instance_id FROM reconciliation_segments WHERE job_instance_id = ?"
                + " AND sealed_period = '2026-10-05'", Long.class, failed.getJobInstanceId());
        long replacement = run(ReportPeriod.parse("2026-10-05", "UTC"), 2).getJobInstanceId(); // replaces that day's run

        JobExecution restarted = ((LaunchOutcome.Ran) launcher.launch(reconciliationJob, new PeriodJobParameters(month, 1),
                false)).execution(); // without --rerun: the failed revision restarts

        assertThat(restarted.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(restarted.getJobInstanceId()).isEqualTo(failed.getJobInstanceId());
        assertThat(jdbc.queryForObject("SELECT sealed_job_instance_id FROM reconciliation_segments WHERE job_instance_id = ?"
                + " AND sealed_period = '2026-10-05'", Long.class, failed.getJobInstanceId()))
                .isEqualTo(replacement).isNotEqualTo(planned);
        Result assembled = result(month, restarted.getJobInstanceId());
        assertThat(plan(assembled)).isEqualTo("31 sealed, 0 gaps");
        assertThat(assembled).isEqualTo(cold);
    }

    @Test
    void aDemoLedgerWithInjectedFaultsGivesTheColdRunsResultFromItsDays() throws Exception {
        demoLedger.generate(new io.billingbatch.demo.DemoLedgerSpec(11, 40, YearMonth.of(2026, 8), 2, 8_000));
        ReportPeriod month = ReportPeriod.parse("2026-09", "UTC");
        faults.inject(month, 1, 7); // every kind, a duplicated row among them (posted late, stamped in its day)

        Result cold = runMonth(month, 1);
        runDays(month, Set.of(30));

        Result assembled = runMonth(month, 2);

        assertThat(cold.findings()).extracting(f -> f.split(" ")[0]).contains("chain_break", "rating_mismatch",
                "stuck_progressing", "orphan", "charged_failed_call", "balance_mismatch");
        // the duplicated row's posting_seq comes after later days' rows: its chain is not its day's, the month is read cold
        assertThat(plan(assembled)).isEqualTo("0 sealed, 0 gaps");
        assertThat(assembled).isEqualTo(cold);
    }

    @Test
    void aMonthWhosePostingOrderDisagreesWithPostingTimeAcrossDaysIsReadFromTheLedger() throws Exception {
        ReportPeriod month = ReportPeriod.parse("2026-10", "UTC");
        plantLedgerWithFindings(ledger, jdbc, ZoneId.of("UTC"));
        UUID late = ledger.account("Posted out of order");
        ledger.topUp(late, 10_000_000, Instant.parse("2026-10-20T10:00:00Z"));
        ledger.call(late, 10, Instant.parse("2026-10-05T10:00:00Z")); // a later posting_seq on an earlier day

        Result cold = runMonth(month, 1);
        runDays(month, Set.of());

        Result assembled = runMonth(month, 2);

        assertThat(plan(assembled)).startsWith("0 sealed, 0 gaps");
        assertThat(assembled).isEqualTo(cold);
    }

    /**
     * Accounts with rows every few days of the month, and findings of every kind, each in a different
     * day of the month in {@code zone}: an altered amount, a deleted row, a wrong rating, a charged
     * failed call, a row without an amount, an orphan, a row posted after its account was deleted, a
     * stuck row, a negative balance; rows before and after the month.
     */
    static void plantLedgerWithFindings(LedgerFixture ledger, JdbcTemplate jdbc, ZoneId zone) {
        LocalDate first = LocalDate.of(2026, 10, 1);
        Instant september = first.minusDays(10).atStartOfDay(zone).toInstant();
        List<UUID> accounts = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            UUID account = ledger.account("Account " + i);
            ledger.topUp(account, 200_000_000, september.plusSeconds(i));
            accounts.add(account);
        }
        ledger.account("Quiet"); // no rows at all
        UUID closed = ledger.account("Closed");
        ledger.topUp(closed, 1_000_000, september);
        UUID stuck = ledger.account("Stuck");
        ledger.topUp(stuck, 1_000_000, september);
        UUID negative = ledger.account("Negative");
        ledger.topUp(negative, 1_000_000, september);
        // posted in time order, as writers post: posting_seq follows tm_posted
        for (int day = 1; day <= 31; day++) {
            Instant at = day(zone, day);
            UUID account = accounts.get(day % accounts.size());
            ledger.call(account, 10 + day, at.plusSeconds(3_600));
            ledger.sms(account, at.plusSeconds(7_200));
            if (day % 7 == 0) {
                ledger.number(accounts.get((day + 1) % accounts.size()), at.plusSeconds(10_800));
            }
            Instant late = at.plusSeconds(50_000);
            switch (day) {
                case 3 -> { // altered amount: chain break, rating mismatch, balance mismatch
                    UUID alteredRow = ledger.call(accounts.get(0), 20, late);
                    ledger.sms(accounts.get(0), late.plusSeconds(1));
                    jdbc.update("UPDATE billing_billings SET amount_credit = amount_credit + 100000 WHERE id = ?", alteredRow);
                }
                case 6 -> { // deleted row: the next row breaks the chain
                    UUID deleted = ledger.sms(accounts.get(1), late);
                    ledger.sms(accounts.get(1), late.plusSeconds(1));
                    jdbc.update("DELETE FROM billing_billings WHERE id = ?", deleted);
                }
                case 9 -> ledger.post(accounts.get(2), "usage", "call", 30, 30, 10_000, -300_000, late); // wrong rating
                case 12 -> ledger.post(accounts.get(3), "usage", "call", 0, 0, ledger.rate("call"), -ledger.rate("call"), late); // charged failed call
                case 15 -> { // no amount
                    UUID noAmount = ledger.sms(accounts.get(4), late);
                    jdbc.update("UPDATE billing_billings SET amount_credit = NULL WHERE id = ?", noAmount);
                }
                case 18 -> ledger.sms(UUID.randomUUID(), late); // no such account
                case 20 -> jdbc.update("UPDATE billing_accounts SET tm_delete = ? WHERE id = ?", java.sql.Timestamp.from(at),
                        closed);
                case 21 -> ledger.sms(closed, late); // posted after its account was deleted
                case 24 -> ledger.progressingCall(stuck, late);
                case 27 -> ledger.call(negative, 100, late); // -2.00 USD on 1.00
                default -> {
                }
            }
        }
        ledger.call(accounts.get(5), 5, first.plusMonths(1).atStartOfDay(zone).toInstant().plusSeconds(60)); // November
    }

    static Instant day(ZoneId zone, int dayOfMonth) {
        return LocalDate.of(2026, 10, dayOfMonth).atStartOfDay(zone).toInstant();
    }

    /** Runs every day of the month in its zone except the given days of the month. */
    void runDays(ReportPeriod month, Set<Integer> except) throws Exception {
        YearMonth yearMonth = YearMonth.parse(month.key());
        for (int day = 1; day <= yearMonth.lengthOfMonth(); day++) {
            if (!except.contains(day)) {
                run(ReportPeriod.parse(yearMonth.atDay(day).toString(), month.zone().getId()), 1);
            }
        }
    }

    Result runMonth(ReportPeriod month, long revision) throws Exception {
        JobExecution execution = run(month, revision);
        return result(month, execution.getJobInstanceId());
    }

    JobExecution run(ReportPeriod period, long revision) throws Exception {
        JobExecution execution = launch(period, revision);
        assertThat(execution.getStatus()).as(period.key()).isEqualTo(BatchStatus.COMPLETED);
        return execution;
    }

    JobExecution launch(ReportPeriod period, long revision) throws Exception {
        return ((LaunchOutcome.Ran) launcher.launch(reconciliationJob, new PeriodJobParameters(period, revision),
                revision > 1)).execution();
    }

    /** The month's published rows (without the run's id) and its files, byte for byte. */
    record Result(long jobInstanceId, List<String> accounts, List<String> findings, List<String> files) {

        @Override
        public boolean equals(Object other) { // the run's id is not part of its result
            return other instanceof Result r && accounts.equals(r.accounts) && findings.equals(r.findings) && files.equals(r.files);
        }

        @Override
        public int hashCode() {
            return accounts.hashCode();
        }
    }

    Result result(ReportPeriod month, long jobInstanceId) throws Exception {
        return result(jdbc, reportStore, month, jobInstanceId);
    }

    static Result result(JdbcTemplate jdbc, ReportStore reportStore, ReportPeriod month, long jobInstanceId) throws Exception {
        List<String> accounts = jdbc.query("""
                SELECT * FROM reconciliation_accounts WHERE job_instance_id = ? ORDER BY account_id""",
                (rs, i) -> row(rs), jobInstanceId);
        List<String> findings = jdbc.query("""
                SELECT * FROM reconciliation_findings WHERE job_instance_id = ? ORDER BY account_id, kind, ledger_id, finding_key""",
                (rs, i) -> rs.getString("kind") + " " + rs.getString("account_id") + " " + row(rs), jobInstanceId);
        Path folder = reportStore.directory(month.key());
        String base = ReconciliationFiles.baseName(month);
        List<String> files = new ArrayList<>();
        files.add(base + ".csv " + java.util.HexFormat.of().formatHex(
                java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(folder.resolve(base + ".csv")))));
        // the workbook cell by cell, but for the title lines naming the run (revision, execution, when)
        files.addAll(io.billingbatch.report.Workbooks.content(Files.readAllBytes(folder.resolve(base + ".xlsx"))));
        files.add(Files.readString(folder.resolve(base + ".csv")));
        return new Result(jobInstanceId, accounts, findings, files);
    }

    /** Every column but the run's id. */
    private static String row(java.sql.ResultSet rs) throws java.sql.SQLException {
        StringBuilder row = new StringBuilder();
        var meta = rs.getMetaData();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
            if (!meta.getColumnLabel(i).equals("job_instance_id")) {
                row.append(meta.getColumnLabel(i)).append('=').append(rs.getString(i)).append(' ');
            }
        }
        return row.toString();
    }

    /** "n sealed, m gaps" of the month run's plan. */
    String plan(Result month) {
        return plan(jdbc, month);
    }

    static String plan(JdbcTemplate jdbc, Result month) {
        return jdbc.queryForObject("""
                SELECT count(sealed_job_instance_id) || ' sealed, ' || count(*) FILTER (WHERE sealed_job_instance_id IS NULL) || ' gaps'
                FROM reconciliation_segments WHERE job_instance_id = ?""", String.class, month.jobInstanceId());
    }

}
