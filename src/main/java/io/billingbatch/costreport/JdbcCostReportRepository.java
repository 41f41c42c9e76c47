package io.billingbatch.costreport;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

import io.billingbatch.batch.PeriodJobParameters;
import io.billingbatch.ledger.ReportPeriod;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/** The stored cost report results: per-run lines and, per period and zone, the published run. */
@Repository
public class JdbcCostReportRepository implements CostReportRepository {

    private static final String DELETE_REPLACED_LINES = """
            DELETE FROM cost_report_lines
            WHERE job_instance_id IN (SELECT job_instance_id FROM cost_reports
                                      WHERE period = ? AND zone = ? AND job_instance_id <> ?)
            """;

    private static final String UPSERT_PUBLISHED = """
            INSERT INTO cost_reports (period, zone, period_start, period_end, revision, job_instance_id, job_execution_id)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (period, zone) DO UPDATE SET
                period_start = EXCLUDED.period_start, period_end = EXCLUDED.period_end, revision = EXCLUDED.revision,
                job_instance_id = EXCLUDED.job_instance_id, job_execution_id = EXCLUDED.job_execution_id,
                tm_published = now()
            """;

    private static final String SELECT_PUBLISHED = """
            SELECT period, zone, period_start, period_end, revision, job_instance_id, job_execution_id, tm_published
            FROM cost_reports WHERE period = ? AND zone = ?
            """;

    private static final String SELECT_TOTALS = """
            SELECT type, sum(records) AS records, sum(billable_units) AS billable_units, sum(cost_credit) AS cost
            FROM cost_summary WHERE period = ? AND zone = ?
            GROUP BY type ORDER BY type
            """;

    private static final String SELECT_LINES = """
            SELECT account_id, customer_id, account_name, type, records, billable_units, cost_credit
            FROM cost_summary WHERE period = ? AND zone = ?
            ORDER BY account_id, type
            """;

    private final JdbcTemplate jdbc;

    public JdbcCostReportRepository(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void publish(PeriodJobParameters parameters, long jobInstanceId, long jobExecutionId) {
        ReportPeriod period = parameters.period();
        String zone = period.zone().getId();
        jdbc.update(DELETE_REPLACED_LINES, period.key(), zone, jobInstanceId);
        jdbc.update(UPSERT_PUBLISHED, period.key(), zone, Timestamp.from(period.start()), Timestamp.from(period.end()),
                parameters.revision(), jobInstanceId, jobExecutionId);
    }

    @Override
    public Optional<PublishedCostReport> findPublished(ReportPeriod period) {
        return jdbc.query(SELECT_PUBLISHED, (rs, rowNum) -> new PublishedCostReport(rs.getString("period"),
                rs.getString("zone"), rs.getTimestamp("period_start").toInstant(),
                rs.getTimestamp("period_end").toInstant(), rs.getLong("revision"), rs.getLong("job_instance_id"),
                rs.getLong("job_execution_id"), rs.getTimestamp("tm_published").toInstant()),
                period.key(), period.zone().getId()).stream().findFirst();
    }

    @Override
    public List<TypeTotal> totalsByType(ReportPeriod period) {
        return jdbc.query(SELECT_TOTALS, (rs, rowNum) -> new TypeTotal(rs.getString("type"), rs.getLong("records"),
                rs.getLong("billable_units"), rs.getLong("cost")), period.key(), period.zone().getId());
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
                    rs.getString("account_name"), "usage", "end", rs.getString("type"), rs.getLong("records"),
                    rs.getLong("billable_units"), rs.getLong("cost_credit")));
        });
    }

    /** The run whose lines are the period's result. */
    public record PublishedCostReport(String period, String zone, Instant periodStart, Instant periodEnd, long revision,
            long jobInstanceId, long jobExecutionId, Instant published) {
    }

    /** Totals of one charge type over all accounts; {@code cost} in micro-USD. */
    public record TypeTotal(String type, long records, long billableUnits, long cost) {
    }
}
