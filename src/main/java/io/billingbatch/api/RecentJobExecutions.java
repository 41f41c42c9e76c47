package io.billingbatch.api;

import java.time.LocalDateTime;
import java.util.List;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** The latest job executions as Spring Batch's job repository tables hold them, for the admin's view. */
@Component
class RecentJobExecutions {

    private static final String SELECT_RECENT = """
            SELECT e.job_execution_id, i.job_name, e.status, e.exit_code, e.start_time, e.end_time,
                   (SELECT p.parameter_value FROM batch_job_execution_params p
                    WHERE p.job_execution_id = e.job_execution_id AND p.parameter_name = 'period') AS period
            FROM batch_job_execution e
            JOIN batch_job_instance i ON i.job_instance_id = e.job_instance_id
            ORDER BY e.job_execution_id DESC
            LIMIT ?
            """;

    private final JdbcTemplate jdbc;

    RecentJobExecutions(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** Start and end are the repository's local times, as Spring Batch stores them. */
    record Execution(long id, String jobName, String period, String status, String exitCode, LocalDateTime started,
            LocalDateTime ended) {
    }

    List<Execution> latest(int limit) {
        return jdbc.query(SELECT_RECENT, (rs, rowNum) -> new Execution(rs.getLong("job_execution_id"),
                rs.getString("job_name"), rs.getString("period"), rs.getString("status"), rs.getString("exit_code"),
                rs.getObject("start_time", LocalDateTime.class), rs.getObject("end_time", LocalDateTime.class)), limit);
    }
}
