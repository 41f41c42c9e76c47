package io.billingbatch.launch;

import io.billingbatch.testing.BillingTest;
import io.billingbatch.testing.Tables;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.billingbatch.BillingBatchApplication;
import io.billingbatch.ledger.LedgerFixture;
import io.billingbatch.report.ReportStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.util.FileSystemUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The command line answers a refused launch and a token from the database layer alone
 * ({@link CommandDatabase}), with the same output and exit code as the whole application, and starts
 * the whole application when it must: a launch that runs, a schema that is behind.
 */
@BillingTest
class CommandDatabaseTest {

    @Autowired
    CommandRunner commands;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    ReportStore reportStore;

    String url;

    String user;

    @BeforeEach
    void theTestsDatabase() throws Exception {
        try (java.sql.Connection connection = jdbc.getDataSource().getConnection()) {
            url = connection.getMetaData().getURL();
            user = connection.getMetaData().getUserName();
        }
    }

    /** A clean database whose day 2026-03-04 (one call of {@code account}) the application has reported; no report of 2026-03-05. */
    private void dayReportedByTheApplication(String account) throws java.io.IOException {
        Tables.reset(jdbc);
        LedgerFixture ledger = new LedgerFixture(jdbc);
        ledger.call(ledger.account(account), 60, Instant.parse("2026-03-04T10:00:00Z"));
        FileSystemUtils.deleteRecursively(reportStore.directory("2026-03-04"));
        FileSystemUtils.deleteRecursively(reportStore.directory("2026-03-05"));
        assertThat(commands.execute("cost-report", "--period=2026-03-04")).isZero();
    }

    @Test
    void aCompletedPeriodIsRefusedByTheDatabaseLayerAsTheApplicationRefusesIt() throws Exception {
        // given: a period reported by the application
        dayReportedByTheApplication("Quick");
        Run byApplication = capture(() -> {
            try {
                return commands.execute("cost-report", "--period=2026-03-04");
            }
            catch (UsageException ex) {
                System.err.println("billing-batch: " + ex.getMessage());
                return CommandLine.USAGE;
            }
        });
        long executions = jdbc.queryForObject("SELECT count(*) FROM batch_job_execution", Long.class);

        // when
        Run quick = commandLine("cost-report", "--period=2026-03-04");

        // then: exit 2, the totals, the files and the one-line reason, as the application says them
        assertThat(CommandLine.answeredBy).isEqualTo(CommandLine.DATABASE_LAYER);
        assertThat(quick.exitCode()).isEqualTo(CommandLine.USAGE);
        assertThat(withoutLog(quick.output())).isEqualTo(withoutLog(byApplication.output())).contains("  total ")
                .contains("cost-report-2026-03-04.csv");
        assertThat(withoutLog(quick.errors())).isEqualTo(withoutLog(byApplication.errors())).contains("cost-report 2026-03-04 (UTC) is already reported")
                .endsWith("nothing was run: add --rerun to replace it\n");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM batch_job_execution", Long.class)).isEqualTo(executions);

        // a period the rule refuses is refused there too; a launch that runs starts the whole application
        Run future = commandLine("cost-report", "--period=2099-01");
        assertThat(future.exitCode()).isEqualTo(CommandLine.USAGE);
        assertThat(future.errors()).contains("cost-report 2099-01 (UTC) is in the future");
        assertThat(CommandLine.answeredBy).isEqualTo(CommandLine.DATABASE_LAYER);
        FileSystemUtils.deleteRecursively(reportStore.directory("2026-03-05"));
        Run ran = commandLine("cost-report", "--period=2026-03-05");
        assertThat(ran.exitCode()).as(ran.errors()).isZero();
        assertThat(ran.output()).contains("cost-report 2026-03-05 (UTC): COMPLETED");
        assertThat(CommandLine.answeredBy).isEqualTo(CommandLine.APPLICATION);
    }

