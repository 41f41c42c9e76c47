package io.billingbatch.topup;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import io.billingbatch.ledger.CreditPosting;
import io.billingbatch.ledger.Money;
import io.billingbatch.webhook.BillingAccountEvent;
import io.billingbatch.webhook.WebhookOutbox;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Pays the reserved top-ups, each without holding a lock or a transaction across the network: counts
 * the attempt, asks the payment provider to charge under the reservation's idempotency key, and only
 * then, in one short transaction, locks the account and posts the credit on the balance as it is now
 * ({@link CreditPosting}) or, when the charge was declined, releases the reservation, counts the failure and
 * raises its events. An answer that did not come (a timeout, a lost connection, a server error) leaves
 * open whether the provider charged: the reservation stays pending, and the next run (of whatever day)
 * asks again under the same key, so a charge taken without an answer is credited, never taken twice. It pays every pending reservation, also those a run left when it stopped between
 * its reserve and its post: the provider is asked again with the same key and charges it once.
 * The step runs this tasklet without a transaction of its own; the provider's answer is recorded under
 * the run that reserved the top-up and, when another run resolves it, under that run too.
 */
class AutoTopUpPaymentTasklet implements Tasklet {

    private static final Logger logger = LoggerFactory.getLogger(AutoTopUpPaymentTasklet.class);

    private final TopUpReservations reservations;

    private final TopUpResults results;

    private final CreditPosting credits;

    private final PaymentPort payments;

    private final WebhookOutbox outbox;

    private final JdbcTemplate jdbc;

    private final TransactionTemplate transaction;

    private final Clock clock;

    private final long jobInstanceId;

    private final boolean dryRun;

    AutoTopUpPaymentTasklet(TopUpReservations reservations, TopUpResults results, CreditPosting credits, PaymentPort payments,
            WebhookOutbox outbox, JdbcTemplate jdbc, TransactionTemplate transaction, Clock clock, long jobInstanceId,
            boolean dryRun) {
        this.dryRun = dryRun;
        this.reservations = reservations;
        this.results = results;
        this.credits = credits;
        this.payments = payments;
        this.outbox = outbox;
        this.jdbc = jdbc;
        this.transaction = transaction;
        this.clock = clock;
        this.jobInstanceId = jobInstanceId;
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) {
        if (dryRun) {
            return RepeatStatus.FINISHED; // a dry run changes nothing, not even a pending top-up of an earlier run
        }
        for (TopUpReservations.Reservation reservation : reservations.pending()) {
            if (!reservations.countAttempt(reservation.key())) {
                continue; // paid meanwhile by another run
            }
            PaymentPort.Answer answer = payments.charge(reservation.accountId(), reservation.amount(), reservation.key());
            Boolean done = transaction.execute(status -> switch (answer.outcome()) {
                case CHARGED -> post(reservation);
                case DECLINED -> failed(reservation, answer.reason());
                case UNKNOWN -> unanswered(reservation, answer.reason());
            });
            if (Boolean.TRUE.equals(done)) {
                contribution.incrementWriteCount(1);
            }
        }
        return RepeatStatus.FINISHED;
    }

    private boolean post(TopUpReservations.Reservation reservation) {
        if (reservations.lockPending(reservation.key()).isEmpty()) {
            return false; // posted meanwhile by another run
        }
        UUID accountId = reservation.accountId();
        CreditPosting.Outcome outcome = credits.post(new CreditPosting.Request(accountId, "top_up", "auto_top_up",
                reservation.amount(), reservation.key(), clock.instant(), false)); // charged: credited whatever the account's state
        if (outcome instanceof CreditPosting.Outcome.Posted posted) {
            long before = posted.before().balance();
            long after = posted.credit().balanceAfter();
            reservations.markPosted(reservation.key(), posted.credit().ledgerId(), before, after);
            jdbc.update("UPDATE auto_topup_policies SET consecutive_failures = 0 WHERE account_id = ? AND consecutive_failures <> 0",
                    accountId);
            result(reservation, "topped_up", before, reservation.amount(), after, reservation.rule());
            return true;
        }
        if (outcome instanceof CreditPosting.Outcome.AlreadyPosted already) {
            reservations.markPosted(reservation.key(), jdbc.queryForObject(
                    "SELECT id FROM billing_billings WHERE idempotency_key = ?", UUID.class, reservation.key()),
                    reservation.balanceBefore(), already.account().balance());
            return false;
        }
        logger.error("auto top-up {}: account {} does not exist; its charge of {} USD stays pending for a refund",
                reservation.key(), accountId, Money.toUsd(reservation.amount()));
        result(reservation, "failed", null, reservation.amount(), null, "failed: the account does not exist; charge "
                + reservation.key() + " is pending a refund");
        return false;
    }

