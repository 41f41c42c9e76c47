package io.billingbatch.batch;

import java.sql.Timestamp;
import java.util.List;

import io.billingbatch.ledger.ReportPeriod;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * Which run of a period job is the period's result. A run writes its rows under its job instance
 * id; publishing it, in the caller's transaction, removes the rows of the run it replaces from the
 * job's result tables and points the period at the new run, so readers see one result or the
 * other, never a mix.
 */
@Repository
public class PublishedRuns {

    private static final String UPSERT_RUN = """
            INSERT INTO published_runs (job_name, period, zone, period_start, period_end, revision, job_instance_id,
                                        job_execution_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (job_name, period, zone) DO UPDATE SET
                period_start = EXCLUDED.period_start, period_end = EXCLUDED.period_end, revision = EXCLUDED.revision,
                job_instance_id = EXCLUDED.job_instance_id, job_execution_id = EXCLUDED.job_execution_id,
                tm_published = now()
            """;

    /** Selects the published job instance id; bind job name, period and zone. */
    public static final String PUBLISHED_INSTANCE = """
            (SELECT job_instance_id FROM published_runs WHERE job_name = ? AND period = ? AND zone = ?)""";

    private final JdbcTemplate jdbc;

    public PublishedRuns(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** The published run of a period: its revision, job execution and when that execution started. */
    public record Stamp(long revision, long jobExecutionId, java.time.Instant started) {
    }

    /** The stamp of the period's published run of {@code jobName}, if there is one. */
    public java.util.Optional<Stamp> stamp(String jobName, ReportPeriod period) {
        return jdbc.query("""
                SELECT p.revision, p.job_execution_id, coalesce(e.start_time, e.create_time, p.tm_published) AS started
                FROM published_runs p LEFT JOIN batch_job_execution e ON e.job_execution_id = p.job_execution_id
                WHERE p.job_name = ? AND p.period = ? AND p.zone = ?""",
                (rs, n) -> new Stamp(rs.getLong("revision"), rs.getLong("job_execution_id"),
                        rs.getTimestamp("started").toInstant()), jobName, period.key(), period.zone().getId())
                .stream().findFirst();
    }

    /**
     * @param resultTables the job's tables keyed by {@code job_instance_id} (names from code, never input)
     */
    public void publish(String jobName, PeriodJobParameters parameters, long jobInstanceId, long jobExecutionId,
            List<String> resultTables) {
        ReportPeriod period = parameters.period();
        String zone = period.zone().getId();
        for (String table : resultTables) {
            jdbc.update("DELETE FROM " + table + " WHERE job_instance_id = " + PUBLISHED_INSTANCE + " AND job_instance_id <> ?",
                    jobName, period.key(), zone, jobInstanceId);
        }
        jdbc.update(UPSERT_RUN, jobName, period.key(), zone, Timestamp.from(period.start()), Timestamp.from(period.end()),
                parameters.revision(), jobInstanceId, jobExecutionId);
    }
}
