package io.billingbatch.topup;

import java.sql.Date;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Repository;

/**
 * The audit of auto top-ups ({@code auto_topups}), one row per top-up under its idempotency key. A
 * top-up paid by the provider is first a reservation ({@code pending}: the day's allowance and the
 * month's cap count it, no ledger row yet) and becomes {@code posted} in the transaction that posts
 * its credit; a declined one is released (the row removed, so the next attempt asks with the same key).
 */
@Repository
class TopUpReservations {

    /** A top-up decided by a run: {@code amount} to {@code accountId}, {@code balanceBefore} when decided. */
    record Reservation(UUID key, UUID accountId, LocalDate businessDate, int sequence, long amount, long balanceBefore,
            String rule, Long jobInstanceId, long jobExecutionId) {
    }

    private static final String COLUMNS = """
            SELECT idempotency_key, account_id, business_date, sequence, amount_credit, balance_before, rule,
                   job_instance_id, job_execution_id
            FROM auto_topups
            """;

    private static final RowMapper<Reservation> RESERVATION = (rs, i) -> new Reservation(
            rs.getObject("idempotency_key", UUID.class), rs.getObject("account_id", UUID.class),
            rs.getDate("business_date").toLocalDate(), rs.getInt("sequence"), rs.getLong("amount_credit"),
            rs.getLong("balance_before"), rs.getString("rule"), rs.getObject("job_instance_id", Long.class),
            rs.getLong("job_execution_id"));

    private static final String INSERT = """
            INSERT INTO auto_topups (idempotency_key, account_id, business_date, sequence, ledger_id, job_execution_id,
                amount_credit, balance_before, balance_after, rule, status, job_instance_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""";

    private final JdbcTemplate jdbc;

    TopUpReservations(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** Reserves a top-up the provider is still to be asked for. */
    void reserve(Reservation reservation) {
        insert(reservation, null, null, "pending");
    }

    /** Records a top-up posted at once (a grant): its ledger row and the balance after it. */
    void recordPosted(Reservation reservation, UUID ledgerId, long balanceAfter) {
        insert(reservation, ledgerId, balanceAfter, "posted");
    }

    private void insert(Reservation r, UUID ledgerId, Long balanceAfter, String status) {
        jdbc.update(INSERT, r.key(), r.accountId(), Date.valueOf(r.businessDate()), r.sequence(), ledgerId, r.jobExecutionId(),
                r.amount(), r.balanceBefore(), balanceAfter, r.rule(), status, r.jobInstanceId());
    }

    /** The account's reservation still waiting for its payment, if any (of any day). */
    Optional<Reservation> pendingOf(UUID accountId) {
        return jdbc.query(COLUMNS + " WHERE account_id = ? AND status = 'pending' ORDER BY tm_create LIMIT 1", RESERVATION,
                accountId).stream().findFirst();
    }

    /** Every reservation waiting for its payment, oldest first (those of runs that stopped too). */
    List<Reservation> pending() {
        return jdbc.query(COLUMNS + " WHERE status = 'pending' ORDER BY tm_create, idempotency_key", RESERVATION);
    }

    /** Counts an attempt to have it paid (before the provider is asked); false when it is no longer pending. */
    boolean countAttempt(UUID key) {
        return jdbc.update("UPDATE auto_topups SET attempts = attempts + 1 WHERE idempotency_key = ? AND status = 'pending'",
                key) == 1;
    }

    /** The reservation, locked until the transaction ends, while it is pending. */
    Optional<Reservation> lockPending(UUID key) {
        return jdbc.query(COLUMNS + " WHERE idempotency_key = ? AND status = 'pending' FOR UPDATE", RESERVATION, key).stream()
                .findFirst();
    }

    /** Marks a reservation posted: its ledger row and the balances around it when it was posted. */
    void markPosted(UUID key, UUID ledgerId, long balanceBefore, long balanceAfter) {
        jdbc.update("""
                UPDATE auto_topups SET status = 'posted', ledger_id = ?, balance_before = ?, balance_after = ?
                WHERE idempotency_key = ?""", ledgerId, balanceBefore, balanceAfter, key);
    }

    /** Removes a reservation whose payment failed: the day's allowance is free again, the next attempt uses its key. */
    void release(UUID key) {
        jdbc.update("DELETE FROM auto_topups WHERE idempotency_key = ? AND status = 'pending'", key);
    }
}
