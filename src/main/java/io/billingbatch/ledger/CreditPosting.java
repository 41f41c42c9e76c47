package io.billingbatch.ledger;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * The one way money is credited to an account, used by the API's "add balance" and by the auto
 * top-up: in the caller's transaction, lock the account row, check that the credit was not posted
 * already (its idempotency key) and, where asked, that the account is active, append the ledger row
 * with the balance right after it ({@link LedgerPostings}), move the balance, and publish
 * {@link BalanceChanged} (the {@code billing_account.updated} event). The caller decides what an
 * outcome other than {@link Outcome.Posted} means to it.
 */
@Component
public class CreditPosting {

    private final JdbcBillingAccounts accounts;

    private final LedgerPostings postings;

    private final ApplicationEventPublisher events;

    public CreditPosting(JdbcBillingAccounts accounts, LedgerPostings postings, ApplicationEventPublisher events) {
        this.accounts = accounts;
        this.postings = postings;
        this.events = events;
    }

    /**
     * A credit to post: of {@code amount} micro-USD ({@code top_up} / {@code auto_top_up} ...), under
     * {@code idempotencyKey}; {@code activeOnly} refuses an account that is deleted or not active.
     */
    public record Request(UUID accountId, String transactionType, String referenceType, long amount, UUID idempotencyKey,
            Instant posted, boolean activeOnly) {
    }

    /** What became of a request. */
    public sealed interface Outcome {

        /** Posted: {@code before} is the locked account as it was, {@code credit} the ledger row. */
        record Posted(BillingAccount before, LedgerPostings.Credit credit) implements Outcome {
        }

        /** A credit with the same key was posted already (of {@code amount}); nothing changed. */
        record AlreadyPosted(BillingAccount account, long amount) implements Outcome {
        }

        /** The account is deleted or not active ({@code state} says which); nothing changed. */
        record NotActive(BillingAccount account, String state) implements Outcome {
        }

        /** There is no such account. */
        record NoAccount() implements Outcome {
        }
    }

    @Transactional(propagation = Propagation.MANDATORY)
    public Outcome post(Request request) {
        Optional<BillingAccount> locked = accounts.lock(request.accountId());
        if (locked.isEmpty()) {
            return new Outcome.NoAccount();
        }
        BillingAccount account = locked.get();
        Long applied = postings.amountPosted(request.idempotencyKey()); // the row lock orders postings of the same key
        if (applied != null) {
            return new Outcome.AlreadyPosted(account, applied);
        }
        if (request.activeOnly() && (account.deleted() != null || !"active".equals(account.status()))) {
            return new Outcome.NotActive(account, account.deleted() != null ? "deleted" : account.status());
        }
        LedgerPostings.Credit credit = new LedgerPostings.Credit(UUID.randomUUID(), account, request.transactionType(),
                request.referenceType(), request.idempotencyKey(), request.amount(), request.idempotencyKey(),
                request.posted());
        if (!postings.post(credit)) {
            // the key was taken between the check and the insert: by a credit to another account
            return new Outcome.AlreadyPosted(account, postings.amountPosted(request.idempotencyKey()));
        }
        events.publishEvent(new BalanceChanged(request.idempotencyKey(), credit.posted(), account.id(), account.customerId(),
                account.name(), credit.balanceAfter(), account.balance()));
        return new Outcome.Posted(account, credit);
    }
}
