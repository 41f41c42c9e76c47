package io.billingbatch.ledger;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Builds small ledgers by hand for tests: accounts and posted rows with correct posting order and
 * balance snapshots, plus the odd broken row a test needs.
 */
public class LedgerFixture {

    private final JdbcTemplate jdbc;

    private RateCard rates;

    private final Map<UUID, Long> balances = new HashMap<>();

    private final Map<UUID, UUID> customers = new HashMap<>();

    public LedgerFixture(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public UUID account(String name) {
        return account(name, UUID.randomUUID());
    }

    public UUID account(String name, UUID customerId) {
        UUID id = UUID.randomUUID();
        jdbc.update("""
                INSERT INTO billing_accounts (id, customer_id, name, detail, status, balance_credit, tm_create)
                VALUES (?, ?, ?, 'test account', 'active', 0, '2020-01-01T00:00:00Z')
                """, id, customerId, name);
        balances.put(id, 0L);
        customers.put(id, customerId);
        return id;
    }

    public UUID topUp(UUID account, long micros, Instant posted) {
        return post(account, "top_up", "top_up", 0, 0, 0, micros, posted);
    }

    /** The rate card's rate (micro-USD per unit) of a reference type for usage that started then. */
    public long rate(String referenceType, Instant started) {
        if (rates == null) {
            rates = RateCard.read(jdbc);
        }
        return rates.rateAt(referenceType, started);
    }

    /** The rate card's rate (micro-USD per unit) of a reference type in force now. */
    public long rate(String referenceType) {
        return rate(referenceType, Instant.now());
    }

    /** A call rated by the rate card at its start ({@code posted} minus its seconds). */
    public UUID call(UUID account, int seconds, Instant posted) {
        long rate = rate("call", posted.minusSeconds(seconds));
        return post(account, "usage", "call", seconds, seconds, rate, -seconds * rate, posted);
    }

    public UUID sms(UUID account, Instant posted) {
        return usageOfOne(account, "sms", posted);
    }

    public UUID number(UUID account, Instant posted) {
        return usageOfOne(account, "number", posted);
    }

    public UUID numberRenew(UUID account, Instant posted) {
        return usageOfOne(account, "number_renew", posted);
    }

    private UUID usageOfOne(UUID account, String referenceType, Instant posted) {
        long rate = rate(referenceType, posted);
        return post(account, "usage", referenceType, 0, 1, rate, -rate, posted);
    }

    /** Posts a row: next posting_seq, snapshot = balance + amount, and the account's balance follows. */
    public UUID post(UUID account, String transactionType, String referenceType, int duration, int units, long rate,
            long amount, Instant posted) {
        long snapshot = balances.getOrDefault(account, 0L) + amount;
        UUID id = insert(account, transactionType, "end", referenceType, duration, units, rate, amount, snapshot,
                jdbc.queryForObject("SELECT nextval('billing_posting_seq')", Long.class), posted, null);
        if (balances.containsKey(account)) {
            balances.put(account, snapshot);
            jdbc.update("UPDATE billing_accounts SET balance_credit = ? WHERE id = ?", snapshot, account);
        }
        return id;
    }

    /** A call still in progress: no posting, no balance change. */
    public UUID progressingCall(UUID account, Instant started) {
        return insert(account, "usage", "progressing", "call", 0, 0, rate("call", started), 0, null, null, null, started);
    }

    /** Soft-deletes a row (it then belongs to no report). */
    public void softDelete(UUID ledgerRow, Instant when) {
        jdbc.update("UPDATE billing_billings SET tm_delete = ? WHERE id = ?", Timestamp.from(when), ledgerRow);
    }

    /** Takes the account's stored balance as it is now (after another writer, a job, posted to it). */
    public void syncBalance(UUID account) {
        balances.put(account, jdbc.queryForObject("SELECT balance_credit FROM billing_accounts WHERE id = ?", Long.class, account));
    }

    public long balance(UUID account) {
        return balances.get(account);
    }

    private UUID insert(UUID account, String transactionType, String status, String referenceType, int duration,
            int units, long rate, long amount, Long snapshot, Long seq, Instant posted, Instant started) {
        UUID id = UUID.randomUUID();
        Instant start = started != null ? started : posted.minusSeconds(duration);
        jdbc.update("""
                INSERT INTO billing_billings (id, customer_id, account_id, transaction_type, status, reference_type,
                    reference_id, usage_duration, billable_units, rate_credit_per_unit, amount_credit,
                    balance_credit_snapshot, posting_seq, tm_posted, idempotency_key, tm_billing_start, tm_billing_end,
                    tm_create)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, id, customers.get(account), account, transactionType, status, referenceType, UUID.randomUUID(),
                duration, units, rate, amount, snapshot, seq, posted == null ? null : Timestamp.from(posted),
                UUID.randomUUID(), Timestamp.from(start), posted == null ? null : Timestamp.from(posted),
                Timestamp.from(start));
        return id;
    }
}
