package io.billingbatch.partition;

import io.billingbatch.testing.BillingTest;
import io.billingbatch.testing.Tables;
import java.io.File;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.billingbatch.BillingBatchApplication;
import io.billingbatch.batch.PeriodJobParameters;
import io.billingbatch.launch.PeriodJobLauncher;
import io.billingbatch.launch.PeriodJobLauncher.LaunchOutcome;
import io.billingbatch.ledger.InsertBarrier;
import io.billingbatch.ledger.ReportPeriod;
import io.billingbatch.topup.JdbcTopUpPolicies;
import io.billingbatch.topup.TopUpPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.core.QueueInformation;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A worker process killed with SIGKILL in the middle of an auto-topup partition, after its first
 * chunk committed: the broker delivers its unacknowledged request to another worker, which goes on
 * with the same partition, and no account is topped up twice.
 */
@BillingTest
class WorkerKillTest {

    static final ReportPeriod DAY = ReportPeriod.parse("2025-12-01", "UTC");

    static final int ACCOUNTS = 240;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    JdbcTopUpPolicies policies;

    @Autowired
    DataSource dataSource;

    @Autowired
    AmqpAdmin amqpAdmin;

    final String queue = "billing-batch.partitions.test-" + UUID.randomUUID();

    final List<ConfigurableApplicationContext> applications = new ArrayList<>();

    final Path workerLog = Path.of("target", "worker-killed-" + queue.substring(queue.length() - 8) + ".log");

    Process killed;

    @BeforeEach
    void accountsBelowTheirThreshold() {
        Tables.reset(jdbc);
        jdbc.execute("TRUNCATE auto_topup_policies, auto_topups, auto_topup_results, low_balance_alerts, webhook_outbox");
        for (int i = 0; i < ACCOUNTS; i++) {
            UUID id = UUID.nameUUIDFromBytes(("killed worker " + i).getBytes());
            jdbc.update("""
                    INSERT INTO billing_accounts (id, customer_id, name, detail, status, balance_credit, tm_create)
                    VALUES (?, ?, ?, 'test account', 'active', 10000000, '2020-01-01T00:00:00Z')""", id, id, "Account " + i);
            policies.save(TopUpPolicy.fixed(id, 30_000_000, 50_000_000, 1, 1_000_000_000));
        }
    }

    @AfterEach
    void stop() {
        if (killed != null) {
            killed.destroyForcibly();
        }
        applications.forEach(ConfigurableApplicationContext::close);
        amqpAdmin.deleteQueue(queue);
    }

