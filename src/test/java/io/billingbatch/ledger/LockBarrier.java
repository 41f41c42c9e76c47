package io.billingbatch.ledger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import javax.sql.DataSource;

/**
 * Holds every statement that reads a table at the lock it takes as it starts, as {@link InsertBarrier} holds
 * an insert: for a statement that writes nothing, such as a reader's query. The barrier holds the table's
 * ACCESS EXCLUSIVE lock in a transaction of its own; a statement that names the table waits for it while it
 * is parsed, before it returns a row. {@link #awaitArrival()} returns once a session waits for that lock.
 * For a table that nothing but the held run reads meanwhile.
 */
public final class LockBarrier implements AutoCloseable {

    private static final Duration ARRIVAL = Duration.ofSeconds(60);

    private final Connection holder;

    private final String table;

    private boolean released;

    private LockBarrier(Connection holder, String table) {
        this.holder = holder;
        this.table = table;
    }

    /** Holds every statement that reads {@code table} until {@link #release()}. */
    public static LockBarrier on(DataSource dataSource, String table) throws SQLException {
        Connection holder = dataSource.getConnection();
        try (Statement lock = holder.createStatement()) {
            holder.setAutoCommit(false);
            lock.execute("LOCK TABLE " + table + " IN ACCESS EXCLUSIVE MODE");
            return new LockBarrier(holder, table);
        }
        catch (SQLException | RuntimeException ex) {
            holder.close();
            throw ex;
        }
    }

    /** Waits until a statement waits for the table's lock (or fails after 60 s); returns its backend's pid. */
    public int awaitArrival() throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + ARRIVAL.toNanos();
        try (PreparedStatement waiting = holder.prepareStatement("""
                SELECT pid FROM pg_locks WHERE locktype = 'relation' AND relation = CAST(? AS regclass) AND NOT granted""")) {
            waiting.setString(1, table);
            while (true) {
                try (ResultSet found = waiting.executeQuery()) {
                    if (found.next()) {
                        return found.getInt(1);
                    }
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError("no statement reached the lock on " + table + " within " + ARRIVAL.toSeconds() + " s");
                }
                Thread.sleep(20);
            }
        }
    }

    /** Lets the held statement (and every later one) go on. */
    public void release() throws SQLException {
        if (!released) {
            released = true;
            holder.commit();
        }
    }

    @Override
    public void close() throws SQLException {
        try {
            release();
        }
        finally {
            holder.setAutoCommit(true);
            holder.close();
        }
    }
}
