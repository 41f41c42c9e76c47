package io.billingbatch.reconciliation;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;

import io.billingbatch.ledger.ReportPeriod;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Seals of published reconciliation runs ({@code reconciliation_seals}): per account, the last
 * posting before the run's period end, its snapshot, and the count and digest of the rows posted in
 * the period. A period's run starts from the latest seal at or before its start instead of from
 * the beginning of the ledger.
 */
@Repository
public class ReconciliationSeals {

    private static final Logger logger = LoggerFactory.getLogger(ReconciliationSeals.class);

    /** The latest published run with seals whose period ended at or before the instant (published_runs_end_idx). */
    private static final String LATEST_AT_OR_BEFORE = """
            SELECT r.job_instance_id, r.period, r.zone, r.period_end FROM published_runs r
            WHERE r.job_name = :job AND r.period_end <= :instant
              AND EXISTS (SELECT 1 FROM reconciliation_seals s WHERE s.job_instance_id = r.job_instance_id)
            ORDER BY r.period_end DESC, r.period_start DESC, r.zone, r.period
            LIMIT 1
            """;

    /**
     * Copies the run's per-account marks, written by its account step, into its seals, after removing any
     * it had ({@link #CLEAR_RUN}): a plain insert, since an upsert's speculative insertion cost 40 % more
     * (20,000 accounts: 77 ms against 109 - 133 ms).
     */
    private static final String SEAL_RUN = """
            INSERT INTO reconciliation_seals (job_instance_id, account_id, last_posting_seq, closing_snapshot, row_count,
                                              row_digest, expected_snapshot)
            SELECT job_instance_id, account_id, last_posting_seq, last_snapshot, ledger_rows, row_digest, last_expected
            FROM reconciliation_accounts WHERE job_instance_id = :run
              -- all or nothing: accounts written before V18 (a run restarted across the upgrade) carry no digest
              AND NOT EXISTS (SELECT 1 FROM reconciliation_accounts WHERE job_instance_id = :run AND row_digest IS NULL)
            """;

    private static final String CLEAR_RUN = "DELETE FROM reconciliation_seals WHERE job_instance_id = :run";

    private final JdbcClient jdbc;

    public ReconciliationSeals(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Where a period's run starts reading: a seal, or the beginning of the ledger. */
    public record Start(long jobInstanceId, String period, String zone, Instant sealedTo) {

        static final Start BEGINNING = new Start(-1, null, null, null);

        public boolean fromBeginning() {
            return sealedTo == null;
        }

        /** The instant the run reads from, as a query argument (-infinity for the beginning). */
        Object sealedToArgument() {
            return fromBeginning() ? "-infinity" : Timestamp.from(sealedTo);
        }
    }

    /** The latest seal at or before the period's start (any zone: seals are instants). */
    public Start startOf(ReportPeriod period) {
        Optional<Start> seal = jdbc.sql(LATEST_AT_OR_BEFORE)
                .param("job", ReconciliationJobConfiguration.JOB_NAME)
                .param("instant", Timestamp.from(period.start()))
                .query((rs, i) -> new Start(rs.getLong("job_instance_id"), rs.getString("period"), rs.getString("zone"),
                        rs.getTimestamp("period_end").toInstant()))
                .optional();
        return seal.orElse(Start.BEGINNING);
    }

    /** {@link #startOf} and one line in the log that says where the period's run reads from. */
    Start startOfLogged(ReportPeriod period) {
        Start start = startOf(period);
        String what = "reconciliation " + period.key() + " (" + period.zone().getId() + ")";
        if (start.fromBeginning()) {
            logger.info("{}: no seal at or before {}; reading the ledger from the beginning", what, period.start());
        }
        else {
            logger.info("{}: starting from the seal of {} ({}) at {}", what, start.period(), start.zone(), start.sealedTo());
        }
        return start;
    }

    /** Seals a published run from its accounts, replacing its seals if it had any; call in the transaction that publishes it. */
    void seal(long jobInstanceId) {
        jdbc.sql(CLEAR_RUN).param("run", jobInstanceId).update();
        jdbc.sql(SEAL_RUN).param("run", jobInstanceId).update();
    }
}
