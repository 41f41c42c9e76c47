package io.billingbatch.demo;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.billingbatch.ledger.ReportPeriod;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Breaks a clean ledger on purpose, in known places, so the reconciliation can be shown to find
 * exactly what was broken: each kind of fault goes into its own accounts (chosen by a seeded
 * order), in rows posted in the given period. Returns every finding the reconciliation of that
 * period must report, and the accounts whose stored balance no longer matches their last snapshot
 * (found when the reconciled period includes now).
 */
@Component
public class DemoFaultInjector {

    private static final Logger logger = LoggerFactory.getLogger(DemoFaultInjector.class);

    /** The kinds of fault, in the order they take accounts. */
    public enum Fault {
        ALTERED_AMOUNT, ALTERED_SNAPSHOT, DELETED_ROW, DUPLICATED_ROW, STUCK_ROW, ORPHAN_ROW, WRONG_RATING, CHARGED_FAILED_CALL,
        STORED_BALANCE_DRIFT
    }

    /** What was injected and what the reconciliation must find: findings as "kind account ledger|-". */
    public record Injection(List<String> periodFindings, List<UUID> storedBalanceDrift, List<UUID> duplicatedAccounts) {
    }

    private static final String PICK_ACCOUNTS = """
            SELECT a.id FROM billing_accounts a
            WHERE EXISTS (SELECT 1 FROM billing_billings b WHERE b.account_id = a.id AND b.tm_posted >= ? AND b.tm_posted < ?
                          AND b.transaction_type = 'usage' AND b.reference_type = 'call' AND b.usage_duration BETWEEN 1 AND 600)
            ORDER BY md5(a.id::text || ?)
            """;

    /** A priced call of the account in the period that has a later row in the same period. */
    private static final String PICK_CALL = """
            SELECT id, posting_seq, amount_credit, billable_units, next_id FROM (
                SELECT b.*, lead(b.id) OVER (ORDER BY b.posting_seq) AS next_id,
                       lead(b.tm_posted) OVER (ORDER BY b.posting_seq) AS next_posted
                FROM billing_billings b WHERE b.account_id = ? AND b.posting_seq IS NOT NULL
            ) x
            WHERE tm_posted >= ? AND tm_posted < ? AND next_posted < ? AND transaction_type = 'usage'
              AND reference_type = 'call' AND usage_duration BETWEEN 1 AND 600
            ORDER BY posting_seq LIMIT 1
            """;

    private final JdbcTemplate jdbc;

    private final TransactionTemplate transaction;

    public DemoFaultInjector(JdbcTemplate jdbc, TransactionTemplate transaction) {
        this.jdbc = jdbc;
        this.transaction = transaction;
    }

    public Injection inject(ReportPeriod period, int perKind, long seed) {
        return transaction.execute(status -> injectInTransaction(period, perKind, seed));
    }

