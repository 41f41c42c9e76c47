package io.billingbatch.testing;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import javax.sql.DataSource;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Waits for a committed UPDATE of a row that meets a condition, the way a latch would, for what
 * another session does (a run's heartbeat) where no latch of the test can be counted down: a
 * trigger on the table NOTIFYs a channel that this signal's own session LISTENs on, and PostgreSQL
 * delivers the notice when the updating transaction commits. Nothing is polled. Closing removes
 * the trigger and its function.
 *
 * <pre>{@code
 * try (UpdateSignal beat = UpdateSignal.afterUpdate(jdbc, dataSource, "batch_run_heartbeats",
 *         "NEW.job_execution_id = 42 AND NEW.tm_beat IS DISTINCT FROM OLD.tm_beat")) {
 *     ... // what makes it happen
 *     beat.await("a beat of execution 42", Duration.ofSeconds(30));
 * }
 * }</pre>
 */
public final class UpdateSignal implements AutoCloseable {

    private static final String CHANNEL = "test_update_signal";

    private final JdbcTemplate jdbc;

    private final String table;

    private final Connection listener;

    private UpdateSignal(JdbcTemplate jdbc, String table, Connection listener) {
        this.jdbc = jdbc;
        this.table = table;
        this.listener = listener;
    }

    /**
     * Signals each committed UPDATE of a row of {@code table} for which {@code condition} holds (a trigger's
     * {@code WHEN} condition over {@code OLD} and {@code NEW}). Listens before the trigger exists, so no such
     * update is missed from now on.
     */
    public static UpdateSignal afterUpdate(JdbcTemplate jdbc, DataSource dataSource, String table, String condition)
            throws SQLException {
        Connection listener = dataSource.getConnection();
        try (Statement listen = listener.createStatement()) {
            listener.setAutoCommit(true);
            listen.execute("LISTEN " + CHANNEL);
        }
        catch (SQLException | RuntimeException ex) {
            listener.close();
            throw ex;
        }
        UpdateSignal signal = new UpdateSignal(jdbc, table, listener);
        try {
            jdbc.execute("""
                    CREATE OR REPLACE FUNCTION test_update_signal() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                        PERFORM pg_notify('%s', TG_TABLE_NAME);
                        RETURN NULL;
                    END $$""".formatted(CHANNEL));
            jdbc.execute("DROP TRIGGER IF EXISTS test_update_signal ON " + table);
            jdbc.execute("CREATE TRIGGER test_update_signal AFTER UPDATE ON " + table + " FOR EACH ROW WHEN (" + condition
                    + ") EXECUTE FUNCTION test_update_signal()");
            return signal;
        }
        catch (RuntimeException ex) {
            signal.close();
            throw ex;
        }
    }

    /** Returns once such an update has committed (at once if one already has), or fails naming {@code what}. */
    public void await(String what, Duration timeout) throws SQLException {
        PGNotification[] notifications = listener.unwrap(PGConnection.class).getNotifications((int) timeout.toMillis());
        if (notifications == null || notifications.length == 0) {
            throw new AssertionError(what + " did not happen within " + timeout);
        }
    }

    @Override
    public void close() throws SQLException {
        try {
            jdbc.execute("DROP TRIGGER IF EXISTS test_update_signal ON " + table);
            jdbc.execute("DROP FUNCTION IF EXISTS test_update_signal()");
        }
        finally {
            try (Statement unlisten = listener.createStatement()) {
                unlisten.execute("UNLISTEN " + CHANNEL);
            }
            finally {
                listener.close();
            }
        }
    }
}
