package io.billingbatch.topup;

import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.billingbatch.testing.Tables;
import io.billingbatch.testing.BillingTest;
import io.billingbatch.batch.PeriodJobParameters;
import io.billingbatch.launch.PeriodJobLauncher;
import io.billingbatch.launch.PeriodJobLauncher.LaunchOutcome;
import io.billingbatch.ledger.InsertFailure;
import io.billingbatch.ledger.LedgerFixture;
import io.billingbatch.ledger.ReportPeriod;
import io.billingbatch.webhook.BillingAccountEvent;
import io.billingbatch.webhook.WebhookSubscriptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@BillingTest
class AutoTopUpJobTest {

    static final String DAY_1 = "2025-12-01";

    static final String DAY_2 = "2025-12-02";

    static final String DAY_3 = "2025-12-03";

    @Autowired
    Job autoTopUpJob;

    @Autowired
    Job reconciliationJob;

    @Autowired
    PeriodJobLauncher launcher;

    @Autowired
    org.springframework.batch.core.launch.JobOperator jobOperator;

    @Autowired
    JdbcTopUpPolicies policies;

    @Autowired
    WebhookSubscriptions subscriptions;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    io.billingbatch.report.ReportStore reportStore;

    LedgerFixture ledger;

    @BeforeEach
    void emptyLedger() {
        Tables.reset(jdbc);
        ledger = new LedgerFixture(jdbc);
    }

    /** A test below leaves a bad row and the checks NOT VALID, as an old database has them: gone after each test. */
    @AfterEach
    void policiesAsMigrated() {
        jdbc.execute("TRUNCATE auto_topup_policies");
        jdbc.queryForList("""
                SELECT conname FROM pg_constraint
                WHERE conrelid = 'auto_topup_policies'::regclass AND contype = 'c' AND NOT convalidated""", String.class)
                .forEach(check -> jdbc.execute("ALTER TABLE auto_topup_policies VALIDATE CONSTRAINT " + check));
    }

    UUID accountWithBalance(String name, long micros) {
        UUID account = ledger.account(name);
        ledger.topUp(account, micros, Instant.now().minusSeconds(3600));
        return account;
    }

    /** One set of defaults: the table's column defaults (V6) are the policy's, which the command and the API fill in. */
    @Test
    void theTablesDefaultsAreThePolicysDefaults() {
        UUID account = accountWithBalance("Defaults", 0);
        jdbc.update("INSERT INTO auto_topup_policies (account_id) VALUES (?)", account);
        TopUpPolicy stored = policies.find(account).orElseThrow();

        assertThat(stored).isEqualTo(TopUpPolicy.withDefaults(account, null, null, null, null, null, null, null));
        assertThat(jdbc.queryForObject("SELECT funding || ' ' || max_consecutive_failures FROM auto_topup_policies", String.class))
                .isEqualTo(TopUpPolicy.fundingOrDefault(null) + " " + TopUpPolicy.maxConsecutiveFailuresOrDefault(null));
    }

    @Test
    void fixedModeAddsTheAmountAndTargetModeClosesTheGapInOneCredit() throws Exception {
        UUID fixed = accountWithBalance("Fixed", 30_000_000);
        policies.save(TopUpPolicy.fixed(fixed, 50_000_000, 100_000_000, 1, 1_000_000_000));
        UUID target = accountWithBalance("Target", 10_000_000);
        policies.save(TopUpPolicy.target(target, 50_000_000, 200_000_000, 1, 1_000_000_000));
        UUID healthy = accountWithBalance("Healthy", 80_000_000);
        policies.save(TopUpPolicy.fixed(healthy, 50_000_000, 100_000_000, 1, 1_000_000_000));

        JobExecution execution = run(DAY_1, false, false);

        assertThat(balance(fixed)).isEqualTo(130_000_000);
        assertThat(balance(target)).isEqualTo(200_000_000);
        assertThat(balance(healthy)).isEqualTo(80_000_000);
        assertThat(jdbc.queryForList("SELECT amount_credit FROM billing_billings WHERE reference_type = 'auto_top_up' AND account_id = ?",
                Long.class, target)).containsExactly(190_000_000L);
        assertThat(jdbc.queryForObject("SELECT job_execution_id FROM auto_topups WHERE account_id = ?", Long.class, fixed))
                .isEqualTo(execution.getId());
        assertThat(reconcileThisMonth()).as("the ledger stays consistent").isEmpty();
    }

