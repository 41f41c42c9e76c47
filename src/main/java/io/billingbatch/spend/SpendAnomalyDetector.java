package io.billingbatch.spend;

import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.billingbatch.ledger.LedgerAmountBound;
import io.billingbatch.ledger.ReportPeriod;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Applies {@link SpendAnomalyRule} to a day: PostgreSQL groups the spend of the day and of the
 * baseline days before it per account, type and day (in the period's zone, by the cost report's
 * rules); the accounts with spend that day are judged here.
 */
@Component
public class SpendAnomalyDetector {

    private static final String DAILY_SPEND = """
            SELECT b.account_id, """ + SpendSql.TYPE + """
             AS type,
                   CAST((b.tm_posted AT TIME ZONE :zone) AS date) AS day, sum(-b.amount_credit) AS spend
            FROM billing_billings b
            WHERE b.tm_posted >= :from AND b.tm_posted < :to AND
            """ + SpendSql.COUNTED + """
            GROUP BY 1, 2, 3
            """;

    private static final String ACCOUNTS = """
            SELECT id, customer_id, name, tm_create FROM billing_accounts WHERE id = ANY (:ids)
            """;

    private final JdbcClient jdbc;

    private final LedgerAmountBound bound;

    private final SpendAnomalyRule rule;

    public SpendAnomalyDetector(JdbcClient jdbc, LedgerAmountBound bound, SpendAnomalyRule rule) {
        this.jdbc = jdbc;
        this.bound = bound;
        this.rule = rule;
    }

    /** One account's spend of one type on the day and on each baseline day (oldest first). */
    public record Series(UUID accountId, String type, long[] baseline, long spend) {
    }

    private record Key(UUID accountId, String type) {
    }

    private record AccountInfo(UUID customerId, String name, LocalDate created) {
    }

    /** The anomalies of {@code day} (a day period), ordered by account and type. */
    public List<SpendAnomaly> detect(ReportPeriod day) {
        List<SpendAnomaly> anomalies = new ArrayList<>();
        forEachJudged(day, (series, baseline, info) -> {
            if (rule.anomalous(series.type(), series.spend(), baseline)) {
                anomalies.add(new SpendAnomaly(LocalDate.parse(day.key()), day.zone().getId(), series.accountId(),
                        info == null ? null : info.customerId(), info == null ? null : info.name(), series.type(),
                        series.spend(), baseline.median(), baseline.spread(), baseline.days()));
            }
        });
        anomalies.sort(Comparator.comparing(SpendAnomaly::accountId).thenComparing(SpendAnomaly::type));
        return anomalies;
    }

    /** The highest {@link SpendAnomalyRule#score} of the day among the judged series (calibration, the benchmark). */
    public double maxScore(ReportPeriod day) {
        double[] max = { 0 };
        forEachJudged(day, (series, baseline, info) -> max[0] = Math.max(max[0], rule.score(series.type(), series.spend(), baseline)));
        return max[0];
    }

    @FunctionalInterface
    private interface Judged {

        void accept(Series series, SpendAnomalyRule.Baseline baseline, AccountInfo info);
    }

    private void forEachJudged(ReportPeriod day, Judged judged) {
        if (day.isMonth()) {
            throw new IllegalArgumentException("spend anomalies are found for a day (yyyy-MM-dd), not a month");
        }
        ZoneId zone = day.zone();
        LocalDate date = LocalDate.parse(day.key());
        int days = rule.baselineDays();
        LocalDate first = date.minusDays(days);
        Map<Key, long[]> spend = new HashMap<>();
        jdbc.sql(DAILY_SPEND).param("zone", zone.getId())
                .param("from", Timestamp.from(first.atStartOfDay(zone).toInstant()))
                .param("to", Timestamp.from(day.end()))
                .param("max_amount", bound.maxMicros())
                .query((rs, row) -> {
                    Key key = new Key(rs.getObject("account_id", UUID.class), rs.getString("type"));
                    int index = (int) ChronoUnit.DAYS.between(first, rs.getObject("day", LocalDate.class));
                    spend.computeIfAbsent(key, k -> new long[days + 1])[index] = rs.getBigDecimal("spend").longValueExact();
                    return null;
                }).list();
        List<Key> candidates = spend.entrySet().stream().filter(entry -> entry.getValue()[days] > 0).map(Map.Entry::getKey).toList();
        if (candidates.isEmpty()) {
            return;
        }
        Map<UUID, AccountInfo> accounts = new HashMap<>();
        jdbc.sql(ACCOUNTS).param("ids", candidates.stream().map(Key::accountId).distinct().toArray(UUID[]::new))
                .query((rs, row) -> {
                    Timestamp created = rs.getTimestamp("tm_create");
                    accounts.put(rs.getObject("id", UUID.class), new AccountInfo(rs.getObject("customer_id", UUID.class),
                            rs.getString("name"), created == null ? null : created.toInstant().atZone(zone).toLocalDate()));
                    return null;
                }).list();
        for (Key key : candidates) {
            long[] values = spend.get(key);
            AccountInfo info = accounts.get(key.accountId());
            int from = 0;
            if (info != null && info.created() != null && info.created().isAfter(first)) {
                from = (int) Math.min(days, ChronoUnit.DAYS.between(first, info.created()));
            }
            long[] baselineValues = java.util.Arrays.copyOfRange(values, from, days);
            SpendAnomalyRule.Baseline baseline = rule.baseline(baselineValues);
            if (baseline != null) {
                judged.accept(new Series(key.accountId(), key.type(), baselineValues, values[days]), baseline, info);
            }
        }
    }
}
