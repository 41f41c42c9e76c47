package io.billingbatch.topup;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.billingbatch.batch.PeriodJobParameters;
import io.billingbatch.launch.PeriodJobLauncher;
import io.billingbatch.launch.PeriodJobLauncher.LaunchOutcome;
import io.billingbatch.ledger.InsertFailure;
import io.billingbatch.ledger.LedgerFixture;
import io.billingbatch.testing.BillingTest;
import io.billingbatch.testing.Tables;
import io.billingbatch.ledger.ReportPeriod;
import io.billingbatch.webhook.BillingAccountEvent;
import io.billingbatch.webhook.WebhookSubscriptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/** Top-ups paid through an HTTP payment endpoint (a real server on the loopback interface). */
@BillingTest
class HttpFundedTopUpTest {

    /** The payment provider of every test context, on loopback (payment timeout 1 s). */
    @Autowired
    PaymentEndpoint payments;

    @Autowired
    Job autoTopUpJob;

    @Autowired
    PeriodJobLauncher launcher;

    @Autowired
    JdbcTopUpPolicies policies;

    @Autowired
    WebhookSubscriptions subscriptions;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    PlatformTransactionManager transactionManager;

    LedgerFixture ledger;

    UUID account;

    @BeforeEach
    void givenAnAccountBelowItsThresholdPaidByHttp() {
        Tables.reset(jdbc);
        payments.reset();
        ledger = new LedgerFixture(jdbc);
        account = ledger.account("Card holder");
        ledger.topUp(account, 30_000_000, Instant.now().minusSeconds(60));
        policies.save(TopUpPolicy.fixed(account, 50_000_000, 100_000_000, 1, 1_000_000_000));
        policies.useFunding(account, "http", 2);
        subscriptions.create(null, "ops", "http://127.0.0.1:9/unused", "POST", List.of(BillingAccountEvent.AUTO_TOPUP_FAILED,
                BillingAccountEvent.AUTO_TOPUP_DISABLED, BillingAccountEvent.UPDATED));
    }

    @Test
    void creditsOnlyAfterTheChargeSucceededAndSendsTheIdempotencyKey() throws Exception {
        payments.declinesToGo.set(0);

        run("2025-12-01", false);

        assertThat(balance()).isEqualTo(130_000_000);
        String key = jdbc.queryForObject("SELECT idempotency_key::text FROM auto_topups", String.class);
        assertThat(payments.charges).singleElement().satisfies(charge -> {
            assertThat(charge[0]).isEqualTo(key);
            assertThat(charge[1]).contains("\"amount\":100.000000").contains("\"idempotency_key\":\"" + key + "\"");
        });
        assertThat(events()).containsExactly(BillingAccountEvent.UPDATED);
    }

    @Test
    void aDeclinedChargeIsAFailedAttemptAndThePolicyDisablesItselfAtItsLimit() throws Exception {
        payments.declinesToGo.set(1_000);

        run("2025-12-01", false);
        assertThat(balance()).isEqualTo(30_000_000);
        assertThat(jdbc.queryForObject("SELECT rule FROM auto_topup_results", String.class))
                .startsWith("failed: payment declined: HTTP 402").contains("(1 consecutive)");
        run("2025-12-01", true);
        run("2025-12-02", false); // disabled: not even tried

        assertThat(balance()).isEqualTo(30_000_000);
        assertThat(payments.charges).hasSize(2);
        assertThat(payments.charges.get(0)[0]).as("a retry of the same top-up uses the same key").isEqualTo(payments.charges.get(1)[0]);
        assertThat(jdbc.queryForObject("SELECT enabled FROM auto_topup_policies", Boolean.class)).isFalse();
        assertThat(events()).containsExactly(BillingAccountEvent.AUTO_TOPUP_FAILED, BillingAccountEvent.AUTO_TOPUP_FAILED,
                BillingAccountEvent.AUTO_TOPUP_DISABLED);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM billing_billings WHERE reference_type = 'auto_top_up'", Long.class))
                .isZero();
    }

