package io.billingbatch.partition;

import io.billingbatch.testing.BillingTest;
import io.billingbatch.testing.Tables;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.billingbatch.BillingBatchApplication;
import io.billingbatch.batch.PeriodJobParameters;
import io.billingbatch.launch.PeriodJobLauncher;
import io.billingbatch.launch.PeriodJobLauncher.LaunchOutcome;
import io.billingbatch.ledger.LedgerFixture;
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
        // given: a worker process, and the 110th account (in the second chunk of the first range) locked by someone else
        killed = workerProcess();
        awaitTrue("the worker process consumes", () -> consumers() == 1);
        ConfigurableApplicationContext manager = SharedDatabaseContexts.start(dataSource, "billing.partitions.mode=amqp",
                "billing.partitions.grid-size=2", "billing.partitions.queue=" + queue, "billing.partitions.poll-interval=100ms",
                "billing.partitions.timeout=5m");
        applications.add(manager);
        UUID blocking = jdbc.queryForObject("SELECT id FROM billing_accounts ORDER BY id OFFSET 109 LIMIT 1", UUID.class);
        JobExecution done;
        try (Connection lock = dataSource.getConnection()) {
            lock.setAutoCommit(false);
            try (var statement = lock.prepareStatement("SELECT 1 FROM billing_accounts WHERE id = ? FOR UPDATE")) {
                statement.setObject(1, blocking);
                statement.executeQuery();
            }
            CompletableFuture<JobExecution> launched = CompletableFuture.supplyAsync(() -> {
                try {
                    return ((LaunchOutcome.Ran) manager.getBean(PeriodJobLauncher.class).launch(
                            manager.getBean("autoTopUpJob", Job.class), new PeriodJobParameters(DAY, 1), false)).execution();
                }
                catch (Exception ex) {
                    throw new IllegalStateException(ex);
                }
            });
            // when: the worker has committed the first chunk of partition0 and waits for the lock in its second: kill -9
            awaitTrue("partition0 committed its first chunk and waits", () -> jdbc.queryForObject("""
                    SELECT count(*) FROM batch_step_execution
                    WHERE step_name = 'autoTopUpPartitionStep:partition0' AND status = 'STARTED' AND write_count = 100""",
                    Long.class) == 1 && waitingForALock());
            killed.destroyForcibly().waitFor();
            lock.rollback();
            // then: another worker gets the request again and finishes the partition
            ConfigurableApplicationContext second = SharedDatabaseContexts.start(dataSource, "billing.partitions.mode=amqp",
                    "billing.partitions.worker=true", "billing.partitions.queue=" + queue);
            applications.add(second);
            second.getBean(PartitionWorker.class).start();
            done = launched.get(5, java.util.concurrent.TimeUnit.MINUTES);
        }

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
     * of its own, started as the test JVM is (C1 only, serial GC: pom.xml, tests.argLine), so it consumes sooner.
     */
    Process workerProcess() throws Exception {
        HikariDataSource hikari = dataSource.unwrap(HikariDataSource.class);
        Path log = Path.of("target", "worker-killed-" + queue.substring(queue.length() - 8) + ".log");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream().filter(option -> option.startsWith("-XX:"))
                .forEach(command::add);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), BillingBatchApplication.class.getName(), "worker",
                "--spring.datasource.url=" + hikari.getJdbcUrl(), "--spring.datasource.username=postgres",
                "--billing.partitions.queue=" + queue, "--billing.embedded.data-dir="));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).directory(new File("."))
                .start();
    }

    int consumers() {
        QueueInformation info = amqpAdmin.getQueueInfo(queue);
        return info == null ? 0 : info.getConsumerCount();
    }

    boolean waitingForALock() {
        return jdbc.queryForObject("""
                SELECT count(*) FROM pg_stat_activity
                WHERE wait_event_type = 'Lock' AND query ILIKE '%billing_accounts%' AND pid <> pg_backend_pid()""",
                Long.class) > 0;
    }

    /** Polls with a deadline: what a process in another JVM does has no latch to wait on. */
    static void awaitTrue(String what, BooleanSupplier condition) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        while (!condition.getAsBoolean()) {
            assertThat(Instant.now()).as(what).isBefore(deadline);
            Thread.sleep(50);
        }
    }
}
