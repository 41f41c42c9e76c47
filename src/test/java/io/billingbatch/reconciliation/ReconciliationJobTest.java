package io.billingbatch.reconciliation;

import java.nio.file.Files;
import java.time.Instant;
import java.time.YearMonth;
import java.util.List;
import java.util.UUID;

import io.billingbatch.testing.Tables;
import io.billingbatch.testing.BillingTest;
import io.billingbatch.batch.PeriodJobParameters;
import io.billingbatch.demo.DemoLedgerGenerator;
import io.billingbatch.demo.DemoLedgerSpec;
import io.billingbatch.launch.PeriodJobLauncher;
import io.billingbatch.launch.PeriodJobLauncher.LaunchOutcome;
import io.billingbatch.ledger.LedgerFixture;
import io.billingbatch.ledger.ReportPeriod;
import io.billingbatch.report.ReportFile;
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

@BillingTest
class ReconciliationJobTest {

    static final ReportPeriod OCTOBER = ReportPeriod.parse("2026-10", "UTC");

    static final Instant SEPTEMBER = Instant.parse("2026-09-15T00:00:00Z");

    static final Instant OCT = Instant.parse("2026-10-10T00:00:00Z");

    @Autowired
    Job reconciliationJob;

    @Autowired
    Job costReportJob;

    @Autowired
    PeriodJobLauncher launcher;

    @Autowired
    org.springframework.batch.core.launch.JobOperator jobOperator;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    ReportStore reportStore;

    @Autowired
    DemoLedgerGenerator demoLedger;

    LedgerFixture ledger;

    @BeforeEach
    void emptyLedger() {
        Tables.reset(jdbc);
        FileSystemUtils.deleteRecursively(reportStore.directory(OCTOBER.key()).toFile());
        ledger = new LedgerFixture(jdbc);
    }

    @Test
    void theEquationHoldsForACleanAccountAndAQuietAccountCarriesItsBalance() throws Exception {
        UUID busy = ledger.account("Busy");
        ledger.topUp(busy, 100_000_000, SEPTEMBER);
        ledger.call(busy, 300, OCT);
        ledger.sms(busy, OCT.plusSeconds(1));
        ledger.number(busy, OCT.plusSeconds(2));
        ledger.topUp(busy, 20_000_000, OCT.plusSeconds(3));
        UUID quiet = ledger.account("Quiet");
        ledger.topUp(quiet, 50_000_000, SEPTEMBER);

        run(OCTOBER);

        assertThat(findings()).isEmpty();
        assertThat(account(busy)).isEqualTo(List.of(100_000_000L, 20_000_000L, 6_000_000L, 8_000L, 5_000_000L, 0L,
                108_992_000L, ""));
        assertThat(account(quiet)).isEqualTo(List.of(50_000_000L, 0L, 0L, 0L, 0L, 0L, 50_000_000L, ""));
        assertThat(Files.readString(reportStore.directory("2026-10").resolve("reconciliation-2026-10.csv")))
                .isEqualTo("period_start,period_end,zone,kind,account_id,ledger_id,expected_usd,actual_usd,difference_usd,detail\n");
    }

