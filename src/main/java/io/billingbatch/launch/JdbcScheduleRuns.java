package io.billingbatch.launch;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The claims on fire times of the schedule ({@code schedule_runs}): one instance runs each fire
 * time, and one retries it when it failed or found a job busy. Also when each definition was first
 * seen ({@code schedule_definitions}): fire times before that were never due.
 */
@Component
public class JdbcScheduleRuns {

    private static final String CLAIM = """
            INSERT INTO schedule_runs (definition, fire_time, claimed_by, catch_up)
            VALUES (?, ?, ?, ?)
            ON CONFLICT (definition, fire_time) DO NOTHING
            """;

    /** The first attempt's detail as it is; a later attempt's is added after the earlier ones. */
    private static final String FINISH = """
            UPDATE schedule_runs SET tm_end = now(), outcome = ?, next_try = ?,
                detail = CASE WHEN attempts = 1 AND detail IS NULL THEN ?
                              ELSE coalesce(detail || '; ', '') || 'attempt ' || attempts || ': ' || ? END
            WHERE definition = ? AND fire_time = ?
            """;

    private static final String CLAIMED_SINCE = """
            SELECT fire_time FROM schedule_runs WHERE definition = ? AND fire_time >= ?
            """;

    private static final String UNFINISHED = """
            SELECT fire_time FROM schedule_runs WHERE definition = ? AND tm_end IS NULL AND fire_time >= ?
            ORDER BY fire_time
            """;

    private static final String RESUME = """
            UPDATE schedule_runs SET claimed_by = ?, tm_start = now(),
                detail = coalesce(detail || '; ', '') || 'resumed: ' || claimed_by || ' stopped before it finished'
            WHERE definition = ? AND fire_time = ? AND tm_end IS NULL
            """;

    private static final String DUE_RETRIES = """
            SELECT fire_time FROM schedule_runs
            WHERE definition = ? AND next_try IS NOT NULL AND next_try <= ? AND fire_time >= ?
            ORDER BY fire_time
            """;

    private static final String RETRY = """
            UPDATE schedule_runs SET claimed_by = ?, tm_start = now(), tm_end = NULL, outcome = NULL, next_try = NULL,
                attempts = attempts + 1
            WHERE definition = ? AND fire_time = ? AND next_try IS NOT NULL AND next_try <= ? AND tm_end IS NOT NULL
            """;

    private static final String ATTEMPTS = """
            SELECT attempts FROM schedule_runs WHERE definition = ? AND fire_time = ?
            """;

    /** A definition that claimed fire times before this table existed was seen by the first of them. */
    private static final String SEEN = """
            INSERT INTO schedule_definitions (definition, first_seen)
            VALUES (?, coalesce((SELECT min(fire_time) FROM schedule_runs WHERE definition = ?), ?))
            ON CONFLICT (definition) DO NOTHING
            """;

    private static final String FIRST_SEEN = """
            SELECT first_seen FROM schedule_definitions WHERE definition = ?
            """;

    private final JdbcTemplate jdbc;

    public JdbcScheduleRuns(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** Whether this caller won {@code fireTime} of {@code definition}; false when another instance has it. */
    public boolean claim(String definition, Instant fireTime, String claimedBy, boolean catchUp) {
        return jdbc.update(CLAIM, definition, Timestamp.from(fireTime), claimedBy, catchUp) == 1;
    }

    /** Records an attempt's outcome and when to try again ({@code null}: not again). */
    public void finish(String definition, Instant fireTime, String outcome, String detail, Instant nextTry) {
        jdbc.update(FINISH, outcome, nextTry == null ? null : Timestamp.from(nextTry), detail, detail, definition,
                Timestamp.from(fireTime));
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

    /** Every fire time since {@code since} that an instance has claimed (run, running or to be retried). */
    public Set<Instant> claimedSince(String definition, Instant since) {
        return new HashSet<>(jdbc.queryForList(CLAIMED_SINCE, Timestamp.class, definition, Timestamp.from(since)).stream()
                .map(Timestamp::toInstant).toList());
    }

    /** Failed or busy fire times since {@code since} whose next try is due at {@code now}, oldest first. */
    public List<Instant> dueRetries(String definition, Instant since, Instant now) {
        return jdbc.queryForList(DUE_RETRIES, Timestamp.class, definition, Timestamp.from(now), Timestamp.from(since))
                .stream().map(Timestamp::toInstant).toList();
    }

    /** Takes the due retry of {@code fireTime}; false when another instance took it first. */
    public boolean retry(String definition, Instant fireTime, String claimedBy, Instant now) {
        return jdbc.update(RETRY, claimedBy, definition, Timestamp.from(fireTime), Timestamp.from(now)) == 1;
    }

    /** How many times {@code fireTime} has been run so far (this one included while it runs). */
    public int attempts(String definition, Instant fireTime) {
        return jdbc.queryForObject(ATTEMPTS, Integer.class, definition, Timestamp.from(fireTime));
    }

    /**
     * When the schedule first saw {@code definition}: recorded as {@code now} the first time any
     * instance asks (or as its first claimed fire time, for one that ran before this was kept).
     */
    public Instant firstSeen(String definition, Instant now) {
        jdbc.update(SEEN, definition, definition, Timestamp.from(now));
        return jdbc.queryForObject(FIRST_SEEN, Timestamp.class, definition).toInstant();
    }
}
