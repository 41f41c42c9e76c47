package io.billingbatch.launch;

import java.sql.Connection;
import java.sql.SQLException;

import javax.sql.DataSource;

import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * Names every connection in PostgreSQL's {@code application_name} after the job run that uses it:
 * a connection taken on the thread of a running job (its readers' grouping and window queries, its
 * chunk transactions, its files) is {@code billing-batch/<job>/<execution id>}, any other one
 * {@code billing-batch}. So {@code pg_stat_activity} shows which run a query belongs to, and a
 * launch that recovers the execution of a process that died can cancel that execution's queries,
 * which PostgreSQL would otherwise keep running against the restart. The name is set as the
 * connection is handed out; pgjdbc sends a {@code SET} only when the name changes.
 */
public class JobConnectionTags extends DelegatingDataSource {

    /** The name of a connection that no job run uses. */
    static final String UNTAGGED = "billing-batch";

    /** PostgreSQL keeps the first 63 bytes of an application_name. */
    private static final int MAX_LENGTH = 63;

    private static final ThreadLocal<String> CURRENT = new ThreadLocal<>();

    public JobConnectionTags(DataSource target) {
        super(target);
    }

    /** The application_name of the connections of {@code jobName}'s execution {@code executionId}. */
    public static String tag(String jobName, long executionId) {
        String tag = UNTAGGED + "/" + jobName + "/" + executionId;
        return tag.length() <= MAX_LENGTH ? tag : tag.substring(tag.length() - MAX_LENGTH);
    }

    /** Connections taken on this thread from now on belong to the execution (until {@link #untag()}). */
    static void tagThread(String jobName, long executionId) {
        CURRENT.set(tag(jobName, executionId));
    }

    static void untag() {
        CURRENT.remove();
    }

    /**
     * The task, to run on another thread (a pool's) as working for the run of the thread that submits
     * it: a partition of a run's step takes connections named after the run, and a task submitted by
     * no run takes untagged ones, whatever the pool thread ran before. A {@code TaskDecorator}.
     */
    public static Runnable carried(Runnable task) {
        String name = CURRENT.get();
        return () -> {
            String previous = CURRENT.get();
            set(name);
            try {
                task.run();
            }
            finally {
                set(previous);
            }
        };
    }

    private static void set(String name) {
        if (name == null) {
            CURRENT.remove();
        }
        else {
            CURRENT.set(name);
        }
    }

    @Override
    public Connection getConnection() throws SQLException {
        return named(super.getConnection());
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return named(super.getConnection(username, password));
    }

    private static Connection named(Connection connection) throws SQLException {
        String name = CURRENT.get();
        try {
            connection.setClientInfo("ApplicationName", name == null ? UNTAGGED : name);
            return connection;
        }
        catch (SQLException ex) {
            connection.close();
            throw ex;
        }
    }
}