    @Test
    void findsEachKindOfFaultAtItsRowAndNothingElse() throws Exception {
        UUID clean = ledger.account("Clean");
        ledger.topUp(clean, 100_000_000, SEPTEMBER);
        ledger.call(clean, 60, OCT);

        UUID altered = ledger.account("Altered");
        ledger.topUp(altered, 100_000_000, SEPTEMBER);
        UUID alteredRow = ledger.call(altered, 10, OCT);
        ledger.sms(altered, OCT.plusSeconds(5));
        jdbc.update("UPDATE billing_billings SET amount_credit = -100000 WHERE id = ?", alteredRow); // was -200000

        UUID gap = ledger.account("Gap");
        ledger.topUp(gap, 100_000_000, SEPTEMBER);
        UUID deleted = ledger.sms(gap, OCT);
        UUID afterGap = ledger.sms(gap, OCT.plusSeconds(1));
        ledger.sms(gap, OCT.plusSeconds(2));
        jdbc.update("DELETE FROM billing_billings WHERE id = ?", deleted);

        UUID misRated = ledger.account("Mis-rated");
        ledger.topUp(misRated, 100_000_000, SEPTEMBER);
        UUID cheapCall = ledger.post(misRated, "usage", "call", 30, 30, 10_000, -300_000, OCT);

        UUID stuck = ledger.account("Stuck");
        ledger.topUp(stuck, 100_000_000, SEPTEMBER);
        UUID stuckRow = ledger.progressingCall(stuck, OCT);

        UUID ghost = UUID.randomUUID(); // no such account
        UUID ghostRow = ledger.sms(ghost, OCT);

        UUID negative = ledger.account("Negative");
        ledger.topUp(negative, 1_000_000, SEPTEMBER);
        ledger.call(negative, 100, OCT); // -2.00 USD

        UUID failed = ledger.account("Failed calls");
        ledger.topUp(failed, 100_000_000, SEPTEMBER);
        UUID chargedFailure = ledger.post(failed, "usage", "call", 0, 0, ledger.rate("call"), -ledger.rate("call"), OCT);

        run(OCTOBER);

        assertThat(findings()).containsExactlyInAnyOrder(
                "chain_break " + altered + " " + alteredRow,
                "rating_mismatch " + altered + " " + alteredRow, // its amount no longer matches its rating either
                "balance_mismatch " + altered + " -",
                "chain_break " + gap + " " + afterGap,
                "balance_mismatch " + gap + " -",
                "rating_mismatch " + misRated + " " + cheapCall,
                "stuck_progressing " + stuck + " " + stuckRow,
                "orphan " + ghost + " " + ghostRow,
                "negative_balance " + negative + " -",
                "charged_failed_call " + failed + " " + chargedFailure,
                "rating_mismatch " + failed + " " + chargedFailure);
        assertThat(jdbc.queryForObject("SELECT expected || ' ' || actual || ' ' || difference FROM reconciliation_findings"
                + " WHERE kind = 'rating_mismatch' AND ledger_id = ?", String.class, cheapCall)).isEqualTo("-600000 -300000 300000");
        assertThat(account(clean).get(7)).isEqualTo("");
        assertThat(account(negative).get(7)).isEqualTo("negative_balance");
        String csv = Files.readString(reportStore.directory("2026-10").resolve("reconciliation-2026-10.csv"));
        assertThat(csv.lines()).hasSize(12).anyMatch(line -> line.contains(",rating_mismatch," + misRated + "," + cheapCall
                + ",-0.600000,-0.300000,0.300000,"));
    }

    @Test
    void aRowWhoseSnapshotAloneWasAlteredIsOneChainBreak() throws Exception {
        // given: the snapshot of one call altered; the row after it still holds the true running balance
        UUID account = ledger.account("Altered snapshot");
        ledger.topUp(account, 100_000_000, SEPTEMBER);
        UUID alteredRow = ledger.call(account, 10, OCT);
        ledger.sms(account, OCT.plusSeconds(5));
        ledger.sms(account, OCT.plusSeconds(6));
        jdbc.update("UPDATE billing_billings SET balance_credit_snapshot = balance_credit_snapshot + 1000 WHERE id = ?",
                alteredRow);
        // and real breaks beside it, which must still be found at their first row
        UUID amountAltered = ledger.account("Altered amount");
        ledger.topUp(amountAltered, 100_000_000, SEPTEMBER);
        UUID amountRow = ledger.sms(amountAltered, OCT);
        ledger.sms(amountAltered, OCT.plusSeconds(1));
        jdbc.update("UPDATE billing_billings SET amount_credit = amount_credit - 1 WHERE id = ?", amountRow);

        run(OCTOBER);

        assertThat(findings()).containsExactlyInAnyOrder(
                "chain_break " + account + " " + alteredRow,
                "chain_break " + amountAltered + " " + amountRow,
                "rating_mismatch " + amountAltered + " " + amountRow,
                "balance_mismatch " + amountAltered + " -");
        assertThat(jdbc.queryForObject("SELECT expected || ' ' || actual FROM reconciliation_findings WHERE ledger_id = ?",
                String.class, alteredRow)).isEqualTo("99800000 99801000");
    }

    @Test
    void aPeriodThatDoesNotIncludeNowShowsNoStoredBalance() throws Exception {
        UUID account = ledger.account("Account");
        ledger.topUp(account, 100_000_000, SEPTEMBER);
        ledger.call(account, 60, OCT);
        ledger.topUp(account, 5_000_000, Instant.parse("2026-11-02T00:00:00Z")); // today's stored balance differs

        run(OCTOBER);

        assertThat(jdbc.queryForObject("SELECT closing FROM reconciliation_accounts WHERE account_id = ?", Long.class, account))
                .isEqualTo(98_800_000L);
        assertThat(jdbc.queryForList("SELECT stored_balance FROM reconciliation_accounts", Long.class)).containsExactly((Long) null);
        try (var in = Files.newInputStream(reportStore.directory("2026-10").resolve("reconciliation-2026-10.xlsx"));
                var workbook = new org.apache.poi.xssf.usermodel.XSSFWorkbook(in)) {
            var accounts = workbook.getSheet("Accounts");
            assertThat(accounts.getRow(0).getCell(10).getStringCellValue()).isEqualTo("Stored balance (USD)");
            var storedBalance = accounts.getRow(1).getCell(10);
            assertThat(storedBalance == null || storedBalance.getCellType() == org.apache.poi.ss.usermodel.CellType.BLANK)
                    .as("blank stored balance, was %s", storedBalance).isTrue();
            assertThat(accounts.getRow(1).getCell(9).getNumericCellValue()).isEqualTo(98.8);
        }
    }

