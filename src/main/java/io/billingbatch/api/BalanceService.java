package io.billingbatch.api;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.UUID;

import io.billingbatch.access.ApiAudit;
import io.billingbatch.access.ApiPrincipal;
import io.billingbatch.access.Role;
import io.billingbatch.ledger.BillingAccount;
import io.billingbatch.ledger.CreditPosting;
import io.billingbatch.ledger.JdbcBillingAccounts;
import io.billingbatch.ledger.Money;
import io.billingbatch.topup.LowBalanceAlerts;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The document's "add balance" (admin only): in one transaction, the ledger's one credit posting
 * ({@link CreditPosting}: lock the account, post a {@code top_up} credit, move the balance, queue
 * {@code billing_account.updated}) and the audit of who did it. An {@code Idempotency-Key} makes a retried request a no-op that returns the
 * account as it is.
 */
@Service
public class BalanceService {

    private final JdbcBillingAccounts accounts;

    private final CreditPosting credits;

    private final ApiAudit audit;

    private final Clock clock;

    private final long ceiling;

    private final LowBalanceAlerts alerts;

    public BalanceService(JdbcBillingAccounts accounts, CreditPosting credits, ApiAudit audit, Clock clock,
            @Value("${billing.api.max-balance-amount:10000.00}") BigDecimal ceiling, LowBalanceAlerts alerts) {
        this.alerts = alerts;
        this.accounts = accounts;
        this.credits = credits;
        this.audit = audit;
        this.clock = clock;
        this.ceiling = Money.fromUsd(ceiling);
    }

    /** Checks an amount in USD and returns it in micro-USD. */
    long amount(BigDecimal usd) {
        if (usd == null) {
            throw ApiException.badRequest("amount is required: {\"amount\": 100.00}");
        }
        String written = Money.describe(usd);
        if (usd.signum() <= 0) {
            throw ApiException.badRequest("amount must be positive, was " + written);
        }
        if (usd.compareTo(Money.toUsdDecimal(ceiling)) >= 0) {
            throw ApiException.badRequest("amount " + written + " is not under the ceiling of one balance change, "
                    + Money.toUsd(ceiling) + " USD");
        }
        if (usd.scale() > 6 && usd.stripTrailingZeros().scale() > 6) {
            throw ApiException.badRequest("amount must have at most six decimals (micro-USD), was " + written);
        }
        return Money.fromUsd(usd);
    }

    @Transactional
    public BillingAccount addBalance(ApiPrincipal principal, UUID accountId, BigDecimal usd, String idempotencyKey) {
        principal.require("adding balance", Role.ADMIN);
        long amount = amount(usd);
        UUID key = idempotencyKey == null || idempotencyKey.isBlank() ? UUID.randomUUID()
                : UUID.nameUUIDFromBytes(("api-balance|" + accountId + "|" + idempotencyKey.trim()).getBytes(StandardCharsets.UTF_8));
        CreditPosting.Outcome outcome = credits.post(new CreditPosting.Request(accountId, "top_up", "top_up", amount, key,
                clock.instant(), true));
        if (outcome instanceof CreditPosting.Outcome.AlreadyPosted already) {
            if (already.amount() != amount) {
                throw new ApiException(HttpStatus.CONFLICT, "idempotency_key_reused", "Idempotency-Key '" + idempotencyKey.trim()
                        + "' was already used for a change of " + Money.toUsd(already.amount()) + " USD to this account: use a new"
                        + " key for a new change");
            }
            return already.account(); // the same request was already applied: answer with the account as it is
        }
        if (outcome instanceof CreditPosting.Outcome.NotActive inactive) {
            throw new ApiException(HttpStatus.CONFLICT, "account_not_active", "billing account " + accountId + " is "
                    + inactive.state() + ": its balance cannot change");
        }
        if (!(outcome instanceof CreditPosting.Outcome.Posted posted)) {
            throw ApiException.notFound("billing account " + accountId + " does not exist");
        }
        alerts.resumeIfRecovered(accountId); // a paused account's traffic resumes with the credit that lifts it
        BillingAccount before = posted.before();
        audit.record(principal, "balance.add", accountId.toString(), "amount " + Money.toUsd(amount) + " USD, balance "
                + Money.toUsd(before.balance()) + " -> " + Money.toUsd(posted.credit().balanceAfter()) + ", ledger "
                + posted.credit().ledgerId());
        return accounts.find(accountId).orElseThrow();
    }
}
