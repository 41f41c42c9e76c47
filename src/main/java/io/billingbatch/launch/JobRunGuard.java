package io.billingbatch.launch;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

import javax.sql.DataSource;

import org.springframework.stereotype.Component;

/**
 * Guarantees one live run per job instance across processes: a run holds a PostgreSQL session
 * advisory lock for as long as it works. The lock dies with the session, so an execution that
 * still says STARTED while nobody holds its lock belongs to a process that was killed.
 */
@Component
public class JobRunGuard {

    private final DataSource dataSource;

    public JobRunGuard(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The lease on {@code key}, or empty when another live process holds it. */
    public Optional<Lease> tryAcquire(String key) {
        long lockId = lockId(key);
        Connection connection = null;
        try {
            connection = dataSource.getConnection();
            connection.setAutoCommit(true);
            try (var statement = connection.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
                statement.setLong(1, lockId);
                try (var result = statement.executeQuery()) {
                    result.next();
                    if (result.getBoolean(1)) {
                        return Optional.of(new Lease(key, connection, lockId));
                    }
                }
            }
            connection.close();
            return Optional.empty();
        }
        catch (SQLException ex) {
            closeQuietly(connection);
            throw new IllegalStateException("Could not take the run lock for " + key + ": " + ex.getMessage(), ex);
        }
    }

    static long lockId(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(digest).getLong();
        }
        catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static void closeQuietly(Connection connection) {
        if (connection != null) {
            try {
                connection.close();
            }
            catch (SQLException ignored) {
                // the connection is being discarded anyway
            }
        }
    }

    /** Work done on the lease's own session, the one that holds the lock. */
    @FunctionalInterface
    interface SessionWork<T> {

        T apply(Connection connection, long lockId) throws SQLException;
    }

    /**
     * Held while a run works; closing releases the lock. The lock lives exactly as long as the
     * lease's database session: when that session dies (its backend terminated, the network cut),
     * the lock is gone although the lease object is still here, which {@link RunHeartbeats} notices.
     */
    public static final class Lease implements AutoCloseable {

        private final String key;

        private final Connection connection;

        private final long lockId;

        private Lease(String key, Connection connection, long lockId) {
            this.key = key;
            this.connection = connection;
            this.lockId = lockId;
        }

        public String key() {
            return key;
        }

        /** Runs {@code work} on the session that holds the lock; one caller at a time. */
        synchronized <T> T onSession(SessionWork<T> work) throws SQLException {
            return work.apply(connection, lockId);
        }

        @Override
        public synchronized void close() {
            try (var statement = connection.prepareStatement("SELECT pg_advisory_unlock(?)")) {
                statement.setLong(1, lockId);
                statement.execute();
            }
            catch (SQLException ignored) {
                // closing the session below releases the lock in any case
            }
            finally {
                closeQuietly(connection);
            }
        }
    }
}
