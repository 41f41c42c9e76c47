package io.billingbatch.reconciliation;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

import io.billingbatch.database.CopyText;
import org.postgresql.PGConnection;

import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.infrastructure.item.ItemWriter;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Stores accounts and their account-level findings under the run; writing a chunk again replaces it.
 * The chunk's accounts are deleted, then stored with one {@code COPY} on the chunk's transaction
 * (20,000 accounts: one statement per chunk instead of one upsert per account), and so are the notes
 * their read leaves the ledger step ({@link ReadAccounts}). The readers deliver accounts in
 * account_id order, so a chunk's accounts are the range from its first to its last: deleted by
 * that range, a condition of the primary key's index whatever the table's statistics say. With
 * {@code account_id = ANY (?)} the plan depended on them: the work tables are emptied at every
 * publish, and the plans made for a near-empty table compared each row of the run with the whole
 * array (a chunk of 2,000 after 18,000 accounts: 0.2 - 11 s; the step's deletes grew with the square
 * of its accounts).
 */
class AccountReconciliationItemWriter implements ItemWriter<AccountReconciliation> {

    static final String DELETE_ACCOUNTS = """
            DELETE FROM reconciliation_accounts WHERE job_instance_id = ? AND account_id BETWEEN ? AND ?
            """;

    private static final String COPY_ACCOUNTS = """
            COPY reconciliation_accounts (job_instance_id, account_id, customer_id, account_name, account_exists,
                opening, credits, charges_call, charges_sms, charges_number, other_debits, closing, stored_balance,
                ledger_rows, finding_kinds, last_posting_seq, last_snapshot, last_expected, row_digest, first_seq,
                closing_seq, closing_snapshot) FROM STDIN
            """;

    /** PostgreSQL's order of uuid values: their bytes unsigned ({@link UUID#compareTo} compares signed longs). */
    static final Comparator<UUID> PG_UUID_ORDER = Comparator
            .<UUID>comparingLong(id -> id.getMostSignificantBits() ^ Long.MIN_VALUE)
            .thenComparingLong(id -> id.getLeastSignificantBits() ^ Long.MIN_VALUE);

    private final JdbcTemplate jdbc;

    private final long jobInstanceId;

    private final Instant readStart;

    AccountReconciliationItemWriter(JdbcTemplate jdbc, long jobInstanceId, Instant readStart) {
        this.jdbc = jdbc;
        this.jobInstanceId = jobInstanceId;
        this.readStart = readStart;
    }

    @Override
    public void write(Chunk<? extends AccountReconciliation> chunk) {
        if (chunk.isEmpty()) {
            return;
        }
        UUID first = null;
        UUID last = null;
        CopyText rows = new CopyText(chunk.size() * 320);
        CopyText reads = new CopyText(chunk.size() * 80);
        List<Finding> findings = new ArrayList<>();
        for (AccountReconciliation item : chunk) {
            AccountBalance b = item.balance();
            if (last != null && PG_UUID_ORDER.compare(last, b.accountId()) >= 0) {
                throw new IllegalStateException("accounts out of account_id order: " + b.accountId() + " after " + last);
            }
            first = first == null ? b.accountId() : first;
            last = b.accountId();
            rows.value(jobInstanceId).value(b.accountId()).value(b.customerId()).value(b.accountName())
                    .value(b.accountExists()).value(b.opening()).value(b.credits()).value(b.chargesCall())
                    .value(b.chargesSms()).value(b.chargesNumber()).value(b.otherDebits()).value(b.closing())
                    .value(b.storedBalance()).value(b.ledgerRows()).value(item.findingKinds()).value(b.lastPostingSeq())
                    .value(b.lastSnapshot()).value(b.lastExpected()).value(b.rowDigest()).value(b.firstSeq())
                    .value(b.closingSeq()).value(b.closingSnapshot()).endRow();
            findings.addAll(item.findings());
            if (b.read() != null) {
                ReadAccounts.row(reads, jobInstanceId, readStart, b.accountId(), b.read());
            }
        }
        UUID from = first;
        UUID to = last;
        jdbc.execute((ConnectionCallback<Long>) connection -> { // the chunk transaction's connection
            try (var delete = connection.prepareStatement(DELETE_ACCOUNTS);
                    var deleteReads = connection.prepareStatement(ReadAccounts.DELETE)) {
                delete.setLong(1, jobInstanceId);
                delete.setObject(2, from);
                delete.setObject(3, to);
                delete.executeUpdate();
                deleteReads.setLong(1, jobInstanceId);
                deleteReads.setTimestamp(2, java.sql.Timestamp.from(readStart));
                deleteReads.setObject(3, from);
                deleteReads.setObject(4, to);
                deleteReads.executeUpdate();
            }
            try {
                var copy = connection.unwrap(PGConnection.class).getCopyAPI();
                copy.copyIn(ReadAccounts.COPY, new StringReader(reads.toString()));
                return copy.copyIn(COPY_ACCOUNTS, new StringReader(rows.toString()));
            }
            catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        });
        FindingItemWriter.insert(jdbc, jobInstanceId, findings);
    }
}