    @Test
    void aRowThatGotStuckBeforeThePeriodIsStillReported() throws Exception {
        Instant now = Instant.now();
        ReportPeriod today = ReportPeriod.parse(now.atZone(java.time.ZoneOffset.UTC).toLocalDate().toString(), "UTC");
        UUID account = ledger.account("Stuck since yesterday");
        ledger.topUp(account, 10_000_000, now.minus(java.time.Duration.ofDays(3)));
        // started before today, so it was too young for the run of its own day; still progressing now
        UUID stuckRow = ledger.progressingCall(account, now.minus(java.time.Duration.ofHours(30)));
        ledger.progressingCall(account, now.minus(java.time.Duration.ofHours(2))); // not stuck yet

        runWhileItRuns(today);

        assertThat(findings()).containsExactly("stuck_progressing " + account + " " + stuckRow);
    }

    @Test
    void aPeriodThatIncludesNowAlsoChecksTheStoredBalance() throws Exception {
        ReportPeriod thisMonth = ReportPeriod.parse(YearMonth.now(java.time.ZoneOffset.UTC).toString(), "UTC");
        UUID drifted = ledger.account("Drifted");
        ledger.topUp(drifted, 10_000_000, thisMonth.start());
        jdbc.update("UPDATE billing_accounts SET balance_credit = balance_credit + 1 WHERE id = ?", drifted);

        runWhileItRuns(thisMonth);

        assertThat(findings()).containsExactly("balance_mismatch " + drifted + " -");
        assertThat(jdbc.queryForObject("SELECT expected || ' ' || actual FROM reconciliation_findings", String.class))
                .isEqualTo("10000000 10000001");
    }

    @Test
    void chargesTieOutWithTheCostReportPerAccountAndType() throws Exception {
        demoLedger.generate(new DemoLedgerSpec(11, 60, YearMonth.of(2026, 9), 2, 30_000));
        UUID faulty = ledger.account("Faulty");
        ledger.topUp(faulty, 1_000_000, SEPTEMBER);
        ledger.post(faulty, "usage", "call", 0, 0, ledger.rate("call"), -ledger.rate("call"), OCT); // a fault does not break the tie-out

        run(OCTOBER);
        assertThat(((LaunchOutcome.Ran) launcher.launch(costReportJob, new PeriodJobParameters(OCTOBER, 1), false))
                .execution().getStatus()).isEqualTo(BatchStatus.COMPLETED);

        List<String> costReport = jdbc.query("""
                SELECT account_id, type, cost_credit FROM cost_summary WHERE period = '2026-10' AND cost_credit <> 0
                ORDER BY 1, 2""", (rs, i) -> rs.getString(1) + " " + rs.getString(2) + " " + rs.getLong(3));
        List<String> reconciliation = jdbc.query("""
                SELECT account_id, type, charged FROM reconciliation_accounts
                CROSS JOIN LATERAL (VALUES ('call', charges_call), ('number', charges_number), ('sms', charges_sms)) c(type, charged)
                WHERE charged <> 0 ORDER BY 1, 2""", (rs, i) -> rs.getString(1) + " " + rs.getString(2) + " " + rs.getLong(3));
        assertThat(reconciliation).hasSizeGreaterThan(100).isEqualTo(costReport);
        assertThat(findings()).hasSize(2); // the faulty call: charged_failed_call and rating_mismatch
    }