    @Test
    void neverTopsUpTwiceTheSameDayAcrossLaunchesAndRespectsMaxPerDayAndTheMonthlyCap() throws Exception {
        UUID account = accountWithBalance("Busy", 30_000_000);
        policies.save(TopUpPolicy.fixed(account, 50_000_000, 100_000_000, 2, 250_000_000));

        run(DAY_1, false, false);
        assertThat(launcher.launch(autoTopUpJob, parameters(DAY_1, false), false))
                .isInstanceOf(LaunchOutcome.AlreadyComplete.class);
        run(DAY_1, false, true); // an explicit second run the same day: the balance is fine now
        assertThat(balance(account)).isEqualTo(130_000_000);

        spend(account, 100_000_000); // 30 left
        run(DAY_1, false, true);     // second top-up of the day: max_per_day is 2
        spend(account, 100_000_000);
        run(DAY_1, false, true);     // third: refused by max_per_day
        assertThat(balance(account)).isEqualTo(30_000_000);

        run(DAY_2, false, false);    // 200 used of the 250 cap: only 50 more this month
        assertThat(balance(account)).isEqualTo(80_000_000);
        assertThat(lastResult()).isEqualTo("topped_up fixed 100.000000, capped by the monthly cap");
        spend(account, 60_000_000);
        run(DAY_3, false, false);
        assertThat(balance(account)).isEqualTo(20_000_000);
        assertThat(lastResult()).startsWith("skipped skipped: monthly cap 250.000000 reached");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM auto_topups", Long.class)).isEqualTo(3);
        assertThat(reconcileThisMonth()).isEmpty();
    }

