package io.billingbatch.reconciliation;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;

import org.springframework.jdbc.core.ArgumentPreparedStatementSetter;
import org.springframework.jdbc.core.PreparedStatementSetter;

/**
 * Binds a reader's arguments after setting {@code work_mem} for the reader's own transaction
 * ({@code SET LOCAL}): the reconciliation's statements sort and group a whole period (a month of
 * 10M rows sorts by account and posting_seq for the chain), which the server's default (4 MB)
 * sends to disk. The reader must run with auto-commit off
 * ({@code JdbcCursorItemReaderBuilder.connectionAutoCommit(false)}) so the setting lasts for its
 * statement and ends with it, never leaking to the pooled connection. With {@code sortedScan}, the
 * statement also runs with {@code enable_indexscan = off}: the chain's window over a whole period
 * then reads it by a sequential (or bitmap range) scan and sorts it, rather than the index-ordered
 * scan on {@code (account_id, posting_seq)} the planner prefers at millions of rows, which fetches
 * the heap in account order (10M rows: 22 s against 9 s for the scan and sort); probes by an index
 * then go through a bitmap scan of the same index; and with {@code parallel_tuple_cost = 0.01}, so
 * that the scan and the sort run in the parallel workers as well.
 */
record LocalWorkMem(String workMem, boolean sortedScan, Object... arguments) implements PreparedStatementSetter {

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
            if (sortedScan) {
                set.execute("SET LOCAL enable_indexscan = off");
                // the chain's sort in the workers, merged by a Gather Merge: the default cost of passing a row
                // from a worker (0.1) keeps it in one process (10M rows: 16.1 s against 12.1 s for the statement)
                set.execute("SET LOCAL parallel_tuple_cost = 0.01");
            }
        }
        new ArgumentPreparedStatementSetter(arguments).setValues(statement);
    }
}