    @Test
    void rowsWithoutAnAmountOrBeyondTheBoundAreFindingsLeftOutOfTheChargesAndTheFilesAreWritten() throws Exception {
        // given: two rows of -5e18 micro-USD on different accounts and a usage row without an amount
        UUID first = ledger.account("First");
        ledger.topUp(first, 100_000_000, SEPTEMBER);
        ledger.call(first, 60, OCT);
        UUID firstHuge = ledger.post(first, "usage", "call", 1, 1, ledger.rate("call"), -5_000_000_000_000_000_000L, OCT.plusSeconds(1));
        UUID second = ledger.account("Second");
        ledger.topUp(second, 100_000_000, SEPTEMBER);
        UUID secondHuge = ledger.post(second, "usage", "sms", 0, 1, ledger.rate("sms"), -5_000_000_000_000_000_000L, OCT);
        UUID third = ledger.account("Third");
        ledger.topUp(third, 100_000_000, SEPTEMBER);
        ledger.sms(third, OCT);
        UUID noAmount = ledger.sms(third, OCT.plusSeconds(1));
        jdbc.update("UPDATE billing_billings SET amount_credit = NULL WHERE id = ?", noAmount);

        // when
        run(OCTOBER);
        assertThat(((LaunchOutcome.Ran) launcher.launch(costReportJob, new PeriodJobParameters(OCTOBER, 1), false))
                .execution().getStatus()).isEqualTo(BatchStatus.COMPLETED);

        // then: each bad row is one finding of its own, with its reason
        assertThat(findings()).contains(
                "invalid_amount " + first + " " + firstHuge,
                "invalid_amount " + second + " " + secondHuge,
                "invalid_amount " + third + " " + noAmount);
        assertThat(jdbc.queryForObject("SELECT detail FROM reconciliation_findings WHERE ledger_id = ?", String.class, noAmount))
                .contains("amount_credit is NULL");
        assertThat(jdbc.queryForObject("SELECT detail FROM reconciliation_findings WHERE kind = 'invalid_amount' AND ledger_id = ?",
                String.class, firstHuge)).contains("-5000000000000.000000").contains("billing.ledger.max-row-amount");
        // the charges leave them out exactly as the cost report does: the two tie out
        assertThat(account(first).subList(2, 5)).isEqualTo(List.of(1_200_000L, 0L, 0L));
        assertThat(account(third).subList(2, 5)).isEqualTo(List.of(0L, 8_000L, 0L));
        List<String> costReport = jdbc.query("""
                SELECT account_id, type, cost_credit FROM cost_summary WHERE period = '2026-10' ORDER BY 1, 2""",
                (rs, i) -> rs.getString(1) + " " + rs.getString(2) + " " + rs.getLong(3));
        List<String> reconciliation = jdbc.query("""
                SELECT account_id, type, charged FROM reconciliation_accounts
                CROSS JOIN LATERAL (VALUES ('call', charges_call), ('number', charges_number), ('sms', charges_sms)) c(type, charged)
                WHERE charged <> 0 ORDER BY 1, 2""", (rs, i) -> rs.getString(1) + " " + rs.getString(2) + " " + rs.getLong(3));
        assertThat(reconciliation).isEqualTo(costReport);
        // and both files of the revision are there, listed together in the manifest
        assertThat(reportStore.readManifest("2026-10").orElseThrow().files()).extracting(ReportFile::name)
                .contains("reconciliation-2026-10.csv", "reconciliation-2026-10.xlsx");
        try (var in = Files.newInputStream(reportStore.directory("2026-10").resolve("reconciliation-2026-10.xlsx"));
                var workbook = new org.apache.poi.xssf.usermodel.XSSFWorkbook(in)) {
            var summary = workbook.getSheet("Summary");
            var total = summary.getRow(summary.getLastRowNum());
            assertThat(total.getCell(0).getStringCellValue()).isEqualTo("total");
            assertThat(total.getCell(2).getNumericCellValue()).isGreaterThan(1.0e13); // 2 x 5e12 USD, not wrapped around
        }
    }

    @Test
    void eachCallIsRatedAtTheRateInForceAtItsStartAcrossARateChangeInsideThePeriod() throws Exception {
        // given: the call rate changes on 15 October; calls on either side rated at their own rate, and one
        // call after the change still rated at the old rate
        long before = ledger.rate("call");
        long after = before + 5_000;
        Instant change = Instant.parse("2026-10-15T00:00:00Z");
        jdbc.update("INSERT INTO billing_rates (reference_type, unit, credit_per_unit, effective_from) VALUES ('call', 'second', ?, ?)",
                after, java.sql.Timestamp.from(change));
        try {
            UUID account = ledger.account("Rate change");
            ledger.topUp(account, 100_000_000, SEPTEMBER);
            ledger.post(account, "usage", "call", 10, 10, before, -10 * before, change.minusSeconds(60));
            ledger.post(account, "usage", "call", 10, 10, after, -10 * after, change.plusSeconds(60));
            UUID stale = ledger.post(account, "usage", "call", 10, 10, before, -10 * before, change.plusSeconds(120));

            run(OCTOBER);

            assertThat(findings()).containsExactly("rating_mismatch " + account + " " + stale);
        }
        finally {
            jdbc.update("DELETE FROM billing_rates WHERE effective_from = ?", java.sql.Timestamp.from(change));
        }
    }