    @Test
    void aChargeWhoseAnswerTimesOutStaysPendingAndTheNextDayAsksAgainWithTheSameKey() throws Exception {
        payments.slowToGo.set(1);

        run("2025-12-01", false); // the charge is answered only after its client has timed out
        payments.releaseSlow(); // the provider takes the charge now; its answer is lost
        String key = assertPendingAfterAnUnknownAnswer("pending: payment failed: HttpTimeoutException");

        run("2025-12-02", false); // another day: the same key again, not a second top-up under a new one

        assertThat(payments.charges).extracting(charge -> charge[0]).containsExactly(key, key);
        assertThat(payments.chargedKeys).as("charged once").containsExactly(key);
        assertPostedOnce(key, 130_000_000);
    }

    @Test
    void aChargeAnsweredWithAServerErrorStaysPendingAndIsChargedOnceByTheNextRun() throws Exception {
        payments.serverErrorsToGo.set(1);

        run("2025-12-01", false);
        String key = assertPendingAfterAnUnknownAnswer("pending: payment answered HTTP 503 {\"error\":\"try later\"}");

        run("2025-12-02", false);

        assertThat(payments.chargedKeys).as("charged once").containsExactly(key);
        assertPostedOnce(key, 130_000_000);
    }

    /** Nothing credited, nothing released or counted as a failure, no event: the reservation waits under its key. */
    String assertPendingAfterAnUnknownAnswer(String reason) {
        assertThat(balance()).isEqualTo(30_000_000);
        String key = jdbc.queryForObject("SELECT idempotency_key::text FROM auto_topups WHERE status = 'pending'", String.class);
        assertThat(jdbc.queryForObject("SELECT outcome || ' | ' || rule FROM auto_topup_results", String.class))
                .startsWith("pending | " + reason).endsWith("the provider is asked again with key " + key + " by the next run");
        assertThat(jdbc.queryForObject("SELECT consecutive_failures FROM auto_topup_policies", Integer.class)).isZero();
        assertThat(events()).isEmpty();
        return key;
    }

    @Test
    void aRunStoppedAfterItsReserveIsPaidAndPostedOnceByTheSameLaunchAgain() throws Exception {
        // the payment step stops before it asks the provider: the reservation alone is committed
        jdbc.execute("""
                CREATE FUNCTION stop_before_payment() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION 'simulated crash before the payment'; END $$""");
        jdbc.execute("CREATE TRIGGER stop_before_payment BEFORE UPDATE OF attempts ON auto_topups FOR EACH ROW "
                + "EXECUTE FUNCTION stop_before_payment()");
        LaunchOutcome stopped;
        try {
            stopped = launch("2025-12-01", false);
        }
        finally {
            jdbc.execute("DROP TRIGGER stop_before_payment ON auto_topups");
            jdbc.execute("DROP FUNCTION stop_before_payment()");
        }
        assertThat(((LaunchOutcome.Ran) stopped).execution().getStatus()).isEqualTo(BatchStatus.FAILED);
        assertThat(payments.charges).isEmpty();
        assertThat(balance()).isEqualTo(30_000_000);
        String key = jdbc.queryForObject("SELECT idempotency_key::text FROM auto_topups WHERE status = 'pending'", String.class);

        run("2025-12-01", false); // the same launch restarts the run

        assertThat(payments.charges).extracting(charge -> charge[0]).containsExactly(key);
        assertPostedOnce(key, 130_000_000);
        assertThat(jdbc.queryForObject("SELECT outcome || ' ' || rule FROM auto_topup_results", String.class))
                .isEqualTo("topped_up fixed 100.000000");
    }

    @Test
    void aRunStoppedAfterTheChargeBeforeThePostIsResolvedByTheNextRunWithTheSameKey() throws Exception {
        long ledgerRows = jdbc.queryForObject("SELECT count(*) FROM billing_billings", Long.class);
        LaunchOutcome stopped;
        try (InsertFailure crash = InsertFailure.afterRows(jdbc, "billing_billings", (int) ledgerRows)) {
            stopped = launch("2025-12-01", false); // charged, then the post fails
        }
        assertThat(((LaunchOutcome.Ran) stopped).execution().getStatus()).isEqualTo(BatchStatus.FAILED);
        String key = jdbc.queryForObject("SELECT idempotency_key::text FROM auto_topups WHERE status = 'pending'", String.class);
        assertThat(payments.chargedKeys).containsExactly(key);
        assertThat(balance()).isEqualTo(30_000_000);

        run("2025-12-02", false); // the next day's run: asks again with the same key, posts once, adds no second top-up

        assertThat(payments.charges).extracting(charge -> charge[0]).containsExactly(key, key);
        assertThat(payments.chargedKeys).as("charged once").containsExactly(key);
        assertPostedOnce(key, 130_000_000);
        assertThat(jdbc.queryForList("SELECT outcome || ' ' || rule FROM auto_topup_results ORDER BY job_instance_id",
                String.class)).containsExactly("topped_up fixed 100.000000",
                        "topped_up fixed 100.000000 (reserved on 2025-12-01 by an earlier run)");
        run("2025-12-02", true);
        assertThat(payments.charges).hasSize(2);
        assertPostedOnce(key, 130_000_000);
    }

