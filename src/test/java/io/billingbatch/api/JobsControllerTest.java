package io.billingbatch.api;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import javax.sql.DataSource;

import io.billingbatch.BillingBatchApplication;
import io.billingbatch.access.Role;
import io.billingbatch.launch.CommandLine;
import io.billingbatch.ledger.InsertBarrier;
import io.billingbatch.ledger.LedgerFixture;
import io.billingbatch.ledger.LockBarrier;
import io.billingbatch.testing.TestLog;
import io.billingbatch.batch.StoppedRuns;
import io.billingbatch.ledger.ReportPeriod;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Jobs over HTTP against the running server: each test works on periods of its own, so the
 * shared job repository never makes one test depend on another.
 */
class JobsControllerTest extends ServerTestSupport {

    @Autowired
    DataSource dataSource;

    @Test
    void aLaunchAnswers202AtOnceAndTheExecutionCompletesWithItsCounts() throws Exception {
        givenACallOn("2025-01-07");
        String admin = token(Role.ADMIN);

        Reply launched = post("/v1.0/jobs/cost-report/executions", """
                {"period": "2025-01-07", "zone": "UTC"}""", admin);

        assertThat(launched.status()).as(launched.toString()).isEqualTo(202);
        long id = launched.json().get("id").asLong();
        assertThat(launched.json().get("job").asString()).isEqualTo("cost-report");
        assertThat(launched.json().get("parameters").get("period").asString()).isEqualTo("2025-01-07");
        assertThat(launched.json().get("parameters").get("zone").asString()).isEqualTo("UTC");
        assertThat(launched.header("Location")).isEqualTo("/v1.0/jobs/executions/" + id);

        JsonNode done = awaitStatus(id, "COMPLETED", admin);
        assertThat(done.get("exit_code").asString()).isEqualTo("COMPLETED");
        assertThat(done.get("start_time").asString()).isNotBlank();
        assertThat(done.get("end_time").asString()).isNotBlank();
        assertThat(done.has("progress")).isFalse();
        JsonNode aggregation = step(done, "costAggregationStep");
        assertThat(aggregation.get("status").asString()).isEqualTo("COMPLETED");
        assertThat(aggregation.get("read_count").asLong()).isPositive();
        assertThat(aggregation.get("write_count").asLong()).isEqualTo(aggregation.get("read_count").asLong());
        assertThat(aggregation.get("skip_count").asLong()).isZero();
        assertThat(aggregation.get("commit_count").asLong()).isPositive();
        assertThat(done.get("steps")).hasSize(3);

        assertThat(jdbc.queryForObject("SELECT count(*) FROM api_audit WHERE action = 'job.launch' AND target = ?"
                + " AND token_name = 'admin test token' AND role = 'admin' AND detail = 'cost-report 2025-01-07 (UTC)'",
                Integer.class, "execution " + id)).isEqualTo(1);
        JsonNode listed = get("/v1.0/jobs/executions?job=cost-report&status=COMPLETED", admin).json();
        assertThat(listed.valueStream().map(execution -> execution.get("id").asLong())).contains(id);
        assertThat(listed.valueStream().map(execution -> execution.get("job").asString())).containsOnly("cost-report");
        assertThat(listed.valueStream().map(execution -> execution.get("id").asLong()).toList())
                .isSortedAccordingTo(java.util.Comparator.reverseOrder());
        assertThat(get("/v1.0/jobs/executions?limit=1", admin).json()).hasSize(1);
        Reply blankFilters = get("/v1.0/jobs/executions?job=&status=", admin);
        assertThat(blankFilters.status()).as("empty filters are no filters").isEqualTo(200);
        assertThat(blankFilters.json().valueStream().map(execution -> execution.get("id").asLong())).contains(id);
    }

