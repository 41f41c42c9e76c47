package io.billingbatch.reconciliation;

import java.sql.Timestamp;
import java.util.Arrays;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The account step's note to the ledger step, per account it read rows of
 * ({@code reconciliation_read_accounts}): the first posting read and the postings whose chain or row
 * checks the ledger step must judge. Writing an account again replaces its note, so a chunk written
 * again after a restart leaves what one write leaves.
 */
final class ReadAccounts {

    static final String UPSERT = """
            INSERT INTO reconciliation_read_accounts (job_instance_id, read_start, account_id, first_seq, candidates)
            VALUES (?, ?, ?, ?, CAST(? AS bigint[]))
            ON CONFLICT (job_instance_id, read_start, account_id) DO UPDATE SET
                first_seq = EXCLUDED.first_seq, candidates = EXCLUDED.candidates
            """;

    private ReadAccounts() {
    }

    /** The arguments of {@link #UPSERT} for one account (the candidates as an array literal). */
    static Object[] row(long jobInstanceId, Timestamp readStart, UUID accountId, AccountBalance.ReadRows read) {
        String candidates = Arrays.stream(read.candidates()).mapToObj(Long::toString).collect(Collectors.joining(",", "{", "}"));
        return new Object[] { jobInstanceId, readStart, accountId, read.firstSeq(), candidates };
    }
}