    @Test
    void noLockIsHeldWhileTheProviderIsAskedAndABalanceChangeMeanwhileIsKept() throws Exception {
        PaymentEndpoint.HeldCharge hold = new PaymentEndpoint.HeldCharge(new CountDownLatch(1), new CountDownLatch(1));
        payments.held = hold;
        CompletableFuture<LaunchOutcome> running = CompletableFuture.supplyAsync(() -> {
            try {
                return launch("2025-12-01", false);
            }
            catch (Exception ex) {
                throw new IllegalStateException(ex);
            }
        });
        try {
            assertThat(hold.arrived().await(60, TimeUnit.SECONDS)).as("the provider is asked").isTrue();
            // while the provider is being asked: the account row is free, and the customer spends $12.00
            new TransactionTemplate(transactionManager).executeWithoutResult(status -> {
                jdbc.queryForObject("SELECT id FROM billing_accounts WHERE id = ? FOR UPDATE NOWAIT", UUID.class, account);
                ledger.syncBalance(account);
                ledger.call(account, 600, Instant.now());
            });
        }
        finally {
            hold.release().countDown();
        }
        LaunchOutcome outcome = running.get(60, TimeUnit.SECONDS);

        assertThat(((LaunchOutcome.Ran) outcome).execution().getStatus()).isEqualTo(BatchStatus.COMPLETED);
        String key = jdbc.queryForObject("SELECT idempotency_key::text FROM auto_topups", String.class);
        assertPostedOnce(key, 30_000_000 - 12_000_000 + 100_000_000);
        assertThat(jdbc.queryForObject("SELECT balance_before || ' ' || balance_after FROM auto_topups", String.class))
                .isEqualTo("18000000 118000000");
    }

    /** One credit under the key, its snapshot the balance after it, the audit row posted, the balance as expected. */
    void assertPostedOnce(String key, long balance) {
        assertThat(jdbc.queryForList("""
                SELECT amount_credit || ' ' || balance_credit_snapshot FROM billing_billings
                WHERE reference_type = 'auto_top_up'""", String.class)).containsExactly("100000000 " + balance);
        assertThat(jdbc.queryForObject("SELECT status FROM auto_topups WHERE idempotency_key = ?::uuid", String.class, key))
                .isEqualTo("posted");
        assertThat(balance()).isEqualTo(balance);
        assertThat(jdbc.queryForList("SELECT event_type FROM webhook_outbox WHERE event_id = ?::uuid", String.class, key))
                .containsExactly(BillingAccountEvent.UPDATED);
    }

    LaunchOutcome launch(String day, boolean rerun) throws Exception {
        return launcher.launch(autoTopUpJob, new PeriodJobParameters(ReportPeriod.parse(day, "UTC"), 1), rerun);
    }

    void run(String day, boolean rerun) throws Exception {
        LaunchOutcome outcome = launcher.launch(autoTopUpJob, new PeriodJobParameters(ReportPeriod.parse(day, "UTC"), 1), rerun);
        assertThat(((LaunchOutcome.Ran) outcome).execution().getStatus()).isEqualTo(BatchStatus.COMPLETED);
    }

    long balance() {
        return jdbc.queryForObject("SELECT balance_credit FROM billing_accounts WHERE id = ?", Long.class, account);
    }

    List<String> events() {
        return jdbc.queryForList("SELECT event_type FROM webhook_outbox ORDER BY id", String.class);
    }
}