    @Test
    void aPeriodThatHasNotEndedOrHasNotBegunIsA409WithTheReasonAndNothingRuns() throws Exception {
        String finance = token(Role.FINANCE);
        clock.pin(Instant.parse("2036-03-10T20:00:00Z"));
        try {
            Reply current = post("/v1.0/jobs/cost-report/executions", """
                    {"period": "2036-03"}""", finance);
            Reply future = post("/v1.0/jobs/cost-report/executions", """
                    {"period": "2036-08"}""", finance);
            Reply futureProvisional = post("/v1.0/jobs/cost-report/executions", """
                    {"period": "2036-08", "provisional": true}""", finance);
            Reply reconciliation = post("/v1.0/jobs/reconciliation/executions", """
                    {"period": "2036-03-10"}""", finance);
            Reply pack = post("/v1.0/jobs/finance-pack/executions", """
                    {"period": "2036-03"}""", finance);

            assertThat(current.status()).as(current.toString()).isEqualTo(409);
            assertThat(current.json().get("message").asString()).isEqualTo("cost-report 2036-03 (UTC) has not ended (it ends"
                    + " 2036-04-01T00:00:00Z): a period is reported once it has ended; nothing was run; a provisional run"
                    + " reports it so far");
            assertThat(future.status()).as(future.toString()).isEqualTo(409);
            assertThat(future.json().get("message").asString()).startsWith("cost-report 2036-08 (UTC) is in the future");
            assertThat(futureProvisional.status()).as(futureProvisional.toString()).isEqualTo(409);
            assertThat(futureProvisional.json().get("message").asString()).startsWith("cost-report 2036-08 (UTC) is in the future");
            assertThat(reconciliation.status()).as(reconciliation.toString()).isEqualTo(409);
            assertThat(reconciliation.json().get("message").asString()).contains("has not ended");
            assertThat(pack.status()).as(pack.toString()).isEqualTo(409);
            assertThat(pack.json().get("message").asString()).startsWith("finance-pack 2036-03 (UTC) has not ended");
            assertThat(jdbc.queryForObject("""
                    SELECT count(*) FROM batch_job_execution_params
                    WHERE parameter_name = 'period' AND parameter_value IN ('2036-03', '2036-08', '2036-03-10')""",
                    Long.class)).as("no job instance of a refused period").isZero();
        }
        finally {
            clock.unpin();
        }
    }

    @Test
    void aProvisionalRunOfTheRunningMonthIsAcceptedRunsAgainAndIsNotThePeriodsResult() throws Exception {
        String finance = token(Role.FINANCE);
        clock.pin(Instant.parse("2035-06-20T08:00:00Z"));
        try {
            Reply first = post("/v1.0/jobs/cost-report/executions", """
                    {"period": "2035-06", "provisional": true}""", finance);
            assertThat(first.status()).as(first.toString()).isEqualTo(202);
            assertThat(first.json().get("parameters").get("provisional-as-of").asString()).isEqualTo("2035-06-20T08:00:00Z");
            awaitStatus(first.json().get("id").asLong(), "COMPLETED", finance);
            clock.pin(Instant.parse("2035-06-20T09:00:00Z"));

            Reply second = post("/v1.0/jobs/cost-report/executions", """
                    {"period": "2035-06", "provisional": true}""", finance);

            assertThat(second.status()).as(second.toString()).isEqualTo(202);
            awaitStatus(second.json().get("id").asLong(), "COMPLETED", finance);
            assertThat(jdbc.queryForObject("SELECT count(*) FROM published_runs WHERE period = '2035-06'", Long.class)).isZero();
            assertThat(post("/v1.0/jobs/finance-pack/executions", """
                    {"period": "2035-06", "provisional": true}""", finance).status()).as("only report jobs").isEqualTo(400);
        }
        finally {
            clock.unpin();
        }
    }

    @Test
    void financeLaunchesVerifySealsForAPeriodThatHasEndedAndItHasNoProvisionalRun() throws Exception {
        String finance = token(Role.FINANCE);

        Reply launched = post("/v1.0/jobs/verify-seals/executions", """
                {"period": "2025-01-10"}""", finance);

        assertThat(launched.status()).as(launched.toString()).isEqualTo(202);
        assertThat(launched.json().get("job").asString()).isEqualTo("verify-seals");
        awaitStatus(launched.json().get("id").asLong(), "COMPLETED", finance);
        Reply provisional = post("/v1.0/jobs/verify-seals/executions", """
                {"period": "2025-01-10", "provisional": true}""", finance);
        assertThat(provisional.status()).as(provisional.toString()).isEqualTo(400);
        assertThat(provisional.json().get("message").asString()).contains("unknown option --provisional for verify-seals");
    }