    @Test
    void aRestartAfterAFailureTopsUpEachAccountExactlyOnce() throws Exception {
        List<UUID> accounts = List.of(accountWithBalance("A", 1_000_000), accountWithBalance("B", 2_000_000),
                accountWithBalance("C", 3_000_000));
        accounts.forEach(account -> policies.save(TopUpPolicy.fixed(account, 50_000_000, 100_000_000, 3, 1_000_000_000)));
        JobExecution failed;
        try (InsertFailure crash = InsertFailure.afterRows(jdbc, "auto_topups", 2)) {
            failed = ((LaunchOutcome.Ran) launcher.launch(autoTopUpJob, parameters(DAY_1, false), false)).execution();
        }
        assertThat(failed.getStatus()).isEqualTo(BatchStatus.FAILED);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM auto_topups", Long.class)).isZero(); // the chunk rolled back

        JobExecution restarted = ((LaunchOutcome.Ran) launcher.launch(autoTopUpJob, parameters(DAY_1, false), false)).execution();
        assertThat(restarted.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        run(DAY_1, false, true); // and once more the same day

        assertThat(accounts).allSatisfy(account -> assertThat(jdbc.queryForObject(
                "SELECT count(*) FROM auto_topups WHERE account_id = ?", Long.class, account)).isEqualTo(1));
        assertThat(balance(accounts.get(0))).isEqualTo(101_000_000);
        assertThat(reconcileThisMonth()).isEmpty();
    }

    @Test
    void aRestartAfterACommittedChunkFinishesTheRunAndRepeatsNothing() throws Exception {
        // 150 accounts: the first chunk (100) commits, the second fails. Half the accounts leave the candidates
        // when topped up (their balance passes the threshold), half stay below it (a small fixed amount).
        List<UUID> accounts = new java.util.ArrayList<>();
        for (int i = 0; i < 150; i++) {
            UUID account = accountWithBalance("Chunked " + i, 1_000_000);
            policies.save(TopUpPolicy.fixed(account, 50_000_000, i % 2 == 0 ? 100_000_000 : 10_000_000, 3, 1_000_000_000));
            accounts.add(account);
        }
        JobExecution failed;
        try (InsertFailure crash = InsertFailure.afterRows(jdbc, "auto_topups", 120)) {
            failed = ((LaunchOutcome.Ran) launcher.launch(autoTopUpJob, parameters(DAY_1, false), false)).execution();
        }
        assertThat(failed.getStatus()).isEqualTo(BatchStatus.FAILED);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM auto_topups", Long.class)).isEqualTo(100); // the first chunk

        JobExecution restarted = ((LaunchOutcome.Ran) launcher.launch(autoTopUpJob, parameters(DAY_1, false), false)).execution();

        assertThat(restarted.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(restarted.getJobInstanceId()).isEqualTo(failed.getJobInstanceId());
        assertThat(accounts).allSatisfy(account -> assertThat(jdbc.queryForObject(
                "SELECT count(*) FROM auto_topups WHERE account_id = ?", Long.class, account)).as("top-ups of %s", account)
                .isEqualTo(1));
        assertThat(jdbc.queryForObject("SELECT count(*) FROM auto_topup_results WHERE job_instance_id = ? AND outcome = 'topped_up'",
                Long.class, restarted.getJobInstanceId())).isEqualTo(150);
        assertThat(reconcileThisMonth()).isEmpty();
    }

    @Test
    void aDryRunReportsThePlanAndChangesNothing() throws Exception {
        UUID account = accountWithBalance("Planned", 30_000_000);
        policies.save(TopUpPolicy.fixed(account, 50_000_000, 100_000_000, 1, 1_000_000_000));
        long ledgerRows = jdbc.queryForObject("SELECT count(*) FROM billing_billings", Long.class);

        run(DAY_1, true, false);

        assertThat(balance(account)).isEqualTo(30_000_000);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM billing_billings", Long.class)).isEqualTo(ledgerRows);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM auto_topups", Long.class)).isZero();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM low_balance_alerts", Long.class)).isZero();
        assertThat(lastResult()).isEqualTo("planned fixed 100.000000");
        run(DAY_1, false, false); // the dry run did not use up the day
        assertThat(balance(account)).isEqualTo(130_000_000);
    }

    @Test
    void frozenAccountsAreSkippedWithAReason() throws Exception {
        UUID frozen = accountWithBalance("Frozen", 1_000_000);
        jdbc.update("UPDATE billing_accounts SET status = 'frozen' WHERE id = ?", frozen);
        policies.save(TopUpPolicy.fixed(frozen, 50_000_000, 100_000_000, 1, 1_000_000_000));

        run(DAY_1, false, false);

        assertThat(balance(frozen)).isEqualTo(1_000_000);
        assertThat(lastResult()).isEqualTo("skipped skipped: the account is frozen");
    }

    @Test
    void writesItsReportWithEveryAccountAndTheManifest() throws Exception {
        UUID topped = accountWithBalance("Topped", 30_000_000);
        policies.save(TopUpPolicy.fixed(topped, 50_000_000, 100_000_000, 1, 1_000_000_000));
        UUID frozen = accountWithBalance("Frozen", 1_000_000);
        jdbc.update("UPDATE billing_accounts SET status = 'frozen' WHERE id = ?", frozen);
        policies.save(TopUpPolicy.fixed(frozen, 50_000_000, 100_000_000, 1, 1_000_000_000));
        String day = "2026-03-09";

        JobExecution execution = run(day, false, true);

        long revision = execution.getJobParameters().getLong(PeriodJobParameters.REVISION);
        String name = "auto-topup-" + day + (revision > 1 ? "-run" + revision : "") + ".csv";
        java.nio.file.Path file = reportStore.directory(day).resolve(name);
        List<String> lines = java.nio.file.Files.readAllLines(file);
        List<String> expected = new java.util.ArrayList<>(List.of(
                topped + ",topped_up,30.000000,100.000000,130.000000,fixed 100.000000",
                frozen + ",skipped,1.000000,,1.000000,skipped: the account is frozen"));
        expected.sort(java.util.Comparator.naturalOrder()); // rows by account id
        assertThat(lines).containsExactly(
                "account_id,outcome,balance_before_usd,amount_usd,balance_after_usd,rule", expected.get(0), expected.get(1));
        byte[] bytes = java.nio.file.Files.readAllBytes(file);
        assertThat(reportStore.readManifest(day)).get().satisfies(manifest -> assertThat(manifest.files()).anySatisfy(entry -> {
            assertThat(entry.name()).isEqualTo(name);
            assertThat(entry.size()).isEqualTo(bytes.length);
            assertThat(entry.sha256()).isEqualTo(java.util.HexFormat.of().formatHex(
                    java.security.MessageDigest.getInstance("SHA-256").digest(bytes)));
        }));
    }

