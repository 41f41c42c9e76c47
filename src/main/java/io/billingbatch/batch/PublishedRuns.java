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
