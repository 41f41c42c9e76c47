package io.billingbatch.reconciliation;

import io.billingbatch.testing.Tables;
import io.billingbatch.testing.BillingTest;
import io.billingbatch.report.Workbooks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.billingbatch.batch.PeriodJobParameters;
import io.billingbatch.demo.DemoFaultInjector;
import io.billingbatch.demo.DemoLedgerGenerator;
import io.billingbatch.demo.DemoLedgerSpec;
import io.billingbatch.launch.PeriodJobLauncher;
import io.billingbatch.launch.PeriodJobLauncher.LaunchOutcome;
import io.billingbatch.ledger.LedgerFixture;
import io.billingbatch.testing.TestLog;
import io.billingbatch.ledger.ReportPeriod;
import io.billingbatch.ledger.RunningPeriods;
import io.billingbatch.report.ReportStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.util.FileSystemUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Seals: written when a run is published, replaced with it, and a period read from the latest seal
 * at or before its start gives exactly what the same period read from the beginning gives. "From
 * the beginning" is the same period run again (a new revision) with the earlier seals removed.
 * Same context as {@link ReconciliationJobTest}.
 */
@BillingTest
class ReconciliationSealTest {

    static final ReportPeriod JULY = ReportPeriod.parse("2026-07", "UTC");

    static final ReportPeriod AUGUST = ReportPeriod.parse("2026-08", "UTC");

    static final ReportPeriod SEPTEMBER = ReportPeriod.parse("2026-09", "UTC");

    static final ReportPeriod OCTOBER = ReportPeriod.parse("2026-10", "UTC");

    @Autowired
    Job reconciliationJob;

    @Autowired
    PeriodJobLauncher launcher;

    @Autowired
    JobOperator jobOperator;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    ReportStore reportStore;

    @Autowired
    DemoLedgerGenerator demoLedger;

    @Autowired
    DemoFaultInjector faults;

    @Autowired
    ReconciliationSeals seals;

    LedgerFixture ledger;

    @BeforeEach
    void emptyLedger() {
        Tables.reset(jdbc);
        for (String folder : List.of("2026-07", "2026-08", "2026-09", "2026-09-29", "2026-10", "2026-10-09", "2026-10-10")) {
            FileSystemUtils.deleteRecursively(reportStore.directory(folder).toFile());
        }
        ledger = new LedgerFixture(jdbc);
    }

