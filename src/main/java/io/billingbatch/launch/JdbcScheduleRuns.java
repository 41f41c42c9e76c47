package io.billingbatch.launch;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** The claims on fire times of the schedule ({@code schedule_runs}): one instance runs each fire time. */
@Component
public class JdbcScheduleRuns {

    private static final String CLAIM = """
            INSERT INTO schedule_runs (definition, fire_time, claimed_by, catch_up)
            VALUES (?, ?, ?, ?)
            ON CONFLICT (definition, fire_time) DO NOTHING
            """;

    private static final String FINISH = """
            UPDATE schedule_runs SET tm_end = now(), outcome = ?, detail = ?
            WHERE definition = ? AND fire_time = ?
            """;

    private static final String LATEST_FIRE_TIME = """
            SELECT max(fire_time) FROM schedule_runs WHERE definition = ?
            """;

    private static final String UNFINISHED = """
            SELECT fire_time FROM schedule_runs WHERE definition = ? AND tm_end IS NULL AND fire_time >= ?
            ORDER BY fire_time
            """;

    private static final String RESUME = """
            UPDATE schedule_runs SET claimed_by = ?, tm_start = now(),
                detail = 'resumed: ' || claimed_by || ' stopped before it finished'
            WHERE definition = ? AND fire_time = ? AND tm_end IS NULL
            """;

    private final JdbcTemplate jdbc;

    public JdbcScheduleRuns(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** Whether this caller won {@code fireTime} of {@code definition}; false when another instance has it. */
    public boolean claim(String definition, Instant fireTime, String claimedBy, boolean catchUp) {
        return jdbc.update(CLAIM, definition, Timestamp.from(fireTime), claimedBy, catchUp) == 1;
    }

    public void finish(String definition, Instant fireTime, String outcome, String detail) {
        jdbc.update(FINISH, outcome, detail, definition, Timestamp.from(fireTime));
    }

    /** Fire times claimed since {@code since} that have no outcome: running now, or their instance died. */
    public List<Instant> unfinished(String definition, Instant since) {
        return jdbc.queryForList(UNFINISHED, Timestamp.class, definition, Timestamp.from(since)).stream()
                .map(Timestamp::toInstant).toList();
    }

    /** Takes over an unfinished fire time whose instance stopped; false when it has finished meanwhile. */
    public boolean resume(String definition, Instant fireTime, String resumedBy) {
        return jdbc.update(RESUME, resumedBy, definition, Timestamp.from(fireTime)) == 1;
    }

    public Optional<Instant> latestFireTime(String definition) {
        Timestamp latest = jdbc.queryForObject(LATEST_FIRE_TIME, Timestamp.class, definition);
        return Optional.ofNullable(latest).map(Timestamp::toInstant);
    }
}
