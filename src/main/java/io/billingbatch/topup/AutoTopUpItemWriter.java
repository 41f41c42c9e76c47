package io.billingbatch.topup;

import java.nio.charset.StandardCharsets;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.LocalDate;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import io.billingbatch.ledger.BillingAccount;
import io.billingbatch.ledger.JdbcBillingAccounts;
import io.billingbatch.ledger.LedgerPostings;
import io.billingbatch.ledger.Money;
import io.billingbatch.webhook.BillingAccountEvent;
import io.billingbatch.webhook.WebhookOutbox;

import org.springframework.batch.core.listener.SkipListener;
import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.infrastructure.item.ItemWriter;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Tops up each candidate inside the chunk's transaction: locks the account row, checks its status,
 * balance and caps again, then posts the credit, its audit row and its event together. The
 * idempotency key (account + business date + sequence of the day) makes a repeated write a no-op.
 * In a dry run it only records what it would do. A policy row rejected before it gets here is recorded
 * with its reason too, so the run's results hold every candidate account.
 */
class AutoTopUpItemWriter implements ItemWriter<TopUpCandidate>, SkipListener<PolicyRow, TopUpCandidate> {

    private static final String HANDLED_BY_THIS_RUN = """
            SELECT EXISTS (SELECT 1 FROM auto_topup_results WHERE job_instance_id = ? AND account_id = ?)
            """;

    private static final String RECORD_RESULT = """
            INSERT INTO auto_topup_results (job_instance_id, account_id, outcome, balance_before, amount_credit,
                balance_after, rule)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (job_instance_id, account_id) DO UPDATE SET outcome = EXCLUDED.outcome,
                balance_before = EXCLUDED.balance_before, amount_credit = EXCLUDED.amount_credit,
                balance_after = EXCLUDED.balance_after, rule = EXCLUDED.rule
            WHERE auto_topup_results.outcome <> 'topped_up'
            """;

    private final JdbcTemplate jdbc;

    private final JdbcBillingAccounts accounts;

    private final LedgerPostings postings;

    private final WebhookOutbox outbox;

    private final Clock clock;

    private final PaymentPort payments;

    private final LocalDate businessDate;

    private final boolean dryRun;

    private final long jobInstanceId;

    private final long jobExecutionId;

    AutoTopUpItemWriter(JdbcTemplate jdbc, JdbcBillingAccounts accounts, LedgerPostings postings, WebhookOutbox outbox, Clock clock, PaymentPort payments, LocalDate businessDate,
            boolean dryRun, long jobInstanceId, long jobExecutionId) {
        this.payments = payments;
        this.jdbc = jdbc;
        this.accounts = accounts;
        this.postings = postings;
        this.outbox = outbox;
        this.clock = clock;
        this.businessDate = businessDate;
        this.dryRun = dryRun;
        this.jobInstanceId = jobInstanceId;
        this.jobExecutionId = jobExecutionId;
    }

    @Override
    public void write(Chunk<? extends TopUpCandidate> chunk) {
        for (TopUpCandidate candidate : chunk) {
            topUp(candidate.policy(), candidate.funding());
        }
    }