    @Test
    void theLastMonthOfASeveralMonthLedgerFromASealEqualsItFromTheBeginning() throws Exception {
        // given: four months of demo ledger, faults in a sealed month and in the month reconciled
        demoLedger.generate(new DemoLedgerSpec(7, 80, YearMonth.of(2026, 7), 4, 20_000));
        faults.inject(AUGUST, 1, 5); // its duplicated row is posted (posting_seq) after every later row
        faults.inject(OCTOBER, 1, 6);
        // and the edge cases by hand
        UUID quietSinceJuly = ledger.account("Last row before the seal");
        ledger.topUp(quietSinceJuly, 10_000_000, at("2026-07-05T10:00:00Z"));
        ledger.call(quietSinceJuly, 30, at("2026-07-06T10:00:00Z"));
        UUID balanceWithoutRows = ledger.account("A balance but no rows");
        jdbc.update("UPDATE billing_accounts SET balance_credit = 7000000 WHERE id = ?", balanceWithoutRows);
        UUID newInOctober = ledger.account("Only after the seal");
        ledger.topUp(newInOctober, 3_000_000, at("2026-10-03T10:00:00Z"));
        ledger.sms(newInOctober, at("2026-10-04T10:00:00Z"));
        UUID newInSeptember = ledger.account("First row between the seal and the period");
        ledger.topUp(newInSeptember, 3_000_000, at("2026-09-10T10:00:00Z"));
        ledger.call(newInSeptember, 12, at("2026-10-05T10:00:00Z"));
        UUID carried = ledger.account("Rows on both sides of the seal");
        ledger.topUp(carried, 20_000_000, at("2026-07-02T10:00:00Z"));
        ledger.call(carried, 40, at("2026-09-12T10:00:00Z"));
        ledger.sms(carried, at("2026-10-02T10:00:00Z"));
        UUID ghost = UUID.randomUUID(); // rows of no account: before the seal, between, in the period
        ledger.sms(ghost, at("2026-07-03T10:00:00Z"));
        ledger.sms(ghost, at("2026-09-20T10:00:00Z"));
        ledger.sms(ghost, at("2026-10-07T10:00:00Z"));
        UUID deletions = ledger.account("Deleted rows");
        ledger.topUp(deletions, 20_000_000, at("2026-07-02T11:00:00Z"));
        ledger.softDelete(ledger.sms(deletions, at("2026-08-03T10:00:00Z")), at("2026-08-04T10:00:00Z"));
        ledger.softDelete(ledger.sms(deletions, at("2026-10-08T10:00:00Z")), at("2026-10-09T10:00:00Z"));
        UUID brokenAfterSeal = ledger.account("Break at the first row after the seal");
        ledger.topUp(brokenAfterSeal, 20_000_000, at("2026-07-02T12:00:00Z"));
        UUID firstAfterSeal = ledger.sms(brokenAfterSeal, at("2026-09-02T10:00:00Z"));
        ledger.sms(brokenAfterSeal, at("2026-10-02T12:00:00Z"));
        jdbc.update("UPDATE billing_billings SET amount_credit = amount_credit - 5 WHERE id = ?", firstAfterSeal);
        UUID alteredAtTheSeal = ledger.account("Snapshot altered on the last row before the seal");
        ledger.topUp(alteredAtTheSeal, 20_000_000, at("2026-07-02T13:00:00Z"));
        UUID lastBeforeSeal = ledger.sms(alteredAtTheSeal, at("2026-08-31T23:00:00Z"));
        ledger.sms(alteredAtTheSeal, at("2026-09-03T10:00:00Z"));
        ledger.sms(alteredAtTheSeal, at("2026-10-03T12:00:00Z"));
        jdbc.update("UPDATE billing_billings SET balance_credit_snapshot = balance_credit_snapshot + 7 WHERE id = ?",
                lastBeforeSeal);

        // when: July and August are sealed, September is not, October starts from August's seal
        run(JULY);
        run(AUGUST);
        ReconciliationSeals.Start start = seals.startOf(OCTOBER);
        assertThat(start.period()).isEqualTo("2026-08");
        assertThat(start.sealedTo()).isEqualTo(SEPTEMBER.start());
        run(OCTOBER);
        Result fromSeal = result(OCTOBER);

        // then: the same period read from the beginning gives the same accounts, findings, seals and files
        jdbc.update("DELETE FROM reconciliation_seals WHERE job_instance_id <> (SELECT job_instance_id FROM published_runs"
                + " WHERE job_name = 'reconciliation' AND period = '2026-10' AND zone = 'UTC')");
        assertThat(seals.startOf(OCTOBER).fromBeginning()).isTrue();
        rerun(OCTOBER);
        Result fromBeginning = result(OCTOBER);

        assertThat(fromSeal.accounts()).hasSizeGreaterThan(80).isEqualTo(fromBeginning.accounts());
        assertThat(fromSeal.findings()).hasSizeGreaterThan(10).isEqualTo(fromBeginning.findings());
        assertThat(fromSeal.seals()).isEqualTo(fromBeginning.seals());
        assertThat(fromSeal.csv()).isEqualTo(fromBeginning.csv());
        assertThat(Workbooks.content(fromSeal.xlsx())).isEqualTo(Workbooks.content(fromBeginning.xlsx())); // the same but for the run's own title lines
        assertThat(fromSeal.accounts()).anyMatch(row -> row.contains(balanceWithoutRows.toString()))
                .anyMatch(row -> row.contains(quietSinceJuly.toString())).anyMatch(row -> row.contains(ghost.toString()));
        assertThat(fromSeal.findings()).anyMatch(row -> row.startsWith("orphan " + ghost));
    }