    @Test
    void aTokenIsCreatedByTheDatabaseLayerAndOnADatabaseThatIsBehindByTheApplicationAfterFlyway() throws Exception {
        Run created = commandLine("create-token", "--name=quick-token", "--role=finance");
        assertThat(created.exitCode()).as(created.errors()).isZero();
        assertThat(CommandLine.answeredBy).isEqualTo(CommandLine.DATABASE_LAYER);
        assertThat(created.output()).contains("created for quick-token (role finance)");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM api_tokens WHERE name = 'quick-token'", Long.class)).isOne();

        jdbc.execute("DROP DATABASE IF EXISTS behind_command_line");
        jdbc.execute("CREATE DATABASE behind_command_line");
        try {
            Run fresh = commandLineOn(url.replaceFirst("/[^/?]+(\\?|$)", "/behind_command_line$1"), "create-token",
                    "--name=fresh-token", "--role=admin");
            assertThat(fresh.exitCode()).as(fresh.errors()).isZero();
            assertThat(CommandLine.answeredBy).as("migrations pending: Flyway runs first").isEqualTo(CommandLine.APPLICATION);
            assertThat(fresh.output()).contains("created for fresh-token (role admin)");
        }
        finally {
            jdbc.execute("DROP DATABASE IF EXISTS behind_command_line WITH (FORCE)");
        }
    }

    @Test
    void theQuickJvmAnswersWhatTheDatabaseLayerAnswersAndRunsNothingElse() throws Exception {
        // given: a period reported by the application (the quick JVM of java -jar runs CommandLine as below)
        dayReportedByTheApplication("Quick");
        Run inProcess = commandLine("cost-report", "--period=2026-03-04");
        long executions = jdbc.queryForObject("SELECT count(*) FROM batch_job_execution", Long.class);

        // when / then: a refused launch is answered there, as in one JVM
        Run refused = quickJvm(url, "cost-report", "--period=2026-03-04");
        assertThat(refused.exitCode()).isEqualTo(CommandLine.USAGE);
        assertThat(CommandLine.answeredBy).isEqualTo(CommandLine.DATABASE_LAYER);
        assertThat(withoutLog(refused.output())).isEqualTo(withoutLog(inProcess.output())).contains("  total ");
        assertThat(withoutLog(refused.errors())).isEqualTo(withoutLog(inProcess.errors())).contains("is already reported");
        assertThat(quickJvm(url, "create-token", "--name=quick-jvm", "--role=admin").exitCode()).isZero();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM api_tokens WHERE name = 'quick-jvm'", Long.class)).isOne();

        // a launch that must run, and a command with no answer from the database, are not run there: nothing ran
        Run mustRun = quickJvm(url, "cost-report", "--period=2026-03-05");
        assertThat(mustRun.exitCode()).as(mustRun.errors()).isEqualTo(CommandLine.NOT_ANSWERED);
        assertThat(withoutLog(mustRun.output() + mustRun.errors())).isEmpty();
        Run noAnswer = quickJvm(url, "dispatch-webhooks");
        assertThat(noAnswer.exitCode()).isEqualTo(CommandLine.NOT_ANSWERED);
        assertThat(withoutLog(noAnswer.output() + noAnswer.errors())).isEmpty();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM batch_job_execution", Long.class)).isEqualTo(executions);
        assertThat(reportStore.list("2026-03-05")).isEmpty();

        // nor is a database that is behind migrated there: Flyway runs in the JVM that runs the command
        jdbc.execute("DROP DATABASE IF EXISTS behind_quick_jvm");
        jdbc.execute("CREATE DATABASE behind_quick_jvm");
        try {
            String behind = url.replaceFirst("/[^/?]+(\\?|$)", "/behind_quick_jvm$1");
            Run fresh = quickJvm(behind, "create-token", "--name=fresh-token", "--role=admin");
            assertThat(fresh.exitCode()).as(fresh.errors()).isEqualTo(CommandLine.NOT_ANSWERED);
            try (var connection = java.sql.DriverManager.getConnection(behind, user, null);
                    var tables = connection.getMetaData().getTables(null, null, "flyway_schema_history", null)) {
                assertThat(tables.next()).as("no migration ran").isFalse();
            }
        }
        finally {
            jdbc.execute("DROP DATABASE IF EXISTS behind_quick_jvm WITH (FORCE)");
        }
    }

