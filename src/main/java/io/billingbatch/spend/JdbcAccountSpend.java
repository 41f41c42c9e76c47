package io.billingbatch.spend;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import io.billingbatch.ledger.LedgerAmountBound;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Reads one account's ledger by posting time (index {@code billing_billings_account_posted_idx}):
 * its history, its cost of a period and its recent spend. The cost of a period follows its rows,
 * not the ledger's age.
 */
@Repository
public class JdbcAccountSpend {

    private static final String HISTORY = """
            SELECT b.id, b.transaction_type, b.status, b.reference_type, b.reference_id, b.usage_duration,
                   b.billable_units, b.rate_credit_per_unit, b.amount_credit, b.balance_credit_snapshot, b.posting_seq,
                   b.tm_posted, b.tm_billing_start, b.tm_billing_end
            FROM billing_billings b
            WHERE b.account_id = :account AND b.tm_posted >= :start AND b.tm_posted < :end AND b.tm_delete IS NULL
              AND (CAST(:after_posted AS timestamptz) IS NULL
                   OR (b.tm_posted, b.posting_seq) < (CAST(:after_posted AS timestamptz), CAST(:after_seq AS bigint)))
            ORDER BY b.tm_posted DESC, b.posting_seq DESC
            LIMIT :limit
            """;

    private static final String COST = """
            SELECT coalesce(sum(-b.amount_credit) FILTER (WHERE b.reference_type = 'call'), 0) AS calls,
                   coalesce(sum(-b.amount_credit) FILTER (WHERE b.reference_type = 'sms'), 0) AS sms,
                   coalesce(sum(-b.amount_credit) FILTER (WHERE b.reference_type IN ('number', 'number_renew')), 0) AS numbers
            FROM billing_billings b
            WHERE b.account_id = :account AND b.tm_posted >= :start AND b.tm_posted < :end AND
            """ + SpendSql.COUNTED;

    private static final String RECENT = """
            SELECT coalesce(sum(-b.amount_credit) FILTER (WHERE b.tm_posted >= :hour_ago), 0) AS last_hour,
                   coalesce(sum(-b.amount_credit) FILTER (WHERE b.tm_posted >= :day_ago), 0) AS last_day,
                   coalesce(sum(-b.amount_credit), 0) AS last_7_days
            FROM billing_billings b
            WHERE b.account_id = :account AND b.tm_posted >= :week_ago AND b.tm_posted < :as_of AND
            """ + SpendSql.COUNTED;

    private final JdbcClient jdbc;

    private final LedgerAmountBound bound;

    public JdbcAccountSpend(JdbcClient jdbc, LedgerAmountBound bound) {
        this.jdbc = jdbc;
        this.bound = bound;
    }

    /** One ledger row of the history; amounts in micro-USD, {@code balanceAfter} the snapshot right after it. */
    public record BillingRow(UUID id, String transactionType, String status, String referenceType, UUID referenceId,
            Integer usageDuration, Integer billableUnits, Long ratePerUnit, Long amount, Long balanceAfter, long postingSeq,
            Instant posted, Instant billingStart, Instant billingEnd) {
    }

    /** Where a page of the history ends: the next page starts strictly before this row. */
    public record Cursor(Instant posted, long postingSeq) {
    }

    /** The account's rows posted in {@code [start, end)}, newest first, after {@code after} (null: from the newest). */
    public List<BillingRow> history(UUID account, Instant start, Instant end, Cursor after, int limit) {
        return jdbc.sql(HISTORY).param("account", account).param("start", Timestamp.from(start))
                .param("end", Timestamp.from(end))
                .param("after_posted", after == null ? null : Timestamp.from(after.posted()))
                .param("after_seq", after == null ? null : after.postingSeq())
                .param("limit", limit)
                .query(JdbcAccountSpend::billingRow).list();
    }

    /** Cost by type in micro-USD (positive = charged). */
    public record Cost(long calls, long sms, long numbers) {

        public long total() {
            return Math.addExact(Math.addExact(calls, sms), numbers);
        }
    }

    /** What the account was charged for posted usage in {@code [start, end)}, by the cost report's rules. */
    public Cost cost(UUID account, Instant start, Instant end) {
        return jdbc.sql(COST).param("account", account).param("start", Timestamp.from(start))
                .param("end", Timestamp.from(end)).param("max_amount", bound.maxMicros())
                .query((rs, row) -> new Cost(rs.getBigDecimal("calls").longValueExact(), rs.getBigDecimal("sms").longValueExact(),
                        rs.getBigDecimal("numbers").longValueExact()))
                .single();
    }

    /** Spend (micro-USD) in the hour, the 24 hours and the 7 days before {@code asOf}. */
    public record RecentSpend(long lastHour, long lastDay, long last7Days) {
    }

    public RecentSpend recent(UUID account, Instant asOf) {
        return jdbc.sql(RECENT).param("account", account).param("as_of", Timestamp.from(asOf))
                .param("hour_ago", Timestamp.from(asOf.minus(Duration.ofHours(1))))
                .param("day_ago", Timestamp.from(asOf.minus(Duration.ofDays(1))))
                .param("week_ago", Timestamp.from(asOf.minus(Duration.ofDays(7))))
                .param("max_amount", bound.maxMicros())
                .query((rs, row) -> new RecentSpend(rs.getBigDecimal("last_hour").longValueExact(),
                        rs.getBigDecimal("last_day").longValueExact(), rs.getBigDecimal("last_7_days").longValueExact()))
                .single();
    }

    private static BillingRow billingRow(ResultSet rs, int row) throws SQLException {
        return new BillingRow(rs.getObject("id", UUID.class), rs.getString("transaction_type"), rs.getString("status"),
                rs.getString("reference_type"), rs.getObject("reference_id", UUID.class),
                rs.getObject("usage_duration", Integer.class), rs.getObject("billable_units", Integer.class),
                rs.getObject("rate_credit_per_unit", Long.class), rs.getObject("amount_credit", Long.class),
                rs.getObject("balance_credit_snapshot", Long.class), rs.getLong("posting_seq"),
                instant(rs.getTimestamp("tm_posted")), instant(rs.getTimestamp("tm_billing_start")),
                instant(rs.getTimestamp("tm_billing_end")));
    }

    static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}
