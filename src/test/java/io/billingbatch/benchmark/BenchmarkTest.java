package io.billingbatch.benchmark;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.YearMonth;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import io.billingbatch.batch.PeriodJobParameters;
import io.billingbatch.launch.CommandLine;
import io.billingbatch.launch.PeriodJobLauncher;
import io.billingbatch.launch.PeriodJobLauncher.LaunchOutcome;
import io.billingbatch.ledger.LedgerFixture;
import io.billingbatch.ledger.ReportPeriod;
import io.billingbatch.report.ReportStore;
import io.billingbatch.testing.BillingTest;
import io.billingbatch.testing.Tables;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.util.FileSystemUtils;

import static org.assertj.core.api.Assertions.assertThat;

/** The benchmark's reconciliation month on a small ledger: timed only when it is a cold month. */
@BillingTest
class BenchmarkTest {

    static final YearMonth MONTH = YearMonth.of(2025, 3);

    @Autowired
    Benchmark benchmark;

    @Autowired
    Job reconciliationJob;

    @Autowired
    PeriodJobLauncher launcher;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    ReportStore reportStore;

    @BeforeEach
    void smallLedger() {
        Tables.reset(jdbc);
        for (String folder : List.of("2025-03", "2025-03-10")) {
            FileSystemUtils.deleteRecursively(reportStore.directory(folder).toFile());
        }
        LedgerFixture ledger = new LedgerFixture(jdbc);
        UUID account = ledger.account("Account");
        ledger.topUp(account, 10_000_000, Instant.parse("2025-03-01T08:00:00Z"));
        ledger.call(account, 10, Instant.parse("2025-03-10T10:00:00Z"));
        ledger.call(account, 20, Instant.parse("2025-03-20T10:00:00Z"));
    }

    @Test
    void aColdMonthIsTimedAgainstItsFloor() throws Exception {
        Outcome outcome = run();

        assertThat(outcome.printed()).contains("reconciliation 2025-03 ratio job / floor",
                "reconciliation 2025-03 from its days / cold").doesNotContain("not measured");
        assertThat(outcome.exitCode()).isEqualTo(CommandLine.OK);
    }

    @Test
    void aMonthWhoseDayRunsArePublishedIsNotTimedAsAColdMonth() throws Exception {
        var day = ((LaunchOutcome.Ran) launcher.launch(reconciliationJob,
                new PeriodJobParameters(ReportPeriod.parse("2025-03-10", "UTC"), 1), false)).execution();
        assertThat(day.getStatus()).isEqualTo(BatchStatus.COMPLETED);

        Outcome outcome = run();

        assertThat(outcome.printed()).contains("reconciliation 2025-03 not measured: 1 sealed day run(s) of it are published")
                .doesNotContain("ratio job / floor").doesNotContain("from its days / cold");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM published_runs WHERE period = '2025-03'", Long.class))
                .as("the month was not run").isZero();
        assertThat(outcome.exitCode()).isEqualTo(CommandLine.FAILED);
    }

    /** What a benchmark run printed and its exit code. */
    record Outcome(int exitCode, String printed) {
    }

    private Outcome run() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int exitCode;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            exitCode = benchmark.run(new Benchmark.Settings(1_000, 1, MONTH, 7, true, Set.of("reconciliation"), 0, null,
                    "64MB", true), out);
        }
        return new Outcome(exitCode, bytes.toString(StandardCharsets.UTF_8));
    }
}
