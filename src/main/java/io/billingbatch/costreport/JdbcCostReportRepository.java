package io.billingbatch.costreport;

import java.math.BigDecimal;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

import io.billingbatch.batch.PeriodJobParameters;
import io.billingbatch.batch.PublishedRuns;
import io.billingbatch.ledger.PostedCharges;
import io.billingbatch.ledger.ReportPeriod;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/** The stored cost report results: per-run lines and, per period and zone, the published run. */
@Repository
public class JdbcCostReportRepository implements CostReportRepository {

    private static final String SELECT_TOTALS = """
            SELECT type, sum(records) AS records, sum(billable_units) AS billable_units, sum(cost_credit) AS cost
            FROM cost_summary WHERE period = ? AND zone = ?
            GROUP BY type ORDER BY type
            """;

    /** Monthly periods only: a day's key ({@code 2026-10-05}) sorts between two months' keys. */
    private static final String SELECT_COST_BY_MONTH = """
            SELECT period, type, sum(cost_credit) AS cost
            FROM cost_summary
            WHERE zone = ? AND period >= ? AND period <= ? AND length(period) = 7
            GROUP BY period, type ORDER BY period, type
            """;

    /** The cost report's own rule for a row that counts ({@link PostedCharges}, the amount bound), per day of the zone. */
    private static final String SELECT_DAY_TOTALS = PostedCharges.expand("""
            SELECT CAST(b.tm_posted AT TIME ZONE p.zone AS date) AS day, count(*) AS records,
                   -sum(b.amount_credit) AS cost
            FROM billing_billings b
            CROSS JOIN (SELECT CAST(? AS timestamptz) AS ps, CAST(? AS timestamptz) AS pe, CAST(? AS text) AS zone,
                               CAST(? AS bigint) AS max_amount) p
            WHERE b.tm_posted >= p.ps AND b.tm_posted < p.pe
              AND {posted_usage} AND {charge_reference}
              AND b.amount_credit BETWEEN -p.max_amount AND p.max_amount
            GROUP BY 1 ORDER BY 1
            """);

    private static final String SELECT_LINES = """
            SELECT account_id, customer_id, account_name, type, records, billable_units, cost_credit
            FROM cost_summary WHERE period = ? AND zone = ?
            ORDER BY account_id, type
            """;

    private static final String SELECT_RUN_TOTALS = """
            SELECT type, sum(records) AS records, sum(billable_units) AS billable_units, sum(cost_credit) AS cost
            FROM cost_report_lines WHERE job_instance_id = ?
            GROUP BY type ORDER BY type
            """;

    private static final String SELECT_RUN_LINES = """
            SELECT account_id, customer_id, account_name, type, records, billable_units, cost_credit
            FROM cost_report_lines WHERE job_instance_id = ?
            ORDER BY account_id, type
            """;

    private static final String DELETE_RUN_LINES = """
            DELETE FROM cost_report_lines WHERE job_instance_id = ?
              AND job_instance_id NOT IN (SELECT job_instance_id FROM published_runs)
            """;

    private final JdbcTemplate jdbc;

    private final PublishedRuns publishedRuns;

    public JdbcCostReportRepository(JdbcTemplate jdbc, PublishedRuns publishedRuns) {
        this.jdbc = jdbc;
        this.publishedRuns = publishedRuns;
    }

    @Override
    public void publish(PeriodJobParameters parameters, long jobInstanceId, long jobExecutionId) {
        publishedRuns.publish(CostReportJobConfiguration.JOB_NAME, parameters, jobInstanceId, jobExecutionId,
                List.of("cost_report_lines"));
    }

    /** The sums are numeric in PostgreSQL; one beyond a long is a clear error, never a wrapped or refused number. */
    @Override
    public List<TypeTotal> totalsByType(ReportPeriod period) {
        String what = "cost report " + period.key() + " (" + period.zone().getId() + ")";
        return jdbc.query(SELECT_TOTALS, (rs, rowNum) -> {
            String type = rs.getString("type");
            return new TypeTotal(type, exactLong(rs.getBigDecimal("records"), what + ", " + type + " records"),
                    exactLong(rs.getBigDecimal("billable_units"), what + ", " + type + " billable units"),
                    exactLong(rs.getBigDecimal("cost"), what + ", " + type + " cost in micro-USD"));
        }, period.key(), period.zone().getId());
    }

