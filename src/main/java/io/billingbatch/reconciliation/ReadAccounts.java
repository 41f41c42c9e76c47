package io.billingbatch.reconciliation;

import java.time.Instant;
import java.util.Arrays;
import java.util.UUID;
import java.util.stream.Collectors;

import io.billingbatch.database.CopyText;

/**
 * The account step's note to the ledger step, per account it read rows of
 * ({@code reconciliation_read_accounts}): the first posting read and the postings whose chain or row
 * checks the ledger step must judge. A chunk written again (after a restart) deletes its accounts'
 * notes first, so it leaves what one write leaves.
 */
final class ReadAccounts {

    /** A chunk's accounts, as the range from its first to its last (see {@link AccountReconciliationItemWriter}). */
    static final String DELETE = """
            DELETE FROM reconciliation_read_accounts
            WHERE job_instance_id = ? AND read_start = ? AND account_id BETWEEN ? AND ?
            """;

    static final String COPY = """
            COPY reconciliation_read_accounts (job_instance_id, read_start, account_id, first_seq, candidates) FROM STDIN
            """;

    private ReadAccounts() {
    }

    /** Appends one account's row for {@link #COPY} (the candidates as an array literal). */
    static void row(CopyText rows, long jobInstanceId, Instant readStart, UUID accountId, AccountBalance.ReadRows read) {
        String candidates = Arrays.stream(read.candidates()).mapToObj(Long::toString).collect(Collectors.joining(",", "{", "}"));
        rows.value(jobInstanceId).value(readStart).value(accountId).value(read.firstSeq()).value(candidates).endRow();
    }
}