    @Test
    void aCompletedPeriodIsA409NamingItsExecutionUnlessRerun() throws Exception {
        givenACallOn("2025-01-08");
        String finance = token(Role.FINANCE);
        long first = post("/v1.0/jobs/reconciliation/executions", """
                {"period": "2025-01-08"}""", finance).json().get("id").asLong();
        awaitStatus(first, "COMPLETED", finance);

        Reply again = post("/v1.0/jobs/reconciliation/executions", """
                {"period": "2025-01-08"}""", finance);

        assertThat(again.status()).as(again.toString()).isEqualTo(409);
        assertThat(again.json().get("execution_id").asLong()).isEqualTo(first);
        assertThat(again.json().get("message").asString()).contains("already complete");

        Reply rerun = post("/v1.0/jobs/reconciliation/executions", """
                {"period": "2025-01-08", "rerun": true}""", finance);
        assertThat(rerun.status()).as(rerun.toString()).isEqualTo(202);
        assertThat(rerun.json().get("parameters").get("revision").asLong()).isEqualTo(2);
        awaitStatus(rerun.json().get("id").asLong(), "COMPLETED", finance);
    }

    @Test
    void aRunningPeriodIsA409AndCanBeStoppedAndRestarted() throws Exception {
        givenACallOn("2025-01-09");
        String admin = token(Role.ADMIN);
        long running;
        try (Connection blocker = dataSource.getConnection()) {
            // The job's writer waits on this lock, so the run stays STARTED until the test lets it go.
            blocker.setAutoCommit(false);
            blocker.createStatement().execute("LOCK TABLE cost_report_lines IN ACCESS EXCLUSIVE MODE");
            Reply launched = post("/v1.0/jobs/cost-report/executions", """
                    {"period": "2025-01-09"}""", admin);
            assertThat(launched.status()).as(launched.toString()).isEqualTo(202);
            running = launched.json().get("id").asLong();

            Reply duplicate = post("/v1.0/jobs/cost-report/executions", """
                    {"period": "2025-01-09", "zone": "UTC"}""", admin);
            assertThat(duplicate.status()).as(duplicate.toString()).isEqualTo(409);
            assertThat(duplicate.json().get("execution_id").asLong()).isEqualTo(running);
            assertThat(duplicate.json().get("message").asString()).contains("already running");

            JsonNode progress = awaitStep(running, "costAggregationStep", admin);
            assertThat(progress.get("status").asString()).isEqualTo("STARTED");
            assertThat(progress.get("progress").get("steps_total").asInt()).isEqualTo(3);
            assertThat(progress.get("progress").get("steps_completed").asInt()).isZero();
            assertThat(progress.get("progress").get("current_step").asString()).isEqualTo("costAggregationStep");

            assertThat(post("/v1.0/jobs/executions/" + running + "/restart", "", admin).status()).isEqualTo(409);
            Reply stop = post("/v1.0/jobs/executions/" + running + "/stop", "", admin);
            assertThat(stop.status()).as(stop.toString()).isEqualTo(202);
            blocker.rollback();
        }
        JsonNode stopped = awaitStatus(running, "STOPPED", admin);
        assertThat(stopped.get("exit_code").asString()).isEqualTo("STOPPED");
        assertThat(post("/v1.0/jobs/executions/" + running + "/stop", "", admin).status()).isEqualTo(409);

        Reply restarted = post("/v1.0/jobs/executions/" + running + "/restart", "", admin);

        assertThat(restarted.status()).as(restarted.toString()).isEqualTo(202);
        long restart = restarted.json().get("id").asLong();
        assertThat(restart).isNotEqualTo(running);
        assertThat(restarted.json().get("parameters").get("revision").asLong()).isEqualTo(1);
        awaitStatus(restart, "COMPLETED", admin);
        assertThat(jdbc.queryForObject("SELECT count(DISTINCT job_instance_id) FROM batch_job_execution"
                + " WHERE job_execution_id IN (?, ?)", Integer.class, running, restart)).isEqualTo(1);
        assertThat(jdbc.queryForList("SELECT action FROM api_audit WHERE target = ? ORDER BY id", String.class,
                "execution " + running)).containsExactly("job.launch", "job.stop", "job.restart");
        assertThat(post("/v1.0/jobs/executions/" + restart + "/restart", "", admin).status()).isEqualTo(409);
    }