    @Test
    void theMainJobSaysLastMonthIsAlreadyReportedFromTheDatabaseLayerAndFillsAnEmptyLedgerOnlyInTheApplication() throws Exception {
        // given: an empty ledger; the quick JVM does not answer (the demo ledger is the whole application's to make)
        Tables.reset(jdbc);
        Run empty = quickJvm(url);
        assertThat(empty.exitCode()).as(empty.errors()).isEqualTo(CommandLine.NOT_ANSWERED);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM billing_billings", Long.class)).isZero();

        // given: last month reported by the application
        var lastMonth = io.billingbatch.ledger.ReportPeriod.lastCompleteMonth(Instant.now(), java.time.ZoneOffset.UTC);
        LedgerFixture ledger = new LedgerFixture(jdbc);
        ledger.call(ledger.account("Main"), 60, lastMonth.start().plusSeconds(3600));
        FileSystemUtils.deleteRecursively(reportStore.directory(lastMonth.key()));
        assertThat(commands.execute("cost-report", "--period=" + lastMonth.key())).isZero();
        Run byApplication = capture(() -> {
            try {
                return commands.execute();
            }
            catch (UsageException ex) {
                return CommandLine.USAGE;
            }
        });

        // when
        Run quick = commandLine();

        // then: exit 0, the same lines, from the database layer
        assertThat(quick.exitCode()).as(quick.errors()).isZero();
        assertThat(CommandLine.answeredBy).isEqualTo(CommandLine.DATABASE_LAYER);
        assertThat(withoutLog(quick.output())).isEqualTo(withoutLog(byApplication.output()))
                .contains("cost-report " + lastMonth.key() + " (UTC) is already reported").contains("nothing to do.")
                .contains("  total ");
    }

    @Test
    void aDefinitionWithNothingToRunIsAnsweredByTheDatabaseLayerAsTheApplicationAnswersIt(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path folder) throws Exception {
        // given: a definition whose one job's period is reported
        dayReportedByTheApplication("Definition");
        String done = definition(folder, "done", "cost-report.period=2026-03-04");
        Run byApplication = capture(() -> {
            try {
                return commands.execute("run-definition", done);
            }
            catch (UsageException ex) {
                return CommandLine.USAGE;
            }
        });
        long executions = jdbc.queryForObject("SELECT count(*) FROM batch_job_execution", Long.class);

        // when
        Run quick = commandLine("run-definition", done);

        // then: exit 0 and the same lines, from the database layer
        assertThat(quick.exitCode()).as(quick.errors()).isZero();
        assertThat(CommandLine.answeredBy).isEqualTo(CommandLine.DATABASE_LAYER);
        assertThat(withoutLog(quick.output())).isEqualTo(withoutLog(byApplication.output())).startsWith("done (")
                .contains("cost-report 2026-03-04 (UTC) is already reported").contains("nothing to do.");

        // a job to run is not run there; a literal period that has not ended is refused there, naming the file
        Run toRun = quickJvm(url, "run-definition", definition(folder, "torun", "cost-report.period=2026-03-05"));
        assertThat(toRun.exitCode()).as(toRun.errors()).isEqualTo(CommandLine.NOT_ANSWERED);
        assertThat(withoutLog(toRun.output())).isEmpty();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM batch_job_execution", Long.class)).isEqualTo(executions);
        Run future = commandLine("run-definition", definition(folder, "future", "cost-report.period=2099-01"));
        assertThat(future.exitCode()).isEqualTo(CommandLine.USAGE);
        assertThat(CommandLine.answeredBy).isEqualTo(CommandLine.DATABASE_LAYER);
        assertThat(future.errors()).contains("future.properties: cost-report 2099-01 (UTC) is in the future");
    }

