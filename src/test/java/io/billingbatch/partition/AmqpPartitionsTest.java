package io.billingbatch.partition;

import io.billingbatch.testing.BillingTest;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import io.billingbatch.batch.PeriodJobParameters;
import io.billingbatch.demo.DemoLedgerGenerator;
import io.billingbatch.demo.DemoLedgerSpec;
import io.billingbatch.launch.PeriodJobLauncher;
import io.billingbatch.launch.PeriodJobLauncher.LaunchOutcome;
import io.billingbatch.ledger.LedgerFixture;
import io.billingbatch.report.ReportStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.util.FileSystemUtils;

import static io.billingbatch.partition.LocalPartitionsTest.OCTOBER;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * amqp mode against the real RabbitMQ at 127.0.0.1:5672: a manager and workers that are separate
 * applications sharing nothing but the database and the broker (a queue of the test's own).
 */
@BillingTest
class AmqpPartitionsTest {

    @Autowired
    Job reconciliationJob;

    @Autowired
    PeriodJobLauncher launcher;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    ReportStore reportStore;

    @Autowired
    DemoLedgerGenerator demoLedger;

    @Autowired
    DataSource dataSource;

    @Autowired
    AmqpAdmin amqpAdmin;

    @Autowired
    org.springframework.context.ApplicationContext applicationContext;

    final String queue = "billing-batch.partitions.test-" + UUID.randomUUID();

    final List<ConfigurableApplicationContext> applications = new ArrayList<>();

    LocalPartitionsTest local;

    @BeforeEach
    void ledgerWithFindings() {
        local = new LocalPartitionsTest();
        local.jdbc = jdbc;
        local.reportStore = reportStore;
        local.demoLedger = demoLedger;
        local.ledgerWithFindings();
    }

    @AfterEach
    void stopApplications() {
        applications.forEach(ConfigurableApplicationContext::close);
        amqpAdmin.deleteQueue(queue);
    }

    ConfigurableApplicationContext worker(String... more) throws Exception {
        ConfigurableApplicationContext worker = SharedDatabaseContexts.worker(dataSource, queue, more);
        applications.add(worker);
        return worker;
    }

    ConfigurableApplicationContext manager(String... more) throws Exception {
        ConfigurableApplicationContext manager = SharedDatabaseContexts.manager(dataSource, queue, more);
        applications.add(manager);
        return manager;
    }

    @Test
    void twoWorkersGiveTheResultsOfTheUnpartitionedRun() throws Exception {
        JobExecution single = LocalPartitionsTest.run(launcher, reconciliationJob, false);
        List<String> singleAccounts = local.accounts(single.getJobInstanceId());
        List<String> singleFindings = local.findings(single.getJobInstanceId());
        Map<String, byte[]> singleFiles = local.files();
        worker();
        worker();
        ConfigurableApplicationContext manager = manager();

        JobExecution amqp = LocalPartitionsTest.run(manager.getBean(PeriodJobLauncher.class),
                manager.getBean("reconciliationJob", Job.class), true);

        assertThat(amqp.getStepExecutions()).extracting(StepExecution::getStepName)
                .contains("reconciliationAccountPartitionStep:partition3", "reconciliationLedgerPartitionStep:partition3");
        assertThat(local.accounts(amqp.getJobInstanceId())).isEqualTo(singleAccounts);
        assertThat(local.findings(amqp.getJobInstanceId())).isEqualTo(singleFindings);
        LocalPartitionsTest.assertSameFiles(local.files(), singleFiles);
    }

    @Test
    void withoutWorkersTheWaitEndsNamingThePartitionsAndTheSameLaunchRunsOnlyThoseOnAWorker() throws Exception {
        ConfigurableApplicationContext manager = manager("billing.partitions.timeout=1s", "billing.partitions.grid-size=2");
        PeriodJobLauncher managerLauncher = manager.getBean(PeriodJobLauncher.class);
        Job job = manager.getBean("reconciliationJob", Job.class);

        JobExecution waited = ((LaunchOutcome.Ran) managerLauncher.launch(job, new PeriodJobParameters(OCTOBER, 1), false))
                .execution();

        assertThat(waited.getStatus()).isEqualTo(BatchStatus.FAILED);
        assertThat(waited.getAllFailureExceptions()).singleElement().extracting(Throwable::getMessage).asString()
                .contains("2 partition(s) did not finish within billing.partitions.timeout=1s")
                .contains("reconciliationAccountPartitionStep:partition0 (STARTING)")
                .contains("reconciliationAccountPartitionStep:partition1 (STARTING)")
                .contains("run the same launch again to run only those");

        worker();
        JobExecution restarted = ((LaunchOutcome.Ran) managerLauncher.launch(job,
                PeriodJobParameters.from(waited.getJobParameters()), false)).execution();

        assertThat(restarted.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(restarted.getJobInstanceId()).isEqualTo(waited.getJobInstanceId());
        // the requests of the execution that gave up were dropped by the worker (their partitions FAILED when the
        // manager gave up): each partition ran once, in the restart
        assertThat(jdbc.queryForList("""
                SELECT s.status FROM batch_step_execution s JOIN batch_job_execution j ON j.job_execution_id = s.job_execution_id
                WHERE j.job_instance_id = ? AND s.step_name LIKE 'reconciliationAccountPartitionStep:%'
                ORDER BY s.step_execution_id""", String.class, restarted.getJobInstanceId()))
                .containsExactly("FAILED", "FAILED", "COMPLETED", "COMPLETED");
    }

    @Test
    void aWorkerOfAnotherCodeVersionRefusesTheRequestWhichWaitsInTheQueueForAWorkerThatRunsIt() throws Exception {
        ConfigurableApplicationContext old = worker("billing.partitions.code-version=schema V1");
        ConfigurableApplicationContext manager = manager("billing.partitions.grid-size=1");
        java.util.concurrent.CompletableFuture<JobExecution> launched = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return ((LaunchOutcome.Ran) manager.getBean(PeriodJobLauncher.class).launch(
                        manager.getBean("reconciliationJob", Job.class), new PeriodJobParameters(OCTOBER, 1), false)).execution();
            }
            catch (Exception ex) {
                throw new IllegalStateException(ex);
            }
        });

        String refusal = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return old.getBean(PartitionWorker.class).awaitEnd();
            }
            catch (InterruptedException ex) {
                throw new IllegalStateException(ex);
            }
        }).get(3, java.util.concurrent.TimeUnit.MINUTES);

        assertThat(refusal).startsWith("Refusing partition request reconciliationAccountPartitionStep ")
                .contains("it was made by code of " + PartitionProtocol.shippedSchema() + ", this worker runs code of schema V1")
                .endsWith("the request goes back to the queue for another worker and this worker stops");
        worker();
        JobExecution done = launched.get(3, java.util.concurrent.TimeUnit.MINUTES);
        assertThat(done.getStatus()).isEqualTo(BatchStatus.COMPLETED);
    }

    @Test
    void aRequestMadeForAnotherDatabaseIsRefused() {
        PartitionProtocol protocol = new PartitionProtocol(org.springframework.jdbc.core.simple.JdbcClient.create(dataSource), null);
        java.util.List<String> refusals = new ArrayList<>();
        PartitionRequestGate gate = new PartitionRequestGate(protocol,
                applicationContext.getBean(org.springframework.batch.core.repository.JobRepository.class), refusals::add);
        UUID elsewhere = UUID.randomUUID();
        org.springframework.messaging.Message<String> request = org.springframework.messaging.support.MessageBuilder
                .withPayload("reconciliationAccountPartitionStep 42")
                .setHeader(PartitionProtocol.INSTALLATION, elsewhere.toString())
                .setHeader(PartitionProtocol.CODE_VERSION, protocol.codeVersion()).build();

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> gate.check(request))
                .isInstanceOf(PartitionRequestGate.PartitionRequestRefusedException.class)
                .hasMessageContaining("it was made for database " + elsewhere + ", this worker's database is "
                        + protocol.installation());
        assertThat(refusals).hasSize(1);
    }

    @Test
    void aBrokerThatDoesNotAnswerFailsTheLaunchWithOneLineAndCreatesNoPartition() throws Exception {
        ConfigurableApplicationContext manager = manager("spring.rabbitmq.port=18219");

        JobExecution failed = ((LaunchOutcome.Ran) manager.getBean(PeriodJobLauncher.class).launch(
                manager.getBean("reconciliationJob", Job.class), new PeriodJobParameters(OCTOBER, 1), false)).execution();

        assertThat(failed.getStatus()).isEqualTo(BatchStatus.FAILED);
        assertThat(failed.getAllFailureExceptions()).singleElement().extracting(Throwable::getMessage).asString()
                .startsWith("billing.partitions.mode=amqp: RabbitMQ at localhost:18219 does not answer")
                .endsWith("no partition was created and no request was sent").doesNotContain("\n");
        assertThat(failed.getStepExecutions()).extracting(StepExecution::getStepName)
                .containsExactly("reconciliationAccountStep");
    }
}
