package io.billingbatch.reconciliation;

import io.billingbatch.testing.BillingTest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@BillingTest
class LocalWorkMemTest {

    @Autowired
    DataSource dataSource;

    @Test
    void theStatementRunsWithItsWorkMemAndTheConnectionKeepsItsOwn() throws Exception {
        try (Connection connection = dataSource.getConnection()) {
            String before = setting(connection, "SELECT current_setting('work_mem'), 1");
            connection.setAutoCommit(false);
            try (PreparedStatement statement = connection.prepareStatement("SELECT current_setting('work_mem'), ?::int")) {
                new LocalWorkMem("96MB", 7).setValues(statement);
                try (ResultSet rows = statement.executeQuery()) {
                    rows.next();
                    assertThat(rows.getString(1)).isEqualTo("96MB");
                    assertThat(rows.getInt(2)).isEqualTo(7);
                }
            }
            connection.setAutoCommit(true); // as the reader does when it closes: the transaction ends
            assertThat(setting(connection, "SELECT current_setting('work_mem'), 1")).isEqualTo(before).isNotEqualTo("96MB");
        }
    }

    @Test
    void aParallelSortStatementRunsWithCheapWorkerRowsAndKeepsIndexScansAndTheConnectionKeepsItsSettings() throws Exception {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement statement = connection.prepareStatement(
                    "SELECT current_setting('enable_indexscan'), current_setting('work_mem'), ?::int,"
                    + " current_setting('parallel_tuple_cost')")) {
                new LocalWorkMem("96MB", true, new Object[] { 7 }).setValues(statement);
                try (ResultSet rows = statement.executeQuery()) {
                    rows.next();
                    assertThat(rows.getString(1)).isEqualTo("on");
                    assertThat(rows.getString(2)).isEqualTo("96MB");
                    assertThat(rows.getInt(3)).isEqualTo(7);
                    assertThat(rows.getString(4)).isEqualTo("0.01");
                }
            }
            connection.setAutoCommit(true);
            assertThat(setting(connection, "SELECT current_setting('parallel_tuple_cost'), 1")).isNotEqualTo("0.01");
        }
    }

    @Test
    void aBadSizeOrAnAutoCommitConnectionIsRefused() throws Exception {
        assertThatThrownBy(() -> new LocalWorkMem("lots")).hasMessageContaining("billing.reconciliation.work-mem");
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement("SELECT 1")) {
            assertThatThrownBy(() -> new LocalWorkMem("96MB").setValues(statement)).hasMessageContaining("auto-commit is on");
        }
    }

    private static String setting(Connection connection, String sql) throws Exception {
        try (PreparedStatement statement = connection.prepareStatement(sql); ResultSet rows = statement.executeQuery()) {
            rows.next();
            return rows.getString(1);
        }
    }
}