    @Test
    void aRowPostedWithoutAPostingSeqIsInNoChainButItsRowChecksStillHold() throws Exception {
        // given: a faulty writer posted two rows without a posting_seq: one without an amount, one mis-rated
        UUID account = ledger.account("Unsequenced");
        ledger.topUp(account, 100_000_000, SEPTEMBER);
        ledger.sms(account, OCT);
        UUID noAmount = ledger.sms(account, OCT.plusSeconds(1));
        UUID misRated = ledger.post(account, "usage", "call", 30, 30, 10_000, -300_000, OCT.plusSeconds(2));
        jdbc.update("UPDATE billing_billings SET amount_credit = NULL WHERE id = ?", noAmount);
        jdbc.update("UPDATE billing_billings SET posting_seq = NULL WHERE id IN (?, ?)", noAmount, misRated);

        run(OCTOBER);

        // then: the account step's sorted read never names them (they have no place in the chain), the
        // ledger step still finds both by their own checks, and the chain of the rows around them is whole
        assertThat(findings()).contains("invalid_amount " + account + " " + noAmount, "rating_mismatch " + account + " " + misRated)
                .noneMatch(finding -> finding.startsWith("chain_break"));
    }

    @Test
    void aFailedFilesStepLeavesThePreviousRevisionsFilesAndManifestAsTheyWere() throws Exception {
        // given: revision 1 reported, then a late change and a target that cannot be replaced
        UUID account = ledger.account("Account");
        ledger.topUp(account, 100_000_000, SEPTEMBER);
        ledger.call(account, 60, OCT);
        run(OCTOBER);
        var folder = reportStore.directory("2026-10");
        byte[] csv = Files.readAllBytes(folder.resolve("reconciliation-2026-10.csv"));
        byte[] manifest = Files.readAllBytes(folder.resolve(ReportStore.MANIFEST));
        jdbc.update("UPDATE billing_billings SET amount_credit = amount_credit - 1 WHERE account_id = ? AND reference_type = 'call'",
                account);
        Files.delete(folder.resolve("reconciliation-2026-10.xlsx"));
        Files.createDirectories(folder.resolve("reconciliation-2026-10.xlsx").resolve("blocker"));

        // when
        JobExecution failed = ((LaunchOutcome.Ran) launcher.launch(reconciliationJob, new PeriodJobParameters(OCTOBER, 1),
                true)).execution();

        // then: no file of the new revision beside the old ones, the manifest as it was
        assertThat(failed.getStatus()).isEqualTo(BatchStatus.FAILED);
        assertThat(folder.resolve("reconciliation-2026-10.csv")).hasBinaryContent(csv);
        assertThat(folder.resolve(ReportStore.MANIFEST)).hasBinaryContent(manifest);

        // and once the target is free again, the restart writes both files of the new revision together
        FileSystemUtils.deleteRecursively(folder.resolve("reconciliation-2026-10.xlsx"));
        JobExecution restarted = ((LaunchOutcome.Ran) launcher.launch(reconciliationJob,
                PeriodJobParameters.from(failed.getJobParameters()), false)).execution();
        assertThat(restarted.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(Files.readString(folder.resolve("reconciliation-2026-10.csv"))).contains("chain_break");
        assertThat(reportStore.readManifest("2026-10").orElseThrow().files()).isEqualTo(reportStore.list("2026-10"));
    }

    JobExecution run(ReportPeriod period) throws Exception {
        JobExecution execution = ((LaunchOutcome.Ran) launcher.launch(reconciliationJob, new PeriodJobParameters(period, 1),
                false)).execution();
        assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        return execution;
    }

    /** A period that includes now: every launcher refuses it, the job itself judges it as of now. */
    JobExecution runWhileItRuns(ReportPeriod period) throws Exception {
        JobExecution execution = io.billingbatch.ledger.RunningPeriods.startDirectly(jobOperator, launcher, reconciliationJob,
                period);
        assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        return execution;
    }

    List<String> findings() {
        return jdbc.query("SELECT kind, account_id, ledger_id FROM reconciliation_findings",
                (rs, i) -> rs.getString(1) + " " + rs.getString(2) + " " + (rs.getString(3) == null ? "-" : rs.getString(3)));
    }

    List<Object> account(UUID account) {
        return jdbc.queryForObject("""
                SELECT opening, credits, charges_call, charges_sms, charges_number, other_debits, closing, finding_kinds
                FROM reconciliation_accounts WHERE account_id = ?""", (rs, i) -> List.<Object>of(rs.getLong(1),
                rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getLong(6), rs.getLong(7), rs.getString(8)),
                account);
    }
}