    @Test
    void aDayFromTheSealOfTheDayBeforeReportsABreakAtTheFirstRowAfterTheSealOnceAndOnlyThere() throws Exception {
        ReportPeriod before = ReportPeriod.parse("2026-10-09", "UTC");
        ReportPeriod day = ReportPeriod.parse("2026-10-10", "UTC");
        // an altered amount on the first row after the seal
        UUID amountAltered = ledger.account("Amount altered");
        ledger.topUp(amountAltered, 10_000_000, at("2026-10-01T10:00:00Z"));
        ledger.sms(amountAltered, at("2026-10-09T10:00:00Z"));
        UUID amountRow = ledger.sms(amountAltered, at("2026-10-10T01:00:00Z"));
        ledger.sms(amountAltered, at("2026-10-10T02:00:00Z"));
        jdbc.update("UPDATE billing_billings SET amount_credit = amount_credit - 1 WHERE id = ?", amountRow);
        // a snapshot altered on the last row before the seal: the day before reports it, the day not again
        UUID sealEdge = ledger.account("Snapshot altered before the seal");
        ledger.topUp(sealEdge, 10_000_000, at("2026-10-01T10:00:00Z"));
        UUID lastBeforeSeal = ledger.sms(sealEdge, at("2026-10-09T23:00:00Z"));
        ledger.sms(sealEdge, at("2026-10-10T03:00:00Z"));
        ledger.sms(sealEdge, at("2026-10-10T04:00:00Z"));
        jdbc.update("UPDATE billing_billings SET balance_credit_snapshot = balance_credit_snapshot + 5 WHERE id = ?",
                lastBeforeSeal);
        // a snapshot altered on the first row after the seal
        UUID firstEdge = ledger.account("Snapshot altered after the seal");
        ledger.topUp(firstEdge, 10_000_000, at("2026-10-01T10:00:00Z"));
        UUID firstAfterSeal = ledger.sms(firstEdge, at("2026-10-10T05:00:00Z"));
        ledger.sms(firstEdge, at("2026-10-10T06:00:00Z"));
        jdbc.update("UPDATE billing_billings SET balance_credit_snapshot = balance_credit_snapshot - 5 WHERE id = ?",
                firstAfterSeal);
        // a row posted last (posting_seq) but stamped on the day before: the chain in posting order holds
        UUID latePosted = ledger.account("Posted late with an earlier instant");
        ledger.topUp(latePosted, 10_000_000, at("2026-10-01T10:00:00Z"));
        ledger.sms(latePosted, at("2026-10-09T12:00:00Z"));
        ledger.sms(latePosted, at("2026-10-10T07:00:00Z"));
        UUID stampedEarlier = ledger.sms(latePosted, at("2026-10-09T13:00:00Z"));
        UUID newAccount = ledger.account("New after the seal");
        ledger.topUp(newAccount, 1_000_000, at("2026-10-10T08:00:00Z"));
        UUID ghost = UUID.randomUUID();
        UUID orphanRow = ledger.sms(ghost, at("2026-10-10T09:00:00Z"));

        run(before);
        assertThat(chainBreaks(before)).containsExactlyInAnyOrder("chain_break " + sealEdge + " " + lastBeforeSeal,
                "chain_break " + latePosted + " " + stampedEarlier);
        assertThat(seals.startOf(day).period()).isEqualTo("2026-10-09");
        run(day);
        Result fromSeal = result(day);

        assertThat(chainBreaks(day)).containsExactlyInAnyOrder("chain_break " + amountAltered + " " + amountRow,
                "chain_break " + firstEdge + " " + firstAfterSeal);
        assertThat(fromSeal.findings()).anyMatch(row -> row.startsWith("orphan " + ghost + " " + orphanRow));
        jdbc.update("DELETE FROM reconciliation_seals WHERE job_instance_id = (SELECT job_instance_id FROM published_runs"
                + " WHERE job_name = 'reconciliation' AND period = '2026-10-09')");
        rerun(day);
        Result fromBeginning = result(day);
        assertThat(fromSeal.accounts()).hasSize(6).isEqualTo(fromBeginning.accounts()); // with the orphan's
        assertThat(fromSeal.findings()).isEqualTo(fromBeginning.findings());
        assertThat(fromSeal.seals()).isEqualTo(fromBeginning.seals());
        assertThat(fromSeal.csv()).isEqualTo(fromBeginning.csv());
        assertThat(Workbooks.content(fromSeal.xlsx())).isEqualTo(Workbooks.content(fromBeginning.xlsx())); // the same but for the run's own title lines
    }

