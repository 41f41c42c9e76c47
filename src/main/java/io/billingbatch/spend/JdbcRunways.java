package io.billingbatch.spend;

import java.sql.Date;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

import io.billingbatch.ledger.LedgerAmountBound;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The runway of live accounts ({@link Runway}) as of an instant: the spend of the 7 days before it
 * by the cost report's rules, the balance (the stored one; for an instant in the past the snapshot
 * of the last row posted before it), and what the auto top-up policy will do.
 */
@Repository
public class JdbcRunways {

    private static final String SELECT = """
            SELECT a.id, a.customer_id, a.name, a.traffic_paused,
                   CASE WHEN :historic THEN coalesce((SELECT h.balance_credit_snapshot FROM billing_billings h
                                                      WHERE h.account_id = a.id AND h.tm_posted < :as_of
                                                      ORDER BY h.tm_posted DESC, h.posting_seq DESC LIMIT 1), 0)
                        ELSE a.balance_credit END AS balance,
                   coalesce(s.last_hour, 0) AS last_hour, coalesce(s.last_day, 0) AS last_day,
                   coalesce(s.last_7_days, 0) AS last_7_days,
                   CASE WHEN p.account_id IS NULL OR NOT p.enabled THEN 'none'
                        WHEN p.consecutive_failures < p.max_consecutive_failures
                             AND coalesce(m.topped_up, 0) + CASE p.mode WHEN 'target' THEN p.target_credit - p.threshold_credit
                                                                  ELSE p.amount_credit END <= p.monthly_cap_credit
                        THEN 'refills' ELSE 'exhausted' END AS auto_topup
            FROM billing_accounts a
            LEFT JOIN LATERAL (
                SELECT sum(-b.amount_credit) FILTER (WHERE b.tm_posted >= :hour_ago) AS last_hour,
                       sum(-b.amount_credit) FILTER (WHERE b.tm_posted >= :day_ago) AS last_day,
                       sum(-b.amount_credit) AS last_7_days
                FROM billing_billings b
                WHERE b.account_id = a.id AND b.tm_posted >= :week_ago AND b.tm_posted < :as_of AND
            """ + SpendSql.COUNTED + """
            ) s ON true
            LEFT JOIN auto_topup_policies p ON p.account_id = a.id
            LEFT JOIN LATERAL (SELECT sum(t.amount_credit) AS topped_up FROM auto_topups t
                               WHERE t.account_id = a.id AND t.business_date >= :month_start AND t.business_date < :month_end) m ON true
            WHERE a.tm_delete IS NULL
            """;

    private static final String ONE = SELECT + " AND a.id = :account";

    private static final String ALL = SELECT + " ORDER BY a.id";

    private final JdbcClient jdbc;

    private final LedgerAmountBound bound;

    public JdbcRunways(JdbcClient jdbc, LedgerAmountBound bound) {
        this.jdbc = jdbc;
        this.bound = bound;
    }

    /** The account's runway as of {@code asOf}; empty for an account that does not exist or is deleted. */
    public Optional<Runway> of(UUID account, Instant asOf, boolean historic) {
        return statement(ONE, asOf, historic).param("account", account).query(mapper(asOf)).optional();
    }

    /** Every live account's runway as of {@code asOf}, in id order. */
    public void forEach(Instant asOf, boolean historic, Consumer<Runway> consumer) {
        try (var rows = statement(ALL, asOf, historic).query(mapper(asOf)).stream()) {
            rows.forEach(consumer);
        }
    }

    public List<Runway> all(Instant asOf, boolean historic) {
        return statement(ALL, asOf, historic).query(mapper(asOf)).list();
    }

    private JdbcClient.StatementSpec statement(String sql, Instant asOf, boolean historic) {
        YearMonth month = YearMonth.from(asOf.atZone(ZoneOffset.UTC));
        return jdbc.sql(sql).param("historic", historic).param("as_of", Timestamp.from(asOf))
                .param("hour_ago", Timestamp.from(asOf.minus(Duration.ofHours(1))))
                .param("day_ago", Timestamp.from(asOf.minus(Duration.ofDays(1))))
                .param("week_ago", Timestamp.from(asOf.minus(Duration.ofDays(7))))
                .param("month_start", Date.valueOf(month.atDay(1)))
                .param("month_end", Date.valueOf(month.plusMonths(1).atDay(1)))
                .param("max_amount", bound.maxMicros());
    }

    private static org.springframework.jdbc.core.RowMapper<Runway> mapper(Instant asOf) {
        return (ResultSet rs, int row) -> new Runway(rs.getObject("id", UUID.class), rs.getObject("customer_id", UUID.class),
                rs.getString("name"), rs.getLong("balance"), rs.getBigDecimal("last_hour").longValueExact(),
                rs.getBigDecimal("last_day").longValueExact(), rs.getBigDecimal("last_7_days").longValueExact(),
                rs.getString("auto_topup"), rs.getBoolean("traffic_paused"), asOf);
    }
}
