package io.billingbatch.ledger;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.UUID;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * Posts a credit the one way every writer of the ledger must: with the account row already locked
 * by the caller's transaction, append a ledger row ({@code status=end}, the next
 * {@code posting_seq}, {@code tm_posted}, the balance right after it as its snapshot) and move the
 * account's balance to that snapshot. The idempotency key makes a second posting of the same
 * credit a no-op.
 */
@Repository
public class LedgerPostings {

    private static final String POST_CREDIT = """
            INSERT INTO billing_billings (id, customer_id, account_id, transaction_type, status, reference_type,
                reference_id, usage_duration, billable_units, rate_credit_per_unit, amount_credit,
                balance_credit_snapshot, posting_seq, tm_posted, idempotency_key, tm_create, tm_update)
            VALUES (?, ?, ?, ?, 'end', ?, ?, 0, 0, 0, ?, ?, nextval('billing_posting_seq'), ?, ?, ?, ?)
            ON CONFLICT (idempotency_key) DO NOTHING
            """;

    private final JdbcTemplate jdbc;

    public LedgerPostings(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** A credit to post: what it is ({@code top_up} / {@code auto_top_up} ...), to which locked account, for how much. */
    public record Credit(UUID ledgerId, BillingAccount lockedAccount, String transactionType, String referenceType,
            UUID referenceId, long amount, UUID idempotencyKey, Instant posted) {

        public Credit {
            if (amount <= 0) {
                throw new IllegalArgumentException("a credit must be positive, was " + Money.toUsd(amount));
            }
        }

        public long balanceAfter() {
            return Math.addExact(lockedAccount.balance(), amount);
        }
    }

    /** The amount of the ledger row posted under {@code idempotencyKey}, or null when there is none. */
    public Long amountPosted(UUID idempotencyKey) {
        return jdbc.query("SELECT amount_credit FROM billing_billings WHERE idempotency_key = ?",
                (rs, row) -> rs.getLong(1), idempotencyKey).stream().findFirst().orElse(null);
    }

    /** @return true when posted, false when a credit with the same idempotency key already was */
    public boolean post(Credit credit) {
        Timestamp now = Timestamp.from(credit.posted());
        BillingAccount account = credit.lockedAccount();
        int posted = jdbc.update(POST_CREDIT, credit.ledgerId(), account.customerId(), account.id(), credit.transactionType(),
                credit.referenceType(), credit.referenceId(), credit.amount(), credit.balanceAfter(), now,
                credit.idempotencyKey(), now, now);
        if (posted == 0) {
            return false;
        }
        jdbc.update("UPDATE billing_accounts SET balance_credit = ?, tm_update = ? WHERE id = ?", credit.balanceAfter(), now,
                account.id());
        return true;
    }
}