    @Test
    void aBerlinMonthStartsFromTheSealOfAUtcDayAndReadsTheRowsBetween() throws Exception {
        ReportPeriod utcDay = ReportPeriod.parse("2026-09-29", "UTC");
        ReportPeriod berlinOctober = ReportPeriod.parse("2026-10", "Europe/Berlin"); // starts 2026-09-30T22:00Z
        UUID busy = ledger.account("Busy");
        ledger.topUp(busy, 50_000_000, at("2026-09-01T10:00:00Z"));
        ledger.call(busy, 20, at("2026-09-29T10:00:00Z"));
        ledger.sms(busy, at("2026-09-30T12:00:00Z")); // after the seal, before the Berlin month
        ledger.sms(busy, at("2026-09-30T23:00:00Z")); // October 1st in Berlin
        ledger.call(busy, 35, at("2026-10-15T10:00:00Z"));
        UUID between = ledger.account("Only between the seal and the month");
        ledger.topUp(between, 4_000_000, at("2026-09-30T21:00:00Z"));
        UUID altered = ledger.account("Snapshot altered between the seal and the month");
        ledger.topUp(altered, 9_000_000, at("2026-09-02T10:00:00Z"));
        UUID alteredRow = ledger.sms(altered, at("2026-09-30T21:30:00Z"));
        ledger.sms(altered, at("2026-09-30T22:30:00Z"));
        jdbc.update("UPDATE billing_billings SET balance_credit_snapshot = balance_credit_snapshot + 3 WHERE id = ?", alteredRow);
        UUID lastRow = ledger.sms(busy, at("2026-10-31T22:30:00Z")); // still October in Berlin
        ledger.sms(busy, at("2026-10-31T23:30:00Z")); // November in Berlin

        run(utcDay);
        assertThat(TestLog.text()).containsOnlyOnce(
                "reconciliation 2026-09-29 (UTC): no seal at or before 2026-09-29T00:00:00Z; reading the ledger from the beginning");
        ReconciliationSeals.Start start = seals.startOf(berlinOctober);
        assertThat(start.period()).isEqualTo("2026-09-29");
        assertThat(start.zone()).isEqualTo("UTC");
        run(berlinOctober);
        assertThat(TestLog.text()).containsOnlyOnce("reconciliation 2026-10 (Europe/Berlin): starting from the seal of"
                + " 2026-09-29 (UTC) at 2026-09-30T00:00:00Z");
        Result fromSeal = result(berlinOctober);
        assertThat(jdbc.queryForObject("""
                SELECT opening || ' ' || closing || ' ' || ledger_rows FROM reconciliation_accounts a
                JOIN published_runs r ON r.job_instance_id = a.job_instance_id AND r.zone = 'Europe/Berlin'
                WHERE a.account_id = ?""", String.class, between)).isEqualTo("4000000 4000000 0");
        assertThat(jdbc.queryForObject("SELECT last_posting_seq FROM reconciliation_seals s JOIN published_runs r"
                + " ON r.job_instance_id = s.job_instance_id AND r.zone = 'Europe/Berlin' WHERE s.account_id = ?", Long.class, busy))
                .isEqualTo(jdbc.queryForObject("SELECT posting_seq FROM billing_billings WHERE id = ?", Long.class, lastRow));
        // the altered snapshot is before the Berlin month and opens it (a balance_mismatch); its next row is no break
        assertThat(chainBreaks(berlinOctober)).isEmpty();
        assertThat(fromSeal.findings()).singleElement().asString().startsWith("balance_mismatch " + altered);

        jdbc.update("DELETE FROM reconciliation_seals WHERE job_instance_id = (SELECT job_instance_id FROM published_runs"
                + " WHERE job_name = 'reconciliation' AND period = '2026-09-29')");
        rerun(berlinOctober);
        assertThat(TestLog.text()).containsOnlyOnce("reconciliation 2026-10 (Europe/Berlin): no seal at or before"
                + " 2026-09-30T22:00:00Z; reading the ledger from the beginning");
        Result fromBeginning = result(berlinOctober);
        assertThat(fromSeal.accounts()).hasSize(3).isEqualTo(fromBeginning.accounts());
        assertThat(fromSeal.findings()).isEqualTo(fromBeginning.findings());
        assertThat(fromSeal.seals()).isEqualTo(fromBeginning.seals());
        assertThat(fromSeal.csv()).isEqualTo(fromBeginning.csv());
        assertThat(Workbooks.content(fromSeal.xlsx())).isEqualTo(Workbooks.content(fromBeginning.xlsx())); // the same but for the run's own title lines
    }

