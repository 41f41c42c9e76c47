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
 * statement and ends with it, never leaking to the pooled connection.
 */
record LocalWorkMem(String workMem, Object... arguments) implements PreparedStatementSetter {

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
        }
        new ArgumentPreparedStatementSetter(arguments).setValues(statement);
    }
}