    @Test
    void aKilledWorkersPartitionIsRedeliveredToAnotherWorkerAndNoAccountIsToppedUpTwice() throws Exception {
        // given: a worker process, and the 110th account (in the second chunk of the first range) held at its ledger posting
        killed = workerProcess();
        awaitLine(workerLog, "Worker consuming partition requests from queue " + queue + " ", Duration.ofMinutes(2));
        assertThat(consumers()).as("the worker process consumes").isEqualTo(1);
        ConfigurableApplicationContext manager = SharedDatabaseContexts.start(dataSource, "billing.partitions.mode=amqp",
                "billing.partitions.grid-size=2", "billing.partitions.queue=" + queue, "billing.partitions.poll-interval=100ms",
                "billing.partitions.timeout=5m");
        applications.add(manager);
        UUID held = jdbc.queryForObject("SELECT id FROM billing_accounts ORDER BY id OFFSET 109 LIMIT 1", UUID.class);
        CompletableFuture<JobExecution> launched;
        try (InsertBarrier posting = InsertBarrier.atRow(jdbc, dataSource, "billing_billings", "NEW.account_id = '" + held + "'")) {
            launched = CompletableFuture.supplyAsync(() -> {
                try {
                    return ((LaunchOutcome.Ran) manager.getBean(PeriodJobLauncher.class).launch(
                            manager.getBean("autoTopUpJob", Job.class), new PeriodJobParameters(DAY, 1), false)).execution();
                }
                catch (Exception ex) {
                    throw new IllegalStateException(ex);
                }
            });
            // when: the worker has committed the first chunk of partition0 and is held in its second: kill -9
            posting.awaitArrival();
            assertThat(jdbc.queryForObject("""
                    SELECT count(*) FROM batch_step_execution
                    WHERE step_name = 'autoTopUpPartitionStep:partition0' AND status = 'STARTED' AND write_count = 100""",
                    Long.class)).as("partition0 committed its first chunk").isEqualTo(1);
            killed.destroyForcibly().waitFor();
        }
        // then: another worker gets the request again and finishes the partition
        ConfigurableApplicationContext second = SharedDatabaseContexts.start(dataSource, "billing.partitions.mode=amqp",
                "billing.partitions.worker=true", "billing.partitions.queue=" + queue);
        applications.add(second);
        second.getBean(PartitionWorker.class).start();
        JobExecution done = launched.get(5, TimeUnit.MINUTES);

        assertThat(done.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(jdbc.queryForList("""
                SELECT status FROM batch_step_execution WHERE step_name LIKE 'autoTopUpPartitionStep:%' ORDER BY step_name""",
                String.class)).as("one step execution per partition, the killed one carried on").containsExactly("COMPLETED", "COMPLETED");
        assertThat(jdbc.queryForObject("""
                SELECT count(*) FROM billing_billings WHERE reference_type = 'auto_top_up'""", Long.class)).isEqualTo(ACCOUNTS);
        assertThat(jdbc.queryForObject("""
                SELECT count(DISTINCT account_id) FROM billing_billings WHERE reference_type = 'auto_top_up'""", Long.class))
                .isEqualTo(ACCOUNTS);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM billing_accounts WHERE balance_credit = 60000000", Long.class))
                .as("every account 10 + 50 USD, once").isEqualTo(ACCOUNTS);
    }

    /**
     * {@code java <this JVM's -XX: options> -cp <this test's class path> BillingBatchApplication worker}: a process
     * of its own, started as the test JVM is (C1 only, serial GC: pom.xml, tests.argLine), so it consumes sooner. Its
     * output and its log ({@code tests.log}, logback-test.xml) go to {@link #workerLog}.
     */
    Process workerProcess() throws Exception {
        HikariDataSource hikari = dataSource.unwrap(HikariDataSource.class);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream().filter(option -> option.startsWith("-XX:"))
                .forEach(command::add);
        command.addAll(List.of("-Dtests.log=" + workerLog, "-cp", System.getProperty("java.class.path"),
                BillingBatchApplication.class.getName(), "worker",
                "--spring.datasource.url=" + hikari.getJdbcUrl(), "--spring.datasource.username=postgres",
                "--billing.partitions.queue=" + queue, "--billing.embedded.data-dir="));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(Redirect.appendTo(workerLog.toFile()))
                .directory(new File(".")).start();
    }

    int consumers() {
        QueueInformation info = amqpAdmin.getQueueInfo(queue);
        return info == null ? 0 : info.getConsumerCount();
    }

    /**
     * Waits until {@code file} holds a line with {@code text}: woken by its folder's changes (a WatchService), not
     * polled, as what a process in another JVM logs has no latch to count down.
     */
    static void awaitLine(Path file, String text, Duration timeout) throws IOException, InterruptedException {
        Path folder = file.toAbsolutePath().getParent();
        try (WatchService changes = folder.getFileSystem().newWatchService()) {
            folder.register(changes, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!contains(file, text)) {
                WatchKey change = changes.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (change == null) {
                    throw new AssertionError("no line with \"" + text + "\" in " + file + " within " + timeout + "; it holds:\n"
                            + (Files.exists(file) ? Files.readString(file, StandardCharsets.ISO_8859_1) : "(no file)"));
                }
                change.pollEvents();
                change.reset();
            }
        }
    }

    private static boolean contains(Path file, String text) throws IOException {
        return Files.exists(file) && new String(Files.readAllBytes(file), StandardCharsets.UTF_8).contains(text);
    }
}