    /** Keeps the reservation pending: the provider may have charged, so only the same key may be asked again. */
    private boolean unanswered(TopUpReservations.Reservation reservation, String reason) {
        if (reservations.lockPending(reservation.key()).isEmpty()) {
            return false;
        }
        logger.warn("auto top-up {}: account {}: {}; it stays pending and the next run asks again with the same key",
                reservation.key(), reservation.accountId(), reason);
        result(reservation, "pending", reservation.balanceBefore(), reservation.amount(), null, "pending: " + reason
                + "; the provider is asked again with key " + reservation.key() + " by the next run");
        return false;
    }

    /** Releases the reservation, counts a failed attempt, raises its event, and disables the policy at its limit. */
    private boolean failed(TopUpReservations.Reservation reservation, String failure) {
        if (reservations.lockPending(reservation.key()).isEmpty()) {
            return false;
        }
        reservations.release(reservation.key());
        UUID accountId = reservation.accountId();
        Map<String, Object> account = jdbc.queryForMap("SELECT customer_id, name, balance_credit FROM billing_accounts WHERE id = ?",
                accountId);
        UUID customerId = (UUID) account.get("customer_id");
        String name = (String) account.get("name");
        long balance = ((Number) account.get("balance_credit")).longValue();
        Instant now = clock.instant();
        Map<String, Object> counted = jdbc.queryForMap("""
                UPDATE auto_topup_policies
                SET consecutive_failures = consecutive_failures + 1,
                    enabled = consecutive_failures + 1 < max_consecutive_failures, tm_update = now()
                WHERE account_id = ?
                RETURNING consecutive_failures, max_consecutive_failures, enabled""", accountId);
        int failures = ((Number) counted.get("consecutive_failures")).intValue();
        boolean disabled = !((Boolean) counted.get("enabled"));
        outbox.enqueue(new BillingAccountEvent(eventId("failed", reservation.key(), failures), BillingAccountEvent.AUTO_TOPUP_FAILED,
                now, accountId, customerId, name, balance, balance));
        String reason = "failed: " + failure + " (" + failures + " consecutive)";
        if (disabled) {
            outbox.enqueue(new BillingAccountEvent(eventId("disabled", reservation.key(), failures),
                    BillingAccountEvent.AUTO_TOPUP_DISABLED, now, accountId, customerId, name, balance, balance));
            reason += "; policy disabled after " + counted.get("max_consecutive_failures") + " consecutive failures";
        }
        result(reservation, "failed", balance, reservation.amount(), balance, reason);
        return false;
    }

    private static UUID eventId(String what, UUID key, int attempt) {
        return UUID.nameUUIDFromBytes((what + "|" + key + "|" + attempt).getBytes(StandardCharsets.UTF_8));
    }

    /** Under the run that reserved the top-up and, when this run resolves another's, under this one too. */
    private void result(TopUpReservations.Reservation reservation, String outcome, Long before, Long amount, Long after,
            String rule) {
        if (reservation.jobInstanceId() != null) {
            results.record(reservation.jobInstanceId(), reservation.accountId(), outcome, before, amount, after, rule);
        }
        if (reservation.jobInstanceId() == null || reservation.jobInstanceId() != jobInstanceId) {
            results.record(jobInstanceId, reservation.accountId(), outcome, before, amount, after, rule + " (reserved on "
                    + reservation.businessDate() + " by an earlier run)");
        }
    }
}
