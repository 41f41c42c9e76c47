package io.billingbatch.ledger;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import javax.sql.DataSource;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Holds a job at an exact point, the way a latch would: the insert that would give {@code table}
 * more than {@code rows} rows waits (a trigger takes a PostgreSQL advisory lock this barrier
 * holds) until {@link #release()}. {@link #awaitArrival()} returns once a writer waits there, so a
 * test acts while the run is known to be in the middle of that chunk. Closing releases and removes it.
 * <p>
 * The arrival is signalled, not polled for: the arriving writer marks a sequence (sequences are not
 * transactional, so the mark is seen at once) and cancels the statement in which the test waits.
 */
public final class InsertBarrier implements AutoCloseable {

    /** The advisory lock key of the barrier (a small number: pg_locks shows it as objid, classid 0). */
    static final int KEY = 424242;

    private final JdbcTemplate jdbc;

    private final String table;

    private final Connection holder;

    private final Connection waiter;

    private boolean released;

    private InsertBarrier(JdbcTemplate jdbc, String table, Connection holder, Connection waiter) {
        this.jdbc = jdbc;
        this.table = table;
        this.holder = holder;
        this.waiter = waiter;
    }

    public static InsertBarrier afterRows(JdbcTemplate jdbc, DataSource dataSource, String table, int rows)
            throws SQLException {
        Connection holder = dataSource.getConnection();
        holder.setAutoCommit(true);
        holder.createStatement().execute("SELECT pg_advisory_lock(" + KEY + ")");
        Connection waiter = dataSource.getConnection();
        waiter.setAutoCommit(true);
        long waiterPid;
        try (ResultSet pid = waiter.createStatement().executeQuery("SELECT pg_backend_pid()")) {
            pid.next();
            waiterPid = pid.getLong(1);
        }
        jdbc.execute("DROP SEQUENCE IF EXISTS barrier_arrived_" + table);
        jdbc.execute("CREATE SEQUENCE barrier_arrived_" + table);
        jdbc.execute("""
                CREATE FUNCTION barrier_insert_%1$s() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF (SELECT count(*) FROM %1$s) >= %2$d THEN
                        PERFORM setval('barrier_arrived_%1$s', 1);
                        PERFORM pg_cancel_backend(%4$d);
                        PERFORM pg_advisory_xact_lock_shared(%3$d);
                    END IF;
                    RETURN NEW;
                END $$""".formatted(table, rows, KEY, waiterPid));
        jdbc.execute("CREATE TRIGGER barrier_insert BEFORE INSERT ON %1$s FOR EACH ROW EXECUTE FUNCTION barrier_insert_%1$s()"
                .formatted(table));
        return new InsertBarrier(jdbc, table, holder, waiter);
    }

    /**
     * Waits until a writer is held at the barrier: on the barrier's own lock, in a statement the
     * arriving writer cancels (or that finds the sequence already marked by a writer that came first).
     */
    public void awaitArrival() throws SQLException {
        try (Statement wait = waiter.createStatement()) {
            wait.execute("SET lock_timeout = '60s'");
            wait.execute("SELECT pg_advisory_xact_lock_shared(" + KEY + ") FROM barrier_arrived_" + table
                    + " WHERE NOT is_called");
            if (wait.getResultSet().next()) {
                throw new AssertionError("the barrier on " + table + " was released before a writer reached it");
            }
        }
        catch (SQLException ex) {
            if ("57014".equals(ex.getSQLState())) {
                return; // query_canceled: by the writer that has just arrived
            }
            if ("55P03".equals(ex.getSQLState())) {
                throw new AssertionError("no writer reached the barrier on " + table + " within 60 s", ex);
            }
            throw ex;
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
            jdbc.execute("DROP SEQUENCE barrier_arrived_" + table);
            try (Statement reset = waiter.createStatement()) {
                reset.execute("RESET lock_timeout");
            }
            finally {
                waiter.close();
            }
        }
    }
}
