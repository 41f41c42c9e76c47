package io.billingbatch.ledger;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.StringJoiner;

import javax.sql.DataSource;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Holds a statement at its first call of a SQL function, as {@link InsertBarrier} holds an insert: for a
 * statement that writes nothing, such as a reader's query (a SELECT fires no trigger). While the barrier
 * stands, the function (same name, same object, so every plan that calls or inlines it is planned again) waits
 * on the barrier's advisory lock and then returns what the original returns (a copy of it under another
 * name); closing puts the original back. {@link #awaitArrival()} returns once a statement is held there,
 * signalled as {@link InsertBarrier}'s arrival is: the first caller marks a sequence and cancels the statement
 * in which the test waits. For a function of one value (not a set) that nothing but the held run calls
 * meanwhile.
 */
public final class CallBarrier implements AutoCloseable {

    /** The advisory lock key of the barrier, not {@link InsertBarrier}'s, so both can stand at once. */
    static final int KEY = 424243;

    private final JdbcTemplate jdbc;

    private final String function;

    private final String original;

    private final Connection holder;

    private final Connection waiter;

    private boolean released;

    private CallBarrier(JdbcTemplate jdbc, String function, String original, Connection holder, Connection waiter) {
        this.jdbc = jdbc;
        this.function = function;
        this.original = original;
        this.holder = holder;
        this.waiter = waiter;
    }

    /** Holds every call of {@code function} (an unqualified name, not overloaded) until {@link #release()}. */
    public static CallBarrier atFirstCall(JdbcTemplate jdbc, DataSource dataSource, String function) throws SQLException {
        Map<String, Object> found = jdbc.queryForMap("""
                SELECT pg_get_functiondef(p.oid) AS definition, pg_get_function_arguments(p.oid) AS arguments,
                       pg_get_function_result(p.oid) AS result, p.pronargs AS count
                FROM pg_proc p WHERE p.oid = CAST(? AS regproc)""", function);
        String original = (String) found.get("definition");
        String copy = original.replaceFirst("FUNCTION (\\S+\\.)?" + function + "\\(", "FUNCTION $1" + function + "_behind_barrier(");
        if (copy.equals(original)) {
            throw new IllegalStateException("no header 'FUNCTION " + function + "(' in " + original);
        }
        StringJoiner arguments = new StringJoiner(", ");
        for (int i = 1; i <= ((Number) found.get("count")).intValue(); i++) {
            arguments.add("$" + i);
        }
        Connection holder = dataSource.getConnection();
        holder.setAutoCommit(true);
        holder.createStatement().execute("SELECT pg_advisory_lock(" + KEY + ")");
        Connection waiter = dataSource.getConnection();
        waiter.setAutoCommit(true);
        long waiterPid = InsertBarrier.backendPid(waiter);
        CallBarrier barrier = new CallBarrier(jdbc, function, original, holder, waiter);
        try {
            barrier.replace(copy, (String) found.get("arguments"), (String) found.get("result"), waiterPid, arguments.toString());
        }
        catch (RuntimeException ex) {
            try {
                barrier.close();
            }
            catch (SQLException | RuntimeException closing) {
                ex.addSuppressed(closing);
            }
            throw ex;
        }
        return barrier;
    }

    private void replace(String copy, String parameters, String result, long waiterPid, String arguments) {
        jdbc.execute("DROP SEQUENCE IF EXISTS " + function + "_barrier_arrived");
        jdbc.execute("CREATE SEQUENCE " + function + "_barrier_arrived");
        jdbc.execute(copy);
        jdbc.execute("""
                CREATE OR REPLACE FUNCTION %1$s(%2$s) RETURNS %3$s LANGUAGE plpgsql VOLATILE AS $$
                BEGIN
                    IF NOT (SELECT is_called FROM %1$s_barrier_arrived) THEN
                        PERFORM setval('%1$s_barrier_arrived', 1);
                        PERFORM pg_cancel_backend(%5$d);
                    END IF;
                    PERFORM pg_advisory_xact_lock_shared(%4$d); -- held until the caller's transaction ends
                    RETURN %1$s_behind_barrier(%6$s);
                END $$""".formatted(function, parameters, result, KEY, waiterPid, arguments));
    }

    /** Waits until a statement is held at the barrier (or fails after 60 s). */
    public void awaitArrival() throws SQLException {
        InsertBarrier.awaitArrival(waiter, KEY, function + "_barrier_arrived", "a call of " + function,
                "the barrier on " + function);
    }

    /** Lets the held statement (and every later call) go on. */
    public void release() throws SQLException {
        if (!released) {
            released = true;
            holder.createStatement().execute("SELECT pg_advisory_unlock(" + KEY + ")");
        }
    }

    /**
     * Releases, waits until every transaction that went through the barrier has ended (each holds its lock
     * until then: a caller still inside the replaced function would fail once the original is back), and
     * puts the original back (before it lets a later caller through).
     */
    @Override
    public void close() throws SQLException {
        try (Statement statement = holder.createStatement()) {
            try {
                release();
                statement.execute("SET lock_timeout = '60s'");
                statement.execute("SELECT pg_advisory_lock(" + KEY + ")");
            }
            catch (SQLException ex) {
                if ("55P03".equals(ex.getSQLState())) {
                    throw new AssertionError("a transaction that called " + function + " was still open 60 s after the release", ex);
                }
                throw ex;
            }
            finally {
                try {
                    jdbc.execute(original);
                    jdbc.execute("DROP FUNCTION IF EXISTS " + function + "_behind_barrier");
                    jdbc.execute("DROP SEQUENCE IF EXISTS " + function + "_barrier_arrived");
                }
                finally {
                    statement.execute("SELECT pg_advisory_unlock_all()"); // the connection goes back to the pool
                    statement.execute("RESET lock_timeout");
                }
            }
        }
        finally {
            try (Statement reset = waiter.createStatement()) {
                reset.execute("RESET lock_timeout");
            }
            finally {
                holder.close();
                waiter.close();
            }
        }
    }
}
