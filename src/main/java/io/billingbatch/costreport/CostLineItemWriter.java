package io.billingbatch.costreport;

import java.io.IOException;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.SQLException;

import javax.sql.DataSource;

import io.billingbatch.database.CopyText;
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
        CopyText rows = new CopyText(chunk.size() * 160);
        for (CostLine line : chunk) {
            rows.value(jobInstanceId).value(line.accountId()).value(line.type()).value(line.customerId())
                    .value(line.accountName()).value(line.records()).value(line.billableUnits()).value(line.cost()).endRow();
        }
        connection.unwrap(PGConnection.class).getCopyAPI().copyIn(COPY_LINES, new StringReader(rows.toString()));
    }
}
