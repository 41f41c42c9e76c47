package io.billingbatch.ledger;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;

import javax.sql.DataSource;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Holds a job at an exact point, the way a latch would: the insert that would give {@code table}
 * more than {@code rows} rows waits (a trigger takes a PostgreSQL advisory lock this barrier
 * holds) until {@link #release()}. {@link #awaitArrival()} returns once a writer waits there, so a
 * test acts while the run is known to be in the middle of that chunk. Closing releases and removes it.
 */
public final class InsertBarrier implements AutoCloseable {

    /** The advisory lock key of the barrier (a small number: pg_locks shows it as objid, classid 0). */
    static final int KEY = 424242;

    private final JdbcTemplate jdbc;

    private final String table;

    private final Connection holder;

    private boolean released;

    private InsertBarrier(JdbcTemplate jdbc, String table, Connection holder) {
        this.jdbc = jdbc;
        this.table = table;
        this.holder = holder;
    }

    public static InsertBarrier afterRows(JdbcTemplate jdbc, DataSource dataSource, String table, int rows)
            throws SQLException {
        Connection holder = dataSource.getConnection();
        holder.setAutoCommit(true);
        holder.createStatement().execute("SELECT pg_advisory_lock(" + KEY + ")");
        jdbc.execute("""
                CREATE FUNCTION barrier_insert_%1$s() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF (SELECT count(*) FROM %1$s) >= %2$d THEN
                        PERFORM pg_advisory_xact_lock_shared(%3$d);
                    END IF;
                    RETURN NEW;
                END $$""".formatted(table, rows, KEY));
        jdbc.execute("CREATE TRIGGER barrier_insert BEFORE INSERT ON %1$s FOR EACH ROW EXECUTE FUNCTION barrier_insert_%1$s()"
                .formatted(table));
        return new InsertBarrier(jdbc, table, holder);
    }

    /** Waits until a writer is held at the barrier. */
    public void awaitArrival() {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (jdbc.queryForObject("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                + " AND classid = 0 AND objid = " + KEY, Long.class) == 0) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("no writer reached the barrier on " + table);
            }
            pause();
        }
    }

    private static void pause() {
        try {
            Thread.sleep(20);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /** Lets the held writer (and every later one) go on. */
    public void release() throws SQLException {
        if (!released) {
            released = true;
            holder.createStatement().execute("SELECT pg_advisory_unlock(" + KEY + ")");
        }
    }

    @Override
    public void close() throws SQLException {
        try {
            release();
        }
        finally {
            holder.close();
            jdbc.execute("DROP TRIGGER barrier_insert ON " + table);
            jdbc.execute("DROP FUNCTION barrier_insert_" + table + "()");
        }
    }
}