    private Injection injectInTransaction(ReportPeriod period, int perKind, long seed) {
        Timestamp start = Timestamp.from(period.start());
        Timestamp end = Timestamp.from(period.end());
        List<UUID> accounts = jdbc.queryForList(PICK_ACCOUNTS, UUID.class, start, end, Long.toString(seed));
        List<String> findings = new ArrayList<>();
        List<UUID> drift = new ArrayList<>();
        List<UUID> duplicated = new ArrayList<>();
        int next = 0;
        for (Fault fault : Fault.values()) {
            for (int i = 0; i < perKind; i++) {
                UUID account = null;
                Map<String, Object> call = null;
                while (call == null) {
                    if (next >= accounts.size()) {
                        throw new IllegalStateException("the ledger has too few accounts with calls in " + period.key()
                                + " for " + perKind + " fault(s) of each of " + Fault.values().length + " kinds");
                    }
                    account = accounts.get(next++);
                    call = jdbc.queryForList(PICK_CALL, account, start, end, end).stream().findFirst().orElse(null);
                }
                UUID row = (UUID) call.get("id");
                long amount = ((Number) call.get("amount_credit")).longValue();
                long units = ((Number) call.get("billable_units")).longValue();
                switch (fault) {
                    case ALTERED_AMOUNT -> {
                        jdbc.update("UPDATE billing_billings SET amount_credit = amount_credit + 1000 WHERE id = ?", row);
                        findings.add("chain_break " + account + " " + row);
                        findings.add("rating_mismatch " + account + " " + row);
                        findings.add("balance_mismatch " + account + " -");
                    }
                    case ALTERED_SNAPSHOT -> { // the row after it still holds the true balance: one break, not two
                        jdbc.update("UPDATE billing_billings SET balance_credit_snapshot = balance_credit_snapshot + 1000 WHERE id = ?",
                                row);
                        findings.add("chain_break " + account + " " + row);
                    }
                    case DELETED_ROW -> {
                        jdbc.update("DELETE FROM billing_billings WHERE id = ?", row);
                        findings.add("chain_break " + account + " " + call.get("next_id"));
                        findings.add("balance_mismatch " + account + " -");
                    }
                    case DUPLICATED_ROW -> {
                        UUID copy = UUID.randomUUID();
                        jdbc.update("""
                                INSERT INTO billing_billings (id, customer_id, account_id, transaction_type, status, reference_type,
                                    reference_id, usage_duration, billable_units, rate_credit_per_unit, amount_credit,
                                    balance_credit_snapshot, posting_seq, tm_posted, idempotency_key, tm_billing_start,
                                    tm_billing_end, tm_create)
                                SELECT ?, customer_id, account_id, transaction_type, status, reference_type, gen_random_uuid(),
                                    usage_duration, billable_units, rate_credit_per_unit, amount_credit, balance_credit_snapshot,
                                    nextval('billing_posting_seq'), tm_posted, gen_random_uuid(), tm_billing_start,
                                    tm_billing_end, tm_create
                                FROM billing_billings WHERE id = ?""", copy, row);
                        findings.add("chain_break " + account + " " + copy);
                        findings.add("balance_mismatch " + account + " -");
                        duplicated.add(account);
                    }
                    case STUCK_ROW -> {
                        UUID stuck = UUID.randomUUID();
                        jdbc.update("""
                                INSERT INTO billing_billings (id, customer_id, account_id, transaction_type, status, reference_type,
                                    reference_id, usage_duration, billable_units, rate_credit_per_unit, amount_credit,
                                    idempotency_key, tm_billing_start, tm_create)
                                SELECT ?, customer_id, account_id, 'usage', 'progressing', 'call', gen_random_uuid(), 0, 0,
                                    20000, 0, gen_random_uuid(), tm_posted, tm_posted
                                FROM billing_billings WHERE id = ?""", stuck, row);
                        findings.add("stuck_progressing " + account + " " + stuck);
                    }
                    case ORPHAN_ROW -> {
                        UUID orphan = UUID.randomUUID();
                        UUID ghost = UUID.nameUUIDFromBytes((account + "/ghost").getBytes(java.nio.charset.StandardCharsets.UTF_8));
                        jdbc.update("""
                                INSERT INTO billing_billings (id, customer_id, account_id, transaction_type, status, reference_type,
                                    reference_id, usage_duration, billable_units, rate_credit_per_unit, amount_credit,
                                    balance_credit_snapshot, posting_seq, tm_posted, idempotency_key, tm_billing_start,
                                    tm_billing_end, tm_create)
                                SELECT ?, customer_id, ?, transaction_type, status, reference_type, gen_random_uuid(),
                                    usage_duration, billable_units, rate_credit_per_unit, amount_credit, amount_credit,
                                    nextval('billing_posting_seq'), tm_posted, gen_random_uuid(), tm_billing_start,
                                    tm_billing_end, tm_create
                                FROM billing_billings WHERE id = ?""", orphan, ghost, row);
                        findings.add("orphan " + ghost + " " + orphan);
                    }
                    case WRONG_RATING -> {
                        shift(account, row, -1_000 * units); // rated at $0.021 instead of $0.020, posted consistently
                        findings.add("rating_mismatch " + account + " " + row);
                    }
                    case CHARGED_FAILED_CALL -> {
                        jdbc.update("UPDATE billing_billings SET usage_duration = 0, billable_units = 0 WHERE id = ?", row);
                        findings.add("charged_failed_call " + account + " " + row);
                        findings.add("rating_mismatch " + account + " " + row);
                    }
                    case STORED_BALANCE_DRIFT -> {
                        jdbc.update("UPDATE billing_accounts SET balance_credit = balance_credit + 1 WHERE id = ?", account);
                        drift.add(account);
                    }
                }
            }
        }
        logger.info("Injected {} fault(s) of each of {} kinds into {}", perKind, Fault.values().length, period.key());
        return new Injection(List.copyOf(findings), List.copyOf(drift), List.copyOf(duplicated));
    }

    /** Changes a row's amount and carries the change through the account's later snapshots and balance. */
    private void shift(UUID account, UUID row, long delta) {
        long seq = jdbc.queryForObject("SELECT posting_seq FROM billing_billings WHERE id = ?", Long.class, row);
        jdbc.update("UPDATE billing_billings SET amount_credit = amount_credit + ? WHERE id = ?", delta, row);
        jdbc.update("UPDATE billing_billings SET balance_credit_snapshot = balance_credit_snapshot + ? WHERE account_id = ? AND posting_seq >= ?",
                delta, account, seq);
        jdbc.update("UPDATE billing_accounts SET balance_credit = balance_credit + ? WHERE id = ?", delta, account);
    }
}
