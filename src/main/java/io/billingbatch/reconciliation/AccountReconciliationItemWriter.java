package io.billingbatch.reconciliation;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.infrastructure.item.ItemWriter;
import org.springframework.jdbc.core.JdbcTemplate;

/** Stores accounts and their account-level findings under the run; writing a chunk again replaces it. */
class AccountReconciliationItemWriter implements ItemWriter<AccountReconciliation> {

    private static final String UPSERT_ACCOUNT = """
            INSERT INTO reconciliation_accounts (job_instance_id, account_id, customer_id, account_name, account_exists,
                opening, credits, charges_call, charges_sms, charges_number, other_debits, closing, stored_balance,
                ledger_rows, finding_kinds, last_posting_seq, last_snapshot, last_expected, row_digest, first_seq,
                closing_seq, closing_snapshot)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (job_instance_id, account_id) DO UPDATE SET
                customer_id = EXCLUDED.customer_id, account_name = EXCLUDED.account_name,
                account_exists = EXCLUDED.account_exists, opening = EXCLUDED.opening, credits = EXCLUDED.credits,
                charges_call = EXCLUDED.charges_call, charges_sms = EXCLUDED.charges_sms,
                charges_number = EXCLUDED.charges_number, other_debits = EXCLUDED.other_debits,
                closing = EXCLUDED.closing, stored_balance = EXCLUDED.stored_balance,
                ledger_rows = EXCLUDED.ledger_rows, finding_kinds = EXCLUDED.finding_kinds,
                last_posting_seq = EXCLUDED.last_posting_seq, last_snapshot = EXCLUDED.last_snapshot,
                last_expected = EXCLUDED.last_expected, row_digest = EXCLUDED.row_digest,
                first_seq = EXCLUDED.first_seq, closing_seq = EXCLUDED.closing_seq,
                closing_snapshot = EXCLUDED.closing_snapshot
            """;

    private final JdbcTemplate jdbc;

    private final long jobInstanceId;

    private final Timestamp readStart;

    AccountReconciliationItemWriter(JdbcTemplate jdbc, long jobInstanceId, Instant readStart) {
        this.jdbc = jdbc;
        this.jobInstanceId = jobInstanceId;
        this.readStart = Timestamp.from(readStart);
    }

    @Override
    public void write(Chunk<? extends AccountReconciliation> chunk) {
        List<Object[]> accounts = new ArrayList<>(chunk.size());
        List<Object[]> reads = new ArrayList<>();
        List<Finding> findings = new ArrayList<>();
        for (AccountReconciliation item : chunk) {
            AccountBalance b = item.balance();
            accounts.add(new Object[] { jobInstanceId, b.accountId(), b.customerId(), b.accountName(), b.accountExists(),
                    b.opening(), b.credits(), b.chargesCall(), b.chargesSms(), b.chargesNumber(), b.otherDebits(),
                    b.closing(), b.storedBalance(), b.ledgerRows(), item.findingKinds(), b.lastPostingSeq(), b.lastSnapshot(),
                    b.lastExpected(), b.rowDigest(), b.firstSeq(), b.closingSeq(), b.closingSnapshot() });
            findings.addAll(item.findings());
            if (b.read() != null) {
                reads.add(ReadAccounts.row(jobInstanceId, readStart, b.accountId(), b.read()));
            }
        }
        jdbc.batchUpdate(UPSERT_ACCOUNT, accounts);
        jdbc.batchUpdate(ReadAccounts.UPSERT, reads);
        FindingItemWriter.insert(jdbc, jobInstanceId, findings);
    }
}