    @Test
    void aRerunReplacesThePeriodsSealsAndARunningPeriodIsNotSealed() throws Exception {
        UUID account = ledger.account("Account");
        ledger.topUp(account, 10_000_000, at("2026-08-20T10:00:00Z"));
        ledger.call(account, 10, at("2026-09-05T10:00:00Z"));
        UUID quiet = ledger.account("Quiet");
        JobExecution first = run(SEPTEMBER);
        assertThat(sealOf(first.getJobInstanceId(), account)).isEqualTo(expectedSeal(SEPTEMBER, account));
        assertThat(sealOf(first.getJobInstanceId(), account)).startsWith(seq(account, "2026-09-05T10:00:00Z") + " 9800000 1 ");
        assertThat(sealOf(first.getJobInstanceId(), quiet)).isEqualTo("null 0 0 0");

        ledger.sms(account, at("2026-09-06T10:00:00Z")); // a late correction
        JobExecution second = rerun(SEPTEMBER);

        assertThat(second.getJobInstanceId()).isNotEqualTo(first.getJobInstanceId());
        assertThat(jdbc.queryForObject("SELECT count(*) FROM reconciliation_seals WHERE job_instance_id = ?", Long.class,
                first.getJobInstanceId())).isZero();
        assertThat(sealOf(second.getJobInstanceId(), account)).isEqualTo(expectedSeal(SEPTEMBER, account))
                .startsWith(seq(account, "2026-09-06T10:00:00Z") + " 9792000 2 ");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM reconciliation_seals", Long.class)).isEqualTo(2);

        // a period that includes now is published by its run but never sealed: rows may still be posted in it
        ReportPeriod today = ReportPeriod.parse(LocalDate.now(ZoneOffset.UTC).toString(), "UTC");
        JobExecution running = RunningPeriods.startDirectly(jobOperator, launcher, reconciliationJob, today);
        assertThat(running.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM reconciliation_seals WHERE job_instance_id = ?", Long.class,
                running.getJobInstanceId())).isZero();
        assertThat(seals.startOf(today).period()).isEqualTo("2026-09");
    }

    @Test
    void sealingARunAgainReplacesItsSeals() throws Exception {
        UUID account = ledger.account("Account");
        ledger.topUp(account, 10_000_000, at("2026-08-20T10:00:00Z"));
        ledger.call(account, 10, at("2026-09-05T10:00:00Z"));
        long run = run(SEPTEMBER).getJobInstanceId();
        jdbc.update("UPDATE reconciliation_accounts SET ledger_rows = 7, last_snapshot = 5 WHERE job_instance_id = ?", run);

        seals.seal(run);

        assertThat(sealOf(run, account)).startsWith(seq(account, "2026-09-05T10:00:00Z") + " 5 7 ");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM reconciliation_seals WHERE job_instance_id = ?", Long.class, run))
                .isEqualTo(1);
    }

    @Test
    void theRowDigestChangesWithEachContractColumnAndNotWithTheSessionZone() {
        UUID account = ledger.account("Account");
        UUID row = ledger.call(account, 10, at("2026-10-10T10:00:00.123456Z"));
        long digest = digest(row, "{}");
        Map<String, String> changes = contractColumnChanges("2026-10-10T10:00:00.123457Z");
        for (var change : changes.entrySet()) {
            assertThat(digest(row, "{\"" + change.getKey() + "\": " + change.getValue() + "}")).as(change.getKey())
                    .isNotEqualTo(digest);
            if (!change.getKey().equals("tm_delete")) {
                assertThat(digest(row, "{\"" + change.getKey() + "\": null}")).as(change.getKey() + " null").isNotEqualTo(digest);
            }
        }
        assertThat(digest(row, "{\"reference_type\": \"\"}")).isNotEqualTo(digest(row, "{\"reference_type\": null}"));
        assertThat(digest(row, "{\"tm_update\": \"2026-11-01T00:00:00Z\", \"tm_create\": null}")).isEqualTo(digest);
        Long inTokyo = jdbc.execute((java.sql.Connection connection) -> {
            try (var statement = connection.createStatement()) {
                statement.execute("SET TimeZone = 'Asia/Tokyo'");
                try (var rs = statement.executeQuery("SELECT ledger_row_digest(b) FROM billing_billings b WHERE id = '" + row + "'")) {
                    rs.next();
                    long value = rs.getLong(1);
                    statement.execute("RESET TimeZone");
                    return value;
                }
            }
        });
        assertThat(inTokyo).isEqualTo(digest);
    }

    @Test
    void theStoredRowDigestIsTheRowsDigestAfterEveryWriteInAnyZone() {
        UUID account = ledger.account("Account");
        ledger.call(account, 10, at("2026-10-10T10:00:00.123456Z"));
        ledger.topUp(account, 5_000_000, at("2026-10-10T11:00:00.654321Z"));
        Map<String, String> changes = contractColumnChanges("1969-07-20T20:17:40.000001Z");
        String before = storedDigests();
        jdbc.execute((java.sql.Connection connection) -> {
            try (var statement = connection.createStatement()) {
                statement.execute("SET TimeZone = 'Asia/Kathmandu'"); // a zone 5:45 from UTC: nothing written may depend on it
                try {
                    for (var change : changes.entrySet()) {
                        String column = change.getKey();
                        for (String value : List.of(change.getValue(), "null")) {
                            if (value.equals("null") && List.of("id", "account_id").contains(column)) {
                                continue; // NOT NULL
                            }
                            statement.execute("UPDATE billing_billings b SET " + column + " = (jsonb_populate_record(b, '{\""
                                    + column + "\": " + value + "}')).\"" + column + "\" WHERE b.account_id = '" + account + "'"
                                    + (column.equals("account_id") ? "" : " AND b.transaction_type IS DISTINCT FROM 'top_up'"));
                            try (var rs = statement.executeQuery(
                                    "SELECT count(*) FROM billing_billings b WHERE b.row_digest <> ledger_row_digest(b)")) {
                                rs.next();
                                assertThat(rs.getLong(1)).as(column + " := " + value).isZero();
                            }
                        }
                        if (column.equals("account_id")) {
                            statement.execute("UPDATE billing_billings SET account_id = '" + account + "'");
                        }
                    }
                }
                finally {
                    statement.execute("RESET TimeZone");
                }
            }
            return null;
        });
        assertThat(storedDigests()).isNotEqualTo(before);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM billing_billings b WHERE b.row_digest <> ledger_row_digest(b)",
                Long.class)).isZero();
    }

    /** A new value (JSON) for each contract column of a row; {@code instant} for its instants. */
    static Map<String, String> contractColumnChanges(String instant) {
        Map<String, String> changes = new java.util.LinkedHashMap<>();
        for (String uuid : List.of("id", "account_id", "customer_id", "reference_id")) {
            changes.put(uuid, "\"" + UUID.randomUUID() + "\"");
        }
        for (String text : List.of("transaction_type", "status", "reference_type")) {
            changes.put(text, "\"x\"");
        }
        for (String number : List.of("usage_duration", "billable_units", "rate_credit_per_unit", "amount_credit",
                "balance_credit_snapshot", "posting_seq")) {
            changes.put(number, "987654");
        }
        for (String column : List.of("tm_posted", "tm_billing_start", "tm_billing_end", "tm_delete")) {
            changes.put(column, "\"" + instant + "\"");
        }
        return changes;
    }

    String storedDigests() {
        return jdbc.queryForObject("SELECT string_agg(row_digest::text, ' ' ORDER BY row_digest) FROM billing_billings", String.class);
    }

    long digest(UUID row, String changes) {
        return jdbc.queryForObject("SELECT ledger_row_digest(jsonb_populate_record(b, CAST(? AS jsonb))) FROM billing_billings b"
                + " WHERE id = ?", Long.class, changes, row);
    }

    /** What a run from the beginning would seal for the account: computed here straight from the ledger. */
    String expectedSeal(ReportPeriod period, UUID account) {
        return jdbc.queryForObject("""
                SELECT (SELECT max(posting_seq) FROM billing_billings WHERE account_id = :a AND tm_posted < :pe) || ' '
                       || (SELECT balance_credit_snapshot FROM billing_billings WHERE account_id = :a AND tm_posted < :pe
                           ORDER BY posting_seq DESC LIMIT 1) || ' '
                       || (SELECT count(*) FROM billing_billings WHERE account_id = :a AND tm_posted >= :ps AND tm_posted < :pe)
                       || ' ' || (SELECT sum(ledger_row_digest(b)) FROM billing_billings b
                                  WHERE account_id = :a AND tm_posted >= :ps AND tm_posted < :pe)
                """.replace(":a", "'" + account + "'::uuid").replace(":ps", "CAST(? AS timestamptz)")
                .replace(":pe", "CAST(? AS timestamptz)"), String.class,
                Timestamp.from(period.end()), Timestamp.from(period.end()), Timestamp.from(period.start()),
                Timestamp.from(period.end()), Timestamp.from(period.start()), Timestamp.from(period.end()));
    }

    String sealOf(long jobInstanceId, UUID account) {
        return jdbc.queryForObject("SELECT last_posting_seq || ' ' || closing_snapshot || ' ' || row_count || ' ' || row_digest"
                + " FROM (SELECT coalesce(last_posting_seq::text, 'null') AS last_posting_seq, closing_snapshot, row_count,"
                + " row_digest FROM reconciliation_seals WHERE job_instance_id = ? AND account_id = ?) s", String.class,
                jobInstanceId, account);
    }

    long seq(UUID account, String posted) {
        return jdbc.queryForObject("SELECT posting_seq FROM billing_billings WHERE account_id = ? AND tm_posted = ?", Long.class,
                account, Timestamp.from(at(posted)));
    }

    record Result(List<String> accounts, List<String> findings, List<String> seals, byte[] csv, byte[] xlsx) {
    }

    Result result(ReportPeriod period) throws Exception {
        String published = "(SELECT job_instance_id FROM published_runs WHERE job_name = 'reconciliation' AND period = '"
                + period.key() + "' AND zone = '" + period.zone().getId() + "')";
        Path folder = reportStore.directory(period.key());
        String base = ReconciliationFiles.baseName(period);
        return new Result(rows("SELECT * FROM reconciliation_accounts WHERE job_instance_id = " + published + " ORDER BY account_id"),
                rows("SELECT kind, account_id, ledger_id, expected, actual, difference, detail, finding_key"
                        + " FROM reconciliation_findings WHERE job_instance_id = " + published + " ORDER BY finding_key"),
                rows("SELECT * FROM reconciliation_seals WHERE job_instance_id = " + published + " ORDER BY account_id"),
                Files.readAllBytes(folder.resolve(base + ".csv")), Files.readAllBytes(folder.resolve(base + ".xlsx")));
    }

    /** Each row as text without its job instance id: two runs of the same period compare equal. */
    List<String> rows(String sql) {
        return jdbc.queryForList(sql).stream().map(row -> {
            Map<String, Object> values = new java.util.LinkedHashMap<>(row);
            values.remove("job_instance_id");
            return values.get("kind") != null ? values.get("kind") + " " + values.get("account_id") + " "
                    + values.get("ledger_id") + " " + values : values.toString();
        }).toList();
    }

    List<String> chainBreaks(ReportPeriod period) {
        return jdbc.query("""
                SELECT f.kind, f.account_id, f.ledger_id FROM reconciliation_findings f
                JOIN published_runs r ON r.job_instance_id = f.job_instance_id AND r.job_name = 'reconciliation'
                WHERE r.period = ? AND r.zone = ? AND f.kind = 'chain_break'""",
                (rs, i) -> rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3), period.key(), period.zone().getId());
    }

    JobExecution run(ReportPeriod period) throws Exception {
        JobExecution execution = ((LaunchOutcome.Ran) launcher.launch(reconciliationJob, new PeriodJobParameters(period, 1),
                false)).execution();
        assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        return execution;
    }

    JobExecution rerun(ReportPeriod period) throws Exception {
        JobExecution execution = ((LaunchOutcome.Ran) launcher.launch(reconciliationJob, new PeriodJobParameters(period, 1),
                true)).execution();
        assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        return execution;
    }

    static Instant at(String instant) {
        return Instant.parse(instant);
    }
}
