package io.billingbatch.seals;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.billingbatch.batch.PeriodJobParameters;
import io.billingbatch.batch.PublishedRuns;
import io.billingbatch.ledger.ReportPeriod;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Seal checks and their results: per run a summary and the findings, and per period the published
 * run. Call {@link #check} inside a transaction: its temporary tables live as long as it.
 */
@Repository
public class JdbcSealVerifications {

    static final List<String> RESULT_TABLES = List.of("seal_verifications", "seal_findings");

    private static final String PUBLISHED = """
            (SELECT job_instance_id FROM published_runs WHERE job_name = 'verify-seals' AND period = :period AND zone = :zone)""";

    private final JdbcClient jdbc;

    private final PublishedRuns publishedRuns;

    private final String workMem;

    public JdbcSealVerifications(JdbcClient jdbc, PublishedRuns publishedRuns,
            @Value("${billing.verify-seals.work-mem:64MB}") String workMem) {
        this.jdbc = jdbc;
        this.publishedRuns = publishedRuns;
        this.workMem = workMem;
    }

    /**
     * Recomputes every seal of the ranges sealed by {@code sealedThrough} and stores the summary and
     * the findings under {@code run}, replacing what an earlier attempt of the run stored.
     */
    public Summary check(long run, Instant sealedThrough) {
        Timestamp through = Timestamp.from(sealedThrough);
        jdbc.sql(VerifySealsSql.FORGET_RUN_FINDINGS).param("run", run).update();
        jdbc.sql(VerifySealsSql.FORGET_RUN_SUMMARY).param("run", run).update();
        settings();
        TreeSet<Instant> edges = ranges(sealedThrough);
        if (edges.isEmpty()) {
            jdbc.sql(VerifySealsSql.EMPTY_SUMMARY).param("run", run).param("sealedThrough", through).update();
        }
        else {
            String edgeArray = edgeArray(edges);
            jdbc.sql(VerifySealsSql.CELLS).param("edges", edgeArray).param("spanStart", Timestamp.from(edges.first()))
                    .param("spanEnd", Timestamp.from(edges.last())).update();
            jdbc.sql(VerifySealsSql.RANGE_BUCKETS).param("edges", edgeArray).update();
            jdbc.sql("ANALYZE seal_cells").update();
            jdbc.sql(VerifySealsSql.ACTUAL).update();
            jdbc.sql("ANALYZE seal_actual").update();
            jdbc.sql(VerifySealsSql.FINDINGS).param("run", run).update();
            jdbc.sql(VerifySealsSql.SUMMARY).param("run", run).param("sealedThrough", through).update();
        }
        return summary(run);
    }

    /**
     * The plan of the one pass over the ledger (EXPLAIN, not run), for a test that proves it sorts
     * nothing; call inside a transaction, which should be rolled back.
     */
    String explainLedgerPass(Instant sealedThrough) {
        settings();
        TreeSet<Instant> edges = ranges(sealedThrough);
        String edgeArray = edgeArray(edges);
        return String.join("\n", jdbc.sql("EXPLAIN " + VerifySealsSql.CELLS.substring(VerifySealsSql.CELLS.indexOf("SELECT")))
                .param("edges", edgeArray).param("spanStart", Timestamp.from(edges.first()))
                .param("spanEnd", Timestamp.from(edges.last())).query(String.class).list());
    }

    private void settings() {
        jdbc.sql(VerifySealsSql.SETTINGS).param("workMem", workMem).query((rs, i) -> rs.getString(1)).single();
    }

    /** Makes the temporary table of the sealed ranges and returns their boundaries, sorted. */
    private TreeSet<Instant> ranges(Instant sealedThrough) {
        jdbc.sql(VerifySealsSql.RANGES).param("sealedThrough", Timestamp.from(sealedThrough)).update();
        return jdbc.sql(VerifySealsSql.RANGE_BOUNDS)
                .query((rs, i) -> List.of(rs.getTimestamp(1).toInstant(), rs.getTimestamp(2).toInstant())).list().stream()
                .flatMap(List::stream).collect(Collectors.toCollection(TreeSet::new));
    }

    private static String edgeArray(TreeSet<Instant> edges) {
        return edges.stream().map(Instant::toString).collect(Collectors.joining(",", "{", "}"));
    }

    void publish(PeriodJobParameters parameters, long run, long execution) {
        publishedRuns.publish(VerifySealsJobConfiguration.JOB_NAME, parameters, run, execution, RESULT_TABLES);
    }

    /** The summary of one run. */
    Summary summary(long run) {
        return jdbc.sql("SELECT * FROM seal_verifications WHERE job_instance_id = :run").param("run", run)
                .query(JdbcSealVerifications::summary).single();
    }

    /** The summary of the period's published run, if it has one. */
    public java.util.Optional<Summary> summary(ReportPeriod period) {
        return jdbc.sql("SELECT * FROM seal_verifications WHERE job_instance_id = " + PUBLISHED)
                .param("period", period.key()).param("zone", period.zone().getId())
                .query(JdbcSealVerifications::summary).optional();
    }

    /** Streams the period's published findings, by sealed range and account; call inside a transaction so the driver streams. */
    void forEachFinding(ReportPeriod period, Consumer<SealFinding> consumer) {
        try (Stream<SealFinding> findings = jdbc.sql("""
                SELECT * FROM seal_findings WHERE job_instance_id = %s
                ORDER BY period_start, period_end, zone, period, account_id""".formatted(PUBLISHED))
                .withFetchSize(2_000).param("period", period.key()).param("zone", period.zone().getId())
                .query(JdbcSealVerifications::finding).stream()) {
            findings.forEach(consumer);
        }
    }

    private static Summary summary(ResultSet rs, int row) throws SQLException {
        return new Summary(rs.getTimestamp("sealed_through").toInstant(), rs.getLong("ranges_checked"),
                rs.getLong("seals_checked"), rs.getLong("rows_read"), rs.getLong("rows_checked"), rs.getLong("findings"));
    }

    private static SealFinding finding(ResultSet rs, int row) throws SQLException {
        return new SealFinding(rs.getString("kind"), rs.getObject("account_id", UUID.class), rs.getString("period"),
                rs.getString("zone"), rs.getTimestamp("period_start").toInstant(), rs.getTimestamp("period_end").toInstant(),
                rs.getObject("expected_rows", Long.class), rs.getLong("actual_rows"), rs.getBigDecimal("expected_digest"),
                rs.getBigDecimal("actual_digest"), rs.getObject("expected_last_seq", Long.class),
                rs.getObject("actual_last_seq", Long.class), rs.getObject("expected_snapshot", Long.class),
                rs.getObject("actual_snapshot", Long.class), rs.getString("detail"));
    }

    /**
     * What a run checked: the sealed ranges (published reconciliation runs), their seal rows, the
     * ledger rows read once and the rows counted into ranges (a row in a day and in its month counts
     * in both), and the findings.
     */
    public record Summary(Instant sealedThrough, long rangesChecked, long sealsChecked, long rowsRead, long rowsChecked,
            long findings) {
    }
}