    @Test
    void aStopWhileTheFirstStepOpensItsReaderEndsStoppedEverywhereAndTheRestartCompletes()
            throws Exception {
        givenACallOn("2025-01-10");
        String admin = token(Role.ADMIN);
        long stoppedBefore = jobCount("reconciliation", "STOPPED");
        long completedBefore = jobCount("reconciliation", "COMPLETED");
        long running;
        // The account step's reader is held in its query (which runs in open()), at the ledger's lock.
        try (LockBarrier ledger = LockBarrier.on(dataSource, "billing_billings")) {
            Reply launched = post("/v1.0/jobs/reconciliation/executions", """
                    {"period": "2025-01-10"}""", admin);
            assertThat(launched.status()).as(launched.toString()).isEqualTo(202);
            running = launched.json().get("id").asLong();
            ledger.awaitArrival();

            Reply stop = post("/v1.0/jobs/executions/" + running + "/stop", "", admin);

            assertThat(stop.status()).as(stop.toString()).isEqualTo(202);
            assertThat(stop.json().get("status").asString()).isEqualTo("STOPPING");
            ledger.release();
        }
        JsonNode stopped = awaitStatus(running, "STOPPED", admin);
        assertThat(stopped.get("exit_code").asString()).isEqualTo("STOPPED");
        assertThat(stopped.get("exit_message").asString()).isEqualTo("stopped on request");
        assertThat(stopped.get("steps")).hasSize(1);
        JsonNode accountStep = step(stopped, "reconciliationAccountStep");
        assertThat(accountStep.get("status").asString()).isEqualTo("STOPPED");
        assertThat(accountStep.get("write_count").asLong()).isZero();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM published_runs WHERE job_name = 'reconciliation'"
                + " AND period = '2025-01-10'", Long.class)).isZero();
        TestLog.awaitLine("reconciliation 2025-01-10 ended STOPPED (execution " + running + ")", Duration.ofSeconds(30));
        assertThat(jobCount("reconciliation", "STOPPED")).as("the job's observation").isEqualTo(stoppedBefore + 1);
        assertThat(jobCount("reconciliation", "COMPLETED")).isEqualTo(completedBefore);
        assertThat(TestLog.text()).doesNotContain("Failed to initialize the reader");

        Reply restarted = post("/v1.0/jobs/executions/" + running + "/restart", "", admin);

        assertThat(restarted.status()).as(restarted.toString()).isEqualTo(202);
        JsonNode done = awaitStatus(restarted.json().get("id").asLong(), "COMPLETED", admin);
        assertThat(step(done, "reconciliationAccountStep").get("write_count").asLong()).isPositive();
        List<String> afterRestart = reconciliationAccounts("2025-01-10");
        Reply rerun = post("/v1.0/jobs/reconciliation/executions", """
                {"period": "2025-01-10", "rerun": true}""", admin);
        awaitStatus(rerun.json().get("id").asLong(), "COMPLETED", admin);
        assertThat(reconciliationAccounts("2025-01-10")).as("as an uninterrupted run").isEqualTo(afterRestart).isNotEmpty();
    }

    @Test
    void aStopBeforeTheFirstStepEndsStoppedEverywhereWithoutReadingAndTheRestartCompletes()
            throws Exception {
        givenACallOn("2025-01-11");
        String admin = token(Role.ADMIN);
        long stoppedBefore = jobCount("cost-report", "STOPPED");
        long running;
        int steps = jdbc.queryForObject("SELECT count(*) FROM batch_step_execution", Integer.class);
        // The job is held as it records its first step: it has started, no step has.
        try (InsertBarrier firstStep = InsertBarrier.afterRows(jdbc, dataSource, "batch_step_execution", steps)) {
            Reply launched = post("/v1.0/jobs/cost-report/executions", """
                    {"period": "2025-01-11"}""", admin);
            assertThat(launched.status()).as(launched.toString()).isEqualTo(202);
            running = launched.json().get("id").asLong();
            firstStep.awaitArrival();

            Reply stop = post("/v1.0/jobs/executions/" + running + "/stop", "", admin);

            assertThat(stop.status()).as(stop.toString()).isEqualTo(202);
            assertThat(get("/v1.0/jobs/executions/" + running, admin).json().get("status").asString()).isEqualTo("STOPPING");
            firstStep.release();
        }
        JsonNode stopped = awaitStatus(running, "STOPPED", admin);
        assertThat(stopped.get("exit_code").asString()).isEqualTo("STOPPED");
        JsonNode aggregation = step(stopped, "costAggregationStep");
        assertThat(aggregation.get("status").asString()).isEqualTo("STOPPED");
        assertThat(aggregation.get("read_count").asLong()).isZero();
        TestLog.awaitLine("cost-report 2025-01-11 ended STOPPED (execution " + running + ")", Duration.ofSeconds(30));
        assertThat(jobCount("cost-report", "STOPPED")).isEqualTo(stoppedBefore + 1);

        Reply restarted = post("/v1.0/jobs/executions/" + running + "/restart", "", admin);

        assertThat(restarted.status()).as(restarted.toString()).isEqualTo(202);
        awaitStatus(restarted.json().get("id").asLong(), "COMPLETED", admin);
        assertThat(jdbc.queryForObject("SELECT sum(cost_credit) FROM cost_summary WHERE period = '2025-01-11'", Long.class))
                .isEqualTo(42 * new LedgerFixture(jdbc).rate("call"));
    }

    @Test
    void badParametersAre400WithTheCommandLinesReason() throws Exception {
        String admin = token(Role.ADMIN);
        long executionsBefore = jdbc.queryForObject("SELECT count(*) FROM batch_job_execution", Long.class);
        assertBadRequestAsCommandLine(admin, "cost-report", """
                {"period": "2026-13"}""", "--period=2026-13");
        assertBadRequestAsCommandLine(admin, "cost-report", """
                {"period": "2026-10", "zone": "Mars/Olympus"}""", "--period=2026-10", "--zone=Mars/Olympus");
        assertBadRequestAsCommandLine(admin, "reconciliation", """
                {"period": "2026-10", "colour": "blue"}""", "--period=2026-10", "--colour=blue");
        assertBadRequestAsCommandLine(admin, "auto-topup", """
                {"date": "2026-11", "dry-run": true}""", "--date=2026-11", "--dry-run=true");
        Reply maybe = post("/v1.0/jobs/auto-topup/executions", """
                {"date": "2026-11-25", "dry-run": "maybe"}""", admin);
        assertThat(maybe.status()).isEqualTo(400);
        assertThat(maybe.json().get("message").asString()).isEqualTo("dry-run must be true or false (a JSON boolean)");
        assertBadRequestAsCommandLine(admin, "cost-report", "{}");

        Reply configuration = post("/v1.0/jobs/cost-report/executions", """
                {"period": "2026-10", "spring.datasource.url": "jdbc:postgresql://elsewhere/db"}""", admin);
        assertThat(configuration.status()).isEqualTo(400);
        assertThat(configuration.json().get("message").asString()).startsWith("unknown option --spring.datasource.url");
        assertThat(post("/v1.0/jobs/cost-report/executions", """
                {"period": ["2026-10"]}""", admin).status()).isEqualTo(400);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM batch_job_execution", Long.class))
                .as("no refused request started anything").isEqualTo(executionsBefore);
    }

    @Test
    void aDryRunOfAutoTopUpIsLaunchedByAdmin() throws Exception {
        String admin = token(Role.ADMIN);
        Reply launched = post("/v1.0/jobs/auto-topup/executions", """
                {"date": "2025-02-03", "dry-run": true}""", admin);
        assertThat(launched.status()).as(launched.toString()).isEqualTo(202);
        assertThat(launched.json().get("parameters").get("period").asString()).isEqualTo("2025-02-03");
        assertThat(launched.json().get("parameters").get("dry-run").asString()).isEqualTo("true");
        awaitStatus(launched.json().get("id").asLong(), "COMPLETED", admin);
    }

    @Test
    void rolesDecideWhoMayLaunchWhat() throws Exception {
        String finance = token(Role.FINANCE);
        String customer = customerToken(UUID.randomUUID());

        Reply topUpByFinance = post("/v1.0/jobs/auto-topup/executions", """
                {"date": "2025-02-04"}""", finance);
        assertThat(topUpByFinance.status()).isEqualTo(403);
        assertThat(topUpByFinance.json().get("message").asString())
                .isEqualTo("permission denied: launching auto-topup needs admin permission; this token is finance");
        Reply byCustomer = post("/v1.0/jobs/cost-report/executions", """
                {"period": "2025-02-04"}""", customer);
        assertThat(byCustomer.status()).isEqualTo(403);
        assertThat(get("/v1.0/jobs/executions", customer).status()).isEqualTo(403);
        assertThat(post("/v1.0/jobs/cost-report/executions", """
                {"period": "2025-02-04"}""").status()).isEqualTo(401);
        assertThat(get("/v1.0/jobs/executions").status()).isEqualTo(401);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM batch_job_execution_params WHERE parameter_value = '2025-02-04'",
                Integer.class)).isZero();

        Reply byFinance = post("/v1.0/jobs/cost-report/executions", """
                {"period": "2025-02-04"}""", finance);
        assertThat(byFinance.status()).as(byFinance.toString()).isEqualTo(202);
        awaitStatus(byFinance.json().get("id").asLong(), "COMPLETED", finance);
    }

    @Test
    void unknownJobsAndExecutionsAre404() throws Exception {
        String admin = token(Role.ADMIN);
        Reply job = post("/v1.0/jobs/payroll/executions", """
                {"period": "2025-02-05"}""", admin);
        assertThat(job.status()).isEqualTo(404);
        assertThat(job.json().get("message").asString()).startsWith("no job named 'payroll'");
        assertThat(get("/v1.0/jobs/executions/987654321", admin).status()).isEqualTo(404);
        assertThat(post("/v1.0/jobs/executions/987654321/stop", "", admin).status()).isEqualTo(404);
        assertThat(post("/v1.0/jobs/executions/987654321/restart", "", admin).status()).isEqualTo(404);
        assertThat(get("/v1.0/jobs/executions?status=SLEEPING", admin).status()).isEqualTo(400);
    }

    private void assertBadRequestAsCommandLine(String token, String job, String body, String... options) {
        Reply reply = post("/v1.0/jobs/" + job + "/executions", body, token);
        assertThat(reply.status()).as(reply.toString()).isEqualTo(400);
        assertThat(reply.json().get("message").asString()).isEqualTo(commandLineReason(job, options));
    }

    /** What {@code billing-batch <job> <options>} prints when it refuses the command line (before any start-up). */
    private static String commandLineReason(String job, String... options) {
        String[] args = new String[options.length + 1];
        args[0] = job;
        System.arraycopy(options, 0, args, 1, options.length);
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        int exit;
        try {
            exit = CommandLine.run(BillingBatchApplication.class, args);
        }
        finally {
            System.setErr(original);
        }
        assertThat(exit).isEqualTo(CommandLine.USAGE);
        return captured.toString(StandardCharsets.UTF_8).trim().replaceFirst("^billing-batch: ", "");
    }

    private void givenACallOn(String day) {
        ReportPeriod period = ReportPeriod.parse(day, "UTC");
        LedgerFixture ledger = new LedgerFixture(jdbc);
        UUID account = ledger.account("Jobs API " + day);
        ledger.topUp(account, 10_000_000, period.start());
        ledger.call(account, 42, period.start().plusSeconds(600));
    }

    /** The execution once its background run has returned (a wait for the launcher's "ended" line), in {@code status}. */
    private JsonNode awaitStatus(long id, String status, String token) throws InterruptedException {
        StoppedRuns.awaitEnd(id);
        JsonNode execution = get("/v1.0/jobs/executions/" + id, token).json();
        assertThat(execution.get("status").asString()).as("execution " + id + ": " + execution).isEqualTo(status);
        return execution;
    }

    /** The running execution once {@code step}, its first, has started (a wait for the step's "started" line). */
    private JsonNode awaitStep(long id, String step, String token) throws InterruptedException {
        TestLog.awaitLine("ProgressListener - " + step + " started", Duration.ofSeconds(30));
        return get("/v1.0/jobs/executions/" + id, token).json();
    }

    /** How many runs of {@code job} Prometheus counted with {@code status}. */
    private long jobCount(String job, String status) {
        return get("/actuator/prometheus").text().lines()
                .filter(line -> line.startsWith("spring_batch_job_seconds_count{")
                        && line.contains("spring_batch_job_name=\"" + job + "\"")
                        && line.contains("spring_batch_job_status=\"" + status + "\""))
                .mapToLong(line -> (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    /** The published reconciliation of a day, account by account. */
    private List<String> reconciliationAccounts(String day) {
        return jdbc.query("""
                SELECT a.* FROM reconciliation_accounts a
                JOIN published_runs r ON r.job_instance_id = a.job_instance_id AND r.job_name = 'reconciliation'
                WHERE r.period = ? ORDER BY a.account_id""", (rs, i) -> {
                    StringBuilder row = new StringBuilder();
                    for (int column = 1; column <= rs.getMetaData().getColumnCount(); column++) {
                        if (!"job_instance_id".equals(rs.getMetaData().getColumnName(column))) {
                            row.append(rs.getString(column)).append('|');
                        }
                    }
                    return row.toString();
                }, day);
    }

    private static JsonNode step(JsonNode execution, String name) {
        return execution.get("steps").valueStream().filter(step -> name.equals(step.get("name").asString())).findFirst()
                .orElseThrow(() -> new AssertionError("no step " + name + " in " + execution));
    }
}
