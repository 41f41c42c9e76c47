package io.billingbatch.topup;

import java.nio.charset.StandardCharsets;
import java.sql.Date;
import java.time.Clock;
import java.time.LocalDate;
import java.util.Optional;
import java.util.UUID;

import io.billingbatch.ledger.BillingAccount;
import io.billingbatch.ledger.CreditPosting;
import io.billingbatch.ledger.JdbcBillingAccounts;
import io.billingbatch.ledger.Money;

import org.springframework.batch.core.listener.SkipListener;
import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.infrastructure.item.ItemWriter;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Tops up each candidate inside the chunk's transaction: locks the account row, checks its status,
 * balance, a top-up still waiting for its payment and the caps again. A {@code grant} top-up is
 * posted right there by the ledger's one credit posting ({@link CreditPosting}: ledger row, balance,
 * event) with its audit row; an {@code http} one is only reserved (a {@code pending} audit row under
 * its idempotency key) and paid by the payment step once this chunk has committed, with no lock held
 * ({@link AutoTopUpPaymentTasklet}). The idempotency key (account + business date + sequence of the
 * day) makes a repeated write a no-op. In a dry run it only records what it would do. A policy row
 * rejected before it gets here is recorded with its reason too, so the run's results hold every
 * candidate account.
 */
class AutoTopUpItemWriter implements ItemWriter<TopUpCandidate>, SkipListener<PolicyRow, TopUpCandidate> {

    private final JdbcTemplate jdbc;

    private final JdbcBillingAccounts accounts;

    private final CreditPosting credits;

    private final TopUpReservations reservations;

    private final TopUpResults results;

    private final Clock clock;

    private final LocalDate businessDate;

    private final boolean dryRun;

    private final long jobInstanceId;

    private final long jobExecutionId;

    AutoTopUpItemWriter(JdbcTemplate jdbc, JdbcBillingAccounts accounts, CreditPosting credits, TopUpReservations reservations,
            TopUpResults results, Clock clock, LocalDate businessDate, boolean dryRun, long jobInstanceId, long jobExecutionId) {
        this.jdbc = jdbc;
        this.accounts = accounts;
        this.credits = credits;
        this.reservations = reservations;
        this.results = results;
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
        Optional<TopUpReservations.Reservation> pending = reservations.pendingOf(accountId);
        if (pending.isPresent()) {
            skip(accountId, balance, "skipped: top-up " + pending.get().key() + " of " + pending.get().businessDate()
                    + " is waiting for its payment");
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
        if ("http".equals(funding)) {
            // paid by the provider in the payment step, after this chunk has committed and with no lock held
            reservations.reserve(new TopUpReservations.Reservation(key, accountId, businessDate, sequence, amount, balance,
                    rule, jobInstanceId, jobExecutionId));
            result(accountId, "pending", balance, amount, null, rule + "; waiting for its payment");
            return;
        }
        CreditPosting.Outcome outcome = credits.post(new CreditPosting.Request(accountId, "top_up", "auto_top_up", amount, key,
                clock.instant(), true));
        if (!(outcome instanceof CreditPosting.Outcome.Posted posted)) {
            skip(accountId, balance, "skipped: top-up " + key + " was already made");
            return;
        }
        reservations.recordPosted(new TopUpReservations.Reservation(key, accountId, businessDate, sequence, amount, balance,
                rule, jobInstanceId, jobExecutionId), posted.credit().ledgerId(), after);
        jdbc.update("UPDATE auto_topup_policies SET consecutive_failures = 0 WHERE account_id = ? AND consecutive_failures <> 0",
                accountId);
        result(accountId, "topped_up", balance, amount, after, rule);
    }

    /** A row that is not a valid policy gets its line in the run's results (and so in the report) with the reason. */
    @Override
    public void onSkipInProcess(PolicyRow row, Throwable reason) {
        result(row.accountId(), "rejected", row.balance(), null, row.balance(), "rejected: invalid policy: " + reason.getMessage());
    }

    private boolean handledByThisRun(UUID accountId) {
        return results.has(jobInstanceId, accountId);
    }

    private void skip(UUID accountId, Long balance, String reason) {
        result(accountId, "skipped", balance, null, balance, reason);
    }

    private void result(UUID accountId, String outcome, Long before, Long amount, Long after, String rule) {
        results.record(jobInstanceId, accountId, outcome, before, amount, after, rule);
    }
}
