package io.billingbatch.reconciliation;

import java.util.List;

import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.infrastructure.item.ItemWriter;
import org.springframework.jdbc.core.JdbcTemplate;

/** Stores findings under the run; a finding written again (a restart) is not duplicated. */
class FindingItemWriter implements ItemWriter<Finding> {

    private static final String INSERT_FINDING = """
            INSERT INTO reconciliation_findings (job_instance_id, finding_key, kind, account_id, ledger_id, expected,
                actual, difference, detail)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (job_instance_id, finding_key) DO NOTHING
            """;

    private final JdbcTemplate jdbc;

    private final long jobInstanceId;

    FindingItemWriter(JdbcTemplate jdbc, long jobInstanceId) {
        this.jdbc = jdbc;
        this.jobInstanceId = jobInstanceId;
    }

    @Override
    public void write(Chunk<? extends Finding> chunk) {
        insert(jdbc, jobInstanceId, chunk.getItems());
    }

    static void insert(JdbcTemplate jdbc, long jobInstanceId, List<? extends Finding> findings) {
        if (findings.isEmpty()) {
            return;
        }
        jdbc.batchUpdate(INSERT_FINDING, findings.stream().map(f -> new Object[] { jobInstanceId, f.key(), f.kind(),
                f.accountId(), f.ledgerId(), f.expected(), f.actual(), f.difference(), f.detail() }).toList());
    }
}
