package io.billingbatch.reconciliation;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;

import org.springframework.jdbc.core.ArgumentPreparedStatementSetter;
import org.springframework.jdbc.core.PreparedStatementSetter;

/**
 * Binds a reader's arguments after setting {@code work_mem} for the reader's own transaction
 * ({@code SET LOCAL}): the reconciliation's account step sorts a whole period by account and
 * posting_seq (a month of 10M rows), which the server's default (4 MB) sends to disk. The reader
 * must run with auto-commit off ({@code JdbcCursorItemReaderBuilder.connectionAutoCommit(false)}) so
 * the setting lasts for its statement and ends with it, never leaking to the pooled connection. With
 * {@code parallelSort}, the statement also runs with {@code parallel_tuple_cost = 0.01}, so that the
 * period's read and its sort run in the parallel workers, merged by a Gather Merge: the default cost of
 * passing a row from a worker (0.1) prices the merge of 10M rows above a sort in one process. Index
 * scans stay on: the same statement probes each account's last posting by the (account_id,
 * posting_seq) index, a few rows, where a bitmap scan would read the account's whole history.
 */
record LocalWorkMem(String workMem, boolean parallelSort, Object... arguments) implements PreparedStatementSetter {

    LocalWorkMem(String workMem, Object... arguments) {
        this(workMem, false, arguments);
    }

    LocalWorkMem {
        if (workMem == null || !workMem.matches("[0-9]{1,7}(kB|MB|GB)")) {
            throw new IllegalArgumentException(
                    "billing.reconciliation.work-mem must be a size like 512MB (kB, MB or GB), was '" + workMem + "'");
        }
    }

    @Override
    public void setValues(PreparedStatement statement) throws SQLException {
        if (statement.getConnection().getAutoCommit()) {
            throw new IllegalStateException("SET LOCAL work_mem needs the reader's transaction: auto-commit is on");
        }
        try (Statement set = statement.getConnection().createStatement()) {
            set.execute("SET LOCAL work_mem = '" + workMem + "'");
            if (parallelSort) {
                set.execute("SET LOCAL parallel_tuple_cost = 0.01");
            }
        }
        new ArgumentPreparedStatementSetter(arguments).setValues(statement);
    }
}