    @Override
    public List<DayTotal> totalsByDay(ReportPeriod period, long maxMicros) {
        String what = "cost report " + period.key() + " (" + period.zone().getId() + ")";
        return jdbc.query(SELECT_DAY_TOTALS, (rs, rowNum) -> {
            java.time.LocalDate day = rs.getObject("day", java.time.LocalDate.class);
            return new DayTotal(day, rs.getLong("records"), exactLong(rs.getBigDecimal("cost"), what + ", " + day + " cost in micro-USD"));
        }, java.sql.Timestamp.from(period.start()), java.sql.Timestamp.from(period.end()), period.zone().getId(), maxMicros);
    }

    @Override
    public List<MonthlyCost> costByMonth(YearMonth first, YearMonth last, ZoneId zone) {
        return jdbc.query(SELECT_COST_BY_MONTH, (rs, rowNum) -> new MonthlyCost(YearMonth.parse(rs.getString("period")),
                rs.getString("type"), exactLong(rs.getBigDecimal("cost"), "cost report " + rs.getString("period") + " ("
                        + zone.getId() + "), " + rs.getString("type") + " cost in micro-USD")),
                zone.getId(), first.toString(), last.toString());
    }

    static long exactLong(BigDecimal sum, String what) {
        try {
            return sum.longValueExact();
        }
        catch (ArithmeticException ex) {
            throw new ArithmeticException(what + " sums to " + sum.toPlainString() + ", beyond a 64-bit amount");
        }
    }

    @Override
    public List<TypeTotal> totalsOfRun(long jobInstanceId) {
        String what = "cost report run " + jobInstanceId;
        return jdbc.query(SELECT_RUN_TOTALS, (rs, rowNum) -> {
            String type = rs.getString("type");
            return new TypeTotal(type, exactLong(rs.getBigDecimal("records"), what + ", " + type + " records"),
                    exactLong(rs.getBigDecimal("billable_units"), what + ", " + type + " billable units"),
                    exactLong(rs.getBigDecimal("cost"), what + ", " + type + " cost in micro-USD"));
        }, jobInstanceId);
    }

    @Override
    public void forEachLineOfRun(long jobInstanceId, Consumer<CostLine> consumer) {
        jdbc.query(con -> {
            var statement = con.prepareStatement(SELECT_RUN_LINES);
            statement.setFetchSize(2_000);
            statement.setLong(1, jobInstanceId);
            return statement;
        }, rs -> {
            consumer.accept(line(rs));
        });
    }

    @Override
    public void discardRun(long jobInstanceId) {
        jdbc.update(DELETE_RUN_LINES, jobInstanceId);
    }

    private static CostLine line(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new CostLine(rs.getObject("account_id", UUID.class), rs.getObject("customer_id", UUID.class),
                rs.getString("account_name"), PostedCharges.USAGE, PostedCharges.POSTED, rs.getString("type"), rs.getLong("records"),
                rs.getLong("billable_units"), rs.getLong("cost_credit"));
    }

    @Override
    public void forEachLine(ReportPeriod period, Consumer<CostLine> consumer) {
        jdbc.query(con -> {
            var statement = con.prepareStatement(SELECT_LINES);
            statement.setFetchSize(2_000);
            statement.setString(1, period.key());
            statement.setString(2, period.zone().getId());
            return statement;
        }, rs -> {
            consumer.accept(new CostLine(rs.getObject("account_id", UUID.class), rs.getObject("customer_id", UUID.class),
                    rs.getString("account_name"), PostedCharges.USAGE, PostedCharges.POSTED, rs.getString("type"), rs.getLong("records"),
                    rs.getLong("billable_units"), rs.getLong("cost_credit")));
        });
    }

    /** Totals of one charge type over all accounts; {@code cost} in micro-USD. */
    public record TypeTotal(String type, long records, long billableUnits, long cost) {
    }
}