    private static String definition(java.nio.file.Path folder, String name, String period) throws java.io.IOException {
        return java.nio.file.Files.writeString(folder.resolve(name + ".properties"), String.join("\n", "name=" + name,
                "cron=0 0 2 * * *", "zone=UTC", "jobs=cost-report", period, "")).toString();
    }

    @Test
    void everyPeriodJobPrintsItsResultFromTheBeansItDeclares(@org.junit.jupiter.api.io.TempDir java.nio.file.Path reports) {
        // a refused launch prints the job's result in the database layer, which holds only the declared beans
        for (PeriodJobCommand job : Commands.periodJobs()) {
            String period = job.daily() ? "2001-01-01" : "2001-01";
            try (var database = CommandDatabase.start(BillingBatchApplication.class, job.databaseBeans(), new String[] {
                    "--spring.datasource.url=" + url, "--spring.datasource.username=" + user,
                    "--billing.reports.root=" + reports })) {
                Run printed = capture(() -> {
                    job.printResult(new io.billingbatch.batch.PeriodJobParameters(
                            io.billingbatch.ledger.ReportPeriod.parse(period, "UTC"), 1),
                            new CommandContext(database, java.time.Clock.systemUTC(), System.out));
                    return 0;
                });
                assertThat(printed.output()).as(job.name()).contains("Reports in ");
            }
        }
    }

    @Test
    void theSchemaIsCurrentOnlyWhenEveryMigrationOnTheClassPathIsApplied() {
        var migrations = CommandDatabase.migrations("classpath:db/migration").orElseThrow();
        assertThat(migrations).contains(List.of(1L), List.of(26L));
        assertThat(CommandDatabase.migrations("filesystem:/tmp/migrations")).isEmpty();
        assertThat(CommandDatabase.version("1.0")).isEqualTo(CommandDatabase.version("1")).isEqualTo(List.of(1L));
        assertThat(CommandDatabase.version("2_1")).isEqualTo(List.of(2L, 1L));
    }

    /** The command's own lines, without the log's (which start with the time). */
    private static String withoutLog(String text) {
        return text.lines().filter(line -> !line.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} .*"))
                .map(line -> line + "\n").reduce("", String::concat);
    }

    private Run commandLine(String... args) {
        return commandLineOn(url, args);
    }

    private Run commandLineOn(String databaseUrl, String... args) {
        List<String> arguments = new ArrayList<>(List.of(args));
        arguments.add("--spring.datasource.url=" + databaseUrl);
        arguments.add("--spring.datasource.username=" + user);
        arguments.add("--billing.reports.root=" + reportStore.directory("2026-03-04").getParent());
        return capture(() -> CommandLine.run(BillingBatchApplication.class, arguments.toArray(String[]::new)));
    }

    /** The command line as the quick JVM runs it ({@link QuickStart}). */
    private Run quickJvm(String databaseUrl, String... args) {
        List<String> arguments = new ArrayList<>(List.of(args));
        arguments.add("--spring.datasource.url=" + databaseUrl);
        arguments.add("--spring.datasource.username=" + user);
        arguments.add("--billing.reports.root=" + reportStore.directory("2026-03-04").getParent());
        return capture(() -> CommandLine.run(BillingBatchApplication.class, arguments.toArray(String[]::new), true));
    }

    private static Run capture(java.util.function.IntSupplier command) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        System.setOut(new PrintStream(output, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(errors, true, StandardCharsets.UTF_8));
        try {
            int exit = command.getAsInt();
            return new Run(exit, output.toString(StandardCharsets.UTF_8), errors.toString(StandardCharsets.UTF_8));
        }
        finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    record Run(int exitCode, String output, String errors) {
    }
}
