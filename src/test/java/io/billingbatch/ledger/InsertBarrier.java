package io.billingbatch.ledger;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import javax.sql.DataSource;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Holds a job at an exact point, the way a latch would: the insert that would give {@code table}
 * more than {@code rows} rows ({@link #afterRows}), or the insert of a row that meets a condition
 * ({@link #atRow}), waits (a trigger takes a PostgreSQL advisory lock this barrier holds) until
 * {@link #release()}; another process's insert too, as it goes through the same database. {@link #awaitArrival()} returns once a writer waits there, so a
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
        return atRow(jdbc, dataSource, table, "(SELECT count(*) FROM %s) >= %d".formatted(table, rows));
    }

    /**
     * Holds the insert of the first row of {@code table} for which {@code condition} holds (a PL/pgSQL condition
     * over {@code NEW}, such as {@code NEW.account_id = '...'}), and every later such insert, until {@link #release()}.
     */
    public static InsertBarrier atRow(JdbcTemplate jdbc, DataSource dataSource, String table, String condition)
            throws SQLException {
        Connection holder = dataSource.getConnection();
        holder.setAutoCommit(true);
        holder.createStatement().execute("SELECT pg_advisory_lock(" + KEY + ")");
        Connection waiter = dataSource.getConnection();
        waiter.setAutoCommit(true);
        long waiterPid = backendPid(waiter);
        jdbc.execute("DROP SEQUENCE IF EXISTS barrier_arrived_" + table);
        jdbc.execute("CREATE SEQUENCE barrier_arrived_" + table);
        jdbc.execute("""
                CREATE FUNCTION barrier_insert_%1$s() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF %2$s THEN
                        PERFORM setval('barrier_arrived_%1$s', 1);
                        PERFORM pg_cancel_backend(%4$d);
                        PERFORM pg_advisory_xact_lock_shared(%3$d);
                    END IF;
                    RETURN NEW;
                END $$""".formatted(table, condition, KEY, waiterPid));
        jdbc.execute("CREATE TRIGGER barrier_insert BEFORE INSERT ON %1$s FOR EACH ROW EXECUTE FUNCTION barrier_insert_%1$s()"
                .formatted(table));
        return new InsertBarrier(jdbc, table, holder, waiter);
    }

    static long backendPid(Connection connection) throws SQLException {
        try (ResultSet pid = connection.createStatement().executeQuery("SELECT pg_backend_pid()")) {
            pid.next();
            return pid.getLong(1);
        }
    }

    /**
     * Waits until a writer is held at the barrier: on the barrier's own lock, in a statement the
     * arriving writer cancels (or that finds the sequence already marked by a writer that came first).
     */
    public void awaitArrival() throws SQLException {
        awaitArrival(waiter, KEY, "barrier_arrived_" + table, "a writer", "the barrier on " + table);
    }

    /**
     * Returns once {@code who} has marked the sequence {@code arrived} and cancelled the statement in which this
     * waits on the lock {@code key} (shared, against the barrier's exclusive hold), or found the mark already made.
     */
    static void awaitArrival(Connection waiter, int key, String arrived, String who, String barrier) throws SQLException {
        try (Statement wait = waiter.createStatement()) {
            wait.execute("SET lock_timeout = '60s'");
            wait.execute("SELECT pg_advisory_xact_lock_shared(" + key + ") FROM " + arrived + " WHERE NOT is_called");
            if (wait.getResultSet().next()) {
                throw new AssertionError(barrier + " was released before " + who + " reached it");
            }
        }
        catch (SQLException ex) {
            if ("57014".equals(ex.getSQLState())) {
                return; // query_canceled: by the one that has just arrived
            }
            if ("55P03".equals(ex.getSQLState())) {
                throw new AssertionError("no " + who.replaceFirst("^an? ", "") + " reached " + barrier + " within 60 s", ex);
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
