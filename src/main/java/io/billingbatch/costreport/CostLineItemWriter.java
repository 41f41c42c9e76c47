package io.billingbatch.costreport;

import java.io.IOException;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.SQLException;

import javax.sql.DataSource;

import org.postgresql.PGConnection;

import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.infrastructure.item.ItemWriter;
import org.springframework.jdbc.datasource.DataSourceUtils;

/**
 * Stores a chunk of lines under the run with {@code COPY} on the chunk's own transaction. The
 * chunk's key range is deleted first, so writing the same chunk again (a restart that re-reads
 * it) replaces rather than duplicates. Lines arrive ordered by account and type.
 */
class CostLineItemWriter implements ItemWriter<CostLine> {

    private static final String DELETE_RANGE = """
            DELETE FROM cost_report_lines
            WHERE job_instance_id = ? AND (account_id, type) >= (?, ?) AND (account_id, type) <= (?, ?)
            """;

    private static final String COPY_LINES = """
            COPY cost_report_lines (job_instance_id, account_id, type, customer_id, account_name, records,
                                    billable_units, cost_credit) FROM STDIN
            """;

    private final DataSource dataSource;

    private final long jobInstanceId;

    CostLineItemWriter(DataSource dataSource, long jobInstanceId) {
        this.dataSource = dataSource;
        this.jobInstanceId = jobInstanceId;
    }

    @Override
    public void write(Chunk<? extends CostLine> chunk) throws SQLException, IOException {
        if (chunk.isEmpty()) {
            return;
        }
        Connection connection = DataSourceUtils.getConnection(dataSource); // the chunk transaction's
        CostLine first = chunk.getItems().get(0);
        CostLine last = chunk.getItems().get(chunk.size() - 1);
        try (var delete = connection.prepareStatement(DELETE_RANGE)) {
            delete.setLong(1, jobInstanceId);
            delete.setObject(2, first.accountId());
            delete.setString(3, first.type());
            delete.setObject(4, last.accountId());
            delete.setString(5, last.type());
            delete.executeUpdate();
        }
        StringBuilder rows = new StringBuilder(chunk.size() * 160);
        for (CostLine line : chunk) {
            rows.append(jobInstanceId).append('\t').append(line.accountId()).append('\t');
            appendText(rows, line.type()).append('\t');
            rows.append(line.customerId() == null ? "\\N" : line.customerId().toString()).append('\t');
            appendText(rows, line.accountName()).append('\t');
            rows.append(line.records()).append('\t').append(line.billableUnits()).append('\t').append(line.cost()).append('\n');
        }
        connection.unwrap(PGConnection.class).getCopyAPI().copyIn(COPY_LINES, new StringReader(rows.toString()));
    }

    /** COPY text format: NULL is \N; backslash, tab, newline and carriage return are escaped. */
    private static StringBuilder appendText(StringBuilder rows, String value) {
        if (value == null) {
            return rows.append("\\N");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> rows.append("\\\\");
                case '\t' -> rows.append("\\t");
                case '\n' -> rows.append("\\n");
                case '\r' -> rows.append("\\r");
                default -> rows.append(c);
            }
        }
        return rows;
    }
}