    private void topUp(TopUpPolicy policy, String funding) {
        UUID accountId = policy.accountId();
        if (handledByThisRun(accountId)) {
            return; // by a chunk an earlier execution of this run committed before it failed: a restart does not repeat it
        }
        Optional<BillingAccount> found = dryRun ? accounts.find(accountId) : accounts.lock(accountId);
        if (found.isEmpty()) {
            skip(accountId, null, "skipped: the account does not exist");
            return;
        }
        BillingAccount account = found.get();
        long balance = account.balance();
        String status = account.status();
        if (account.deleted() != null || !"active".equals(status)) {
            skip(accountId, balance, "skipped: the account is " + (account.deleted() != null ? "deleted" : status));
            return;
        }
        if (balance >= policy.threshold()) {
            skip(accountId, balance, "skipped: balance " + Money.toUsd(balance) + " is not below the threshold "
                    + Money.toUsd(policy.threshold()));
            return;
        }
        int today = jdbc.queryForObject("SELECT count(*) FROM auto_topups WHERE account_id = ? AND business_date = ?",
                Integer.class, accountId, Date.valueOf(businessDate));
        if (today >= policy.maxPerDay()) {
            skip(accountId, balance, "skipped: " + today + " top-up(s) on " + businessDate + " already, max_per_day "
                    + policy.maxPerDay());
            return;
        }
        LocalDate month = businessDate.withDayOfMonth(1);
        long thisMonth = jdbc.queryForObject("""
                SELECT coalesce(sum(amount_credit), 0) FROM auto_topups
                WHERE account_id = ? AND business_date >= ? AND business_date < ?""", Long.class, accountId,
                Date.valueOf(month), Date.valueOf(month.plusMonths(1)));
        long wanted = policy.wanted(balance);
        long amount = Math.min(wanted, policy.monthlyCap() - thisMonth);
        if (amount <= 0) {
            skip(accountId, balance, "skipped: monthly cap " + Money.toUsd(policy.monthlyCap()) + " reached ("
                    + Money.toUsd(thisMonth) + " this month)");
            return;
        }
        String rule = ("fixed".equals(policy.mode()) ? "fixed " + Money.toUsd(policy.amount())
                : "target " + Money.toUsd(policy.target())) + (amount < wanted ? ", capped by the monthly cap" : "");
        long after = balance + amount;
        if (dryRun) {
            result(accountId, "planned", balance, amount, after, rule);
            return;
        }
        int sequence = today + 1;
        UUID key = UUID.nameUUIDFromBytes(("auto-topup|" + accountId + "|" + businessDate + "|" + sequence)
                .getBytes(StandardCharsets.UTF_8));
        UUID ledgerId = UUID.randomUUID();
        Timestamp now = Timestamp.from(clock.instant());
        UUID customerId = account.customerId();
        String name = account.name();
        if ("http".equals(funding)) {
            String failure = payments.charge(accountId, amount, key);
            if (failure != null) {
                failed(accountId, customerId, name, balance, amount, key, now, failure);
                return;
            }
        }
        if (!postings.post(new LedgerPostings.Credit(ledgerId, account, "top_up", "auto_top_up", key, amount, key,
                now.toInstant()))) {
            skip(accountId, balance, "skipped: top-up " + key + " was already made");
            return;
        }
        jdbc.update("""
                INSERT INTO auto_topups (idempotency_key, account_id, business_date, sequence, ledger_id, job_execution_id,
                    amount_credit, balance_before, balance_after, rule)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", key, accountId, Date.valueOf(businessDate), sequence, ledgerId,
                jobExecutionId, amount, balance, after, rule);
        outbox.enqueue(new BillingAccountEvent(key, BillingAccountEvent.UPDATED, now.toInstant(), accountId, customerId,
                name, after, balance));
        jdbc.update("UPDATE auto_topup_policies SET consecutive_failures = 0 WHERE account_id = ? AND consecutive_failures <> 0",
                accountId);
        result(accountId, "topped_up", balance, amount, after, rule);
    }

    /** Counts a failed attempt, raises its event, and disables the policy at its limit (with an event too). */
    private void failed(UUID accountId, UUID customerId, String name, long balance, long amount, UUID key, Timestamp now,
            String failure) {
        Map<String, Object> counted = jdbc.queryForMap("""
                UPDATE auto_topup_policies
                SET consecutive_failures = consecutive_failures + 1,
                    enabled = consecutive_failures + 1 < max_consecutive_failures, tm_update = now()
                WHERE account_id = ?
                RETURNING consecutive_failures, max_consecutive_failures, enabled""", accountId);
        int failures = ((Number) counted.get("consecutive_failures")).intValue();
        boolean disabled = !((Boolean) counted.get("enabled"));
        outbox.enqueue(new BillingAccountEvent(eventId("failed", key, failures), BillingAccountEvent.AUTO_TOPUP_FAILED,
                now.toInstant(), accountId, customerId, name, balance, balance));
        String reason = "failed: " + failure + " (" + failures + " consecutive)";
        if (disabled) {
            outbox.enqueue(new BillingAccountEvent(eventId("disabled", key, failures), BillingAccountEvent.AUTO_TOPUP_DISABLED,
                    now.toInstant(), accountId, customerId, name, balance, balance));
            reason += "; policy disabled after " + counted.get("max_consecutive_failures") + " consecutive failures";
        }
        result(accountId, "failed", balance, amount, balance, reason);
    }

    private static UUID eventId(String what, UUID key, int attempt) {
        return UUID.nameUUIDFromBytes((what + "|" + key + "|" + attempt).getBytes(StandardCharsets.UTF_8));
    }

    /** A row that is not a valid policy gets its line in the run's results (and so in the report) with the reason. */
    @Override
    public void onSkipInProcess(PolicyRow row, Throwable reason) {
        result(row.accountId(), "rejected", row.balance(), null, row.balance(), "rejected: invalid policy: " + reason.getMessage());
    }

    private boolean handledByThisRun(UUID accountId) {
        return Boolean.TRUE.equals(jdbc.queryForObject(HANDLED_BY_THIS_RUN, Boolean.class, jobInstanceId, accountId));
    }

    private void skip(UUID accountId, Long balance, String reason) {
        result(accountId, "skipped", balance, null, balance, reason);
    }

    private void result(UUID accountId, String outcome, Long before, Long amount, Long after, String rule) {
        jdbc.update(RECORD_RESULT, jobInstanceId, accountId, outcome, before, amount, after, rule);
    }

}