    @Test
    void lowBalanceAlertsAreRaisedOncePerLevelPerDayWithTheirEvents() throws Exception {
        subscriptions.create(null, "alerts", "http://127.0.0.1:9/unused", "POST", List.of(BillingAccountEvent.LOW_BALANCE));
        UUID low = accountWithBalance("Low", 15_000_000);
        UUID critical = accountWithBalance("Critical", 3_000_000);
        accountWithBalance("Fine", 25_000_000);

        run(DAY_1, false, false);
        run(DAY_1, false, true);

        assertThat(jdbc.queryForList("SELECT account_id || ' ' || level FROM low_balance_alerts", String.class))
                .containsExactlyInAnyOrder(low + " low", critical + " low", critical + " critical");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM webhook_outbox WHERE event_type = 'billing_account.low_balance'",
                Long.class)).isEqualTo(3);

        run(DAY_2, false, false);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM low_balance_alerts", Long.class)).isEqualTo(6);
    }

    @Test
    void badPoliciesAreRefusedWithAReason() {
        UUID account = UUID.randomUUID();
        assertThatIllegalArgumentException().isThrownBy(() -> TopUpPolicy.fixed(account, -1, 100_000_000, 1, 1_000_000_000))
                .withMessageContaining("threshold must not be negative");
        assertThatIllegalArgumentException().isThrownBy(() -> TopUpPolicy.target(account, 50_000_000, 40_000_000, 1, 1_000_000_000))
                .withMessageContaining("target must be above the threshold");
        assertThatIllegalArgumentException().isThrownBy(() -> TopUpPolicy.fixed(account, 50_000_000, 100_000_000, 1, 50_000_000))
                .withMessageContaining("monthly_cap 50.000000 is below one top-up of 100.000000");
        assertThatIllegalArgumentException().isThrownBy(() -> TopUpPolicy.fixed(account, 50_000_000, 0, 1, 50_000_000))
                .withMessageContaining("amount must be positive");
    }

    @Test
    void aPolicyRowThatIsNotAValidPolicyIsRejectedWithItsReasonAndEveryOtherAccountIsToppedUp() throws Exception {
        List<UUID> good = new java.util.ArrayList<>();
        for (int i = 0; i < 150; i++) { // more than one chunk on each side of the bad row
            UUID account = accountWithBalance("Good " + i, 1_000_000);
            policies.save(TopUpPolicy.fixed(account, 150_000_000, 100_000_000, 2, 1_000_000_000)); // below it after one
            good.add(account);
        }
        UUID bad = accountWithBalance("Bad cap", 1_000_000);
        // A cap of $0.50 below a top-up of $100.00, written directly into an old database
        insertPolicyAsAnOldDatabaseHoldsIt(bad, "fixed", 100_000_000, null, 500_000);
        String reason = "monthly_cap 0.500000 is below one top-up of 100.000000";

        JobExecution first = run(DAY_1, false, false);
        JobExecution rerun = run(DAY_1, false, true);

        assertThat(good).allSatisfy(account -> assertThat(balance(account)).as("balance of %s", account)
                .isEqualTo(201_000_000));
        assertThat(balance(bad)).isEqualTo(1_000_000);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM auto_topups WHERE account_id = ?", Long.class, bad)).isZero();
        for (JobExecution execution : List.of(first, rerun)) {
            assertThat(execution.getStepExecutions()).filteredOn(step -> step.getStepName().equals("autoTopUpStep"))
                    .singleElement().satisfies(step -> {
                        assertThat(step.getWriteCount()).isEqualTo(150);
                        assertThat(step.getSkipCount()).isEqualTo(1);
                    });
            assertThat(jdbc.queryForList("SELECT item_key || ' ' || reason FROM batch_item_rejects WHERE job_instance_id = ?",
                    String.class, execution.getJobInstanceId())).containsExactly(bad + " " + reason);
            long revision = execution.getJobParameters().getLong(PeriodJobParameters.REVISION);
            java.nio.file.Path report = reportStore.directory(DAY_1)
                    .resolve("auto-topup-" + DAY_1 + (revision > 1 ? "-run" + revision : "") + ".csv");
            assertThat(java.nio.file.Files.readAllLines(report)).hasSize(1 + 151)
                    .contains(bad + ",rejected,1.000000,,1.000000,rejected: invalid policy: " + reason);
        }
        assertThat(reconcileThisMonth()).isEmpty();
    }

    @Test
    void theTableRefusesWhatTheCommandLineRefuses() {
        UUID account = UUID.randomUUID();
        Map<String, String> refused = new java.util.LinkedHashMap<>();
        refused.put("threshold_credit = -1", "auto_topup_policies_threshold_check");
        refused.put("amount_credit = 0", "auto_topup_policies_fixed_amount_check");
        refused.put("mode = 'target', target_credit = NULL", "auto_topup_policies_target_check");
        refused.put("mode = 'target', target_credit = 50000000", "auto_topup_policies_target_check");
        refused.put("mode = 'weekly'", "auto_topup_policies_mode_check");
        refused.put("max_per_day = 0", "auto_topup_policies_max_per_day_check");
        refused.put("monthly_cap_credit = 99999999", "auto_topup_policies_monthly_cap_check");
        refused.put("mode = 'target', target_credit = 150000000, monthly_cap_credit = 99999999",
                "auto_topup_policies_monthly_cap_check");
        refused.put("funding = 'card'", "auto_topup_policies_funding_check");
        refused.put("max_consecutive_failures = 0", "auto_topup_policies_max_consecutive_failures_check");
        refused.put("consecutive_failures = -1", "auto_topup_policies_consecutive_failures_check");
        policies.save(TopUpPolicy.fixed(account, 50_000_000, 100_000_000, 1, 100_000_000)); // the smallest cap is fine
        refused.forEach((change, check) -> assertThatThrownBy(() -> jdbc.update(
                "UPDATE auto_topup_policies SET " + change + " WHERE account_id = ?", account))
                .as(change).isInstanceOf(org.springframework.dao.DataIntegrityViolationException.class)
                .hasMessageContaining(check));
        assertThat(jdbc.update("UPDATE auto_topup_policies SET mode = 'target', target_credit = 150000000 WHERE account_id = ?",
                account)).isEqualTo(1);
    }

    @Test
    void theChecksMigrateADatabaseThatAlreadyHoldsABadRowAndStillCheckNewWrites() {
        String schema = "before_v11_" + Long.toHexString(System.nanoTime());
        try {
            org.flywaydb.core.api.configuration.FluentConfiguration flyway = org.flywaydb.core.Flyway.configure()
                    .dataSource(jdbc.getDataSource()).schemas(schema).locations("classpath:db/migration");
            flyway.target("10").load().migrate();
            UUID bad = UUID.randomUUID();
            jdbc.update("INSERT INTO " + schema + ".auto_topup_policies (account_id, monthly_cap_credit) VALUES (?, 1)", bad);

            flyway.target("11").load().migrate();

            assertThat(jdbc.queryForObject("SELECT monthly_cap_credit FROM " + schema + ".auto_topup_policies WHERE account_id = ?",
                    Long.class, bad)).as("the old row is kept, for the job to reject").isEqualTo(1);
            assertThat(jdbc.queryForList("""
                    SELECT conname || ' ' || convalidated FROM pg_constraint
                    WHERE conrelid = ?::regclass AND contype = 'c' AND conname IN
                        ('auto_topup_policies_monthly_cap_check', 'auto_topup_policies_threshold_check')""",
                    String.class, schema + ".auto_topup_policies")).containsExactlyInAnyOrder(
                    "auto_topup_policies_monthly_cap_check false", "auto_topup_policies_threshold_check true");
            assertThatThrownBy(() -> jdbc.update("INSERT INTO " + schema + ".auto_topup_policies (account_id, monthly_cap_credit)"
                    + " VALUES (?, 1)", UUID.randomUUID())).hasMessageContaining("auto_topup_policies_monthly_cap_check");
        }
        finally {
            jdbc.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    /**
     * Writes a policy row that breaks the table's checks, as a database that held it before they were
     * added has it: the checks are taken off for the insert and put back {@code NOT VALID} (what the
     * migration leaves when existing rows break them), so they hold for every later write.
     */
    void insertPolicyAsAnOldDatabaseHoldsIt(UUID account, String mode, long amount, Long target, long monthlyCap) {
        List<Map<String, Object>> checks = jdbc.queryForList("""
                SELECT conname, pg_get_constraintdef(oid) AS definition FROM pg_constraint
                WHERE conrelid = 'auto_topup_policies'::regclass AND contype = 'c'""");
        checks.forEach(check -> jdbc.execute("ALTER TABLE auto_topup_policies DROP CONSTRAINT " + check.get("conname")));
        jdbc.update("""
                INSERT INTO auto_topup_policies (account_id, mode, amount_credit, target_credit, monthly_cap_credit)
                VALUES (?, ?, ?, ?, ?)""", account, mode, amount, target, monthlyCap);
        checks.forEach(check -> jdbc.execute("ALTER TABLE auto_topup_policies ADD CONSTRAINT " + check.get("conname") + " "
                + ((String) check.get("definition")).replace(" NOT VALID", "") + " NOT VALID"));
    }

    JobExecution run(String day, boolean dryRun, boolean rerun) throws Exception {
        LaunchOutcome outcome = launcher.launch(autoTopUpJob, parameters(day, dryRun), rerun);
        JobExecution execution = ((LaunchOutcome.Ran) outcome).execution();
        assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        return execution;
    }

    PeriodJobParameters parameters(String day, boolean dryRun) {
        return new PeriodJobParameters(ReportPeriod.parse(day, "UTC"), 1, dryRun);
    }

    void spend(UUID account, long micros) {
        ledger.syncBalance(account); // the job posted top-ups since
        long rate = ledger.rate("call");
        int seconds = Math.toIntExact(micros / rate); // a call rated by the rate card
        assertThat(seconds * rate).isEqualTo(micros);
        ledger.call(account, seconds, Instant.now());
    }

    long balance(UUID account) {
        return jdbc.queryForObject("SELECT balance_credit FROM billing_accounts WHERE id = ?", Long.class, account);
    }

    String lastResult() {
        return jdbc.queryForObject("""
                SELECT outcome || ' ' || rule FROM auto_topup_results ORDER BY job_instance_id DESC LIMIT 1""", String.class);
    }

    List<String> reconcileThisMonth() throws Exception {
        ReportPeriod month = ReportPeriod.parse(YearMonth.now(ZoneOffset.UTC).toString(), "UTC");
        // The launcher reports a month only once it has ended; the job itself still checks the month
        // so far (stored balances), so this starts it directly, as a new revision each time.
        PeriodJobParameters parameters = new PeriodJobParameters(month, 1);
        long revision = launcher.latest(reconciliationJob.getName(), parameters).map(latest -> latest.revision() + 1).orElse(1L);
        JobExecution execution = jobOperator.start(reconciliationJob, parameters.withRevision(revision).toJobParameters());
        assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        return jdbc.queryForList("""
                SELECT f.kind || ' ' || f.account_id FROM reconciliation_findings f
                JOIN published_runs r ON r.job_instance_id = f.job_instance_id AND r.job_name = 'reconciliation'
                WHERE r.period = ?""", String.class, month.key());
    }

}
