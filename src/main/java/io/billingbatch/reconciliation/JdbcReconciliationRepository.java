package io.billingbatch.reconciliation;

import java.math.BigInteger;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

import io.billingbatch.batch.PeriodJobParameters;
import io.billingbatch.batch.PublishedRuns;
import io.billingbatch.ledger.ReportPeriod;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.stereotype.Repository;

/** Reconciliation results: per-run accounts and findings, and per period and zone the published run. */
@Repository
public class JdbcReconciliationRepository {

    private static final String SET_FINDING_KINDS = """
            UPDATE reconciliation_accounts a SET finding_kinds = f.kinds
            FROM (SELECT account_id, string_agg(DISTINCT kind, ',' ORDER BY kind) AS kinds
                  FROM reconciliation_findings WHERE job_instance_id = ? GROUP BY account_id) f
            WHERE a.job_instance_id = ? AND a.account_id = f.account_id
            """;

    private static final String PUBLISHED_INSTANCE = PublishedRuns.PUBLISHED_INSTANCE;

    private final JdbcTemplate jdbc;

    private final PublishedRuns publishedRuns;

    private final ReconciliationSeals seals;

    private final MonthSegments monthSegments;

    public JdbcReconciliationRepository(JdbcTemplate jdbc, PublishedRuns publishedRuns, ReconciliationSeals seals,
            MonthSegments monthSegments) {
        this.jdbc = jdbc;
        this.publishedRuns = publishedRuns;
        this.seals = seals;
        this.monthSegments = monthSegments;
    }

    /**
     * Makes the run the period's result, removing the results and seals of the run it replaces,
     * and seals it when {@code seal} (its period has ended); in the caller's transaction.
     */
    void publish(PeriodJobParameters parameters, long jobInstanceId, long jobExecutionId, boolean seal) {
        List<String> results = new ArrayList<>(List.of("reconciliation_accounts", "reconciliation_findings",
                "reconciliation_seals"));
        results.addAll(MonthSegments.RUN_TABLES);
        publishedRuns.publish(ReconciliationJobConfiguration.JOB_NAME, parameters, jobInstanceId, jobExecutionId, results);
        markFindingKinds(jobInstanceId);
        monthSegments.markPublished(jobInstanceId);
        for (String work : MonthSegments.WORK_TABLES) { // a month's gaps: read, assembled, no longer needed
            jdbc.update("DELETE FROM " + work + " WHERE job_instance_id = ?", jobInstanceId);
        }
        if (seal) {
            seals.seal(jobInstanceId);
        }
    }

    /** Sets each account's finding kinds from the run's findings (publishing does it; a provisional run too). */
    void markFindingKinds(long jobInstanceId) {
        jdbc.update(SET_FINDING_KINDS, jobInstanceId, jobInstanceId);
    }

    /** Removes a run's results unless it is published (a provisional run's, once its files are written). */
    void discardRun(long jobInstanceId) {
        List<String> tables = new ArrayList<>(List.of("reconciliation_accounts", "reconciliation_findings"));
        tables.addAll(MonthSegments.RUN_TABLES);
        tables.addAll(MonthSegments.WORK_TABLES);
        for (String table : tables) {
            jdbc.update("DELETE FROM " + table + " WHERE job_instance_id = ?"
                    + " AND job_instance_id NOT IN (SELECT job_instance_id FROM published_runs)", jobInstanceId);
        }
    }

    /** Whose results a read is about: the period's published run, or one run of its own (a provisional one). */
    record Source(String instance, Object[] arguments) {

        static Source published(ReportPeriod period) {
            return new Source(PUBLISHED_INSTANCE, new Object[] { ReconciliationJobConfiguration.JOB_NAME, period.key(),
                    period.zone().getId() });
        }

        static Source run(long jobInstanceId) {
            return new Source("?", new Object[] { jobInstanceId });
        }
    }

    /** Accounts checked, accounts clean, findings per kind with their total absolute difference. */
    public Summary summary(ReportPeriod period) {
        return summary(Source.published(period));
    }

    Summary summary(Source source) {
        Object[] key = source.arguments();
        long[] accounts = jdbc.queryForObject("SELECT count(*), count(*) FILTER (WHERE finding_kinds = '')"
                + " FROM reconciliation_accounts WHERE job_instance_id = " + source.instance(),
                (rs, n) -> new long[] { rs.getLong(1), rs.getLong(2) }, key);
        long checked = accounts[0];
        long clean = accounts[1];
        Map<String, KindCount> found = new TreeMap<>();
        jdbc.query("""
                SELECT kind, count(*) AS findings, coalesce(sum(abs(CAST(difference AS numeric))), 0) AS absolute_difference
                FROM reconciliation_findings WHERE job_instance_id = %s GROUP BY kind
                """.formatted(source.instance()), (ResultSet rs) -> {
            found.put(rs.getString(1), new KindCount(rs.getString(1), rs.getLong(2), rs.getBigDecimal(3).toBigIntegerExact()));
        }, key);
        List<KindCount> kinds = new ArrayList<>();
        for (String kind : Finding.KINDS) { // every kind, 0 where none: the summary reads the same every period
            kinds.add(found.containsKey(kind) ? found.remove(kind) : new KindCount(kind, 0, BigInteger.ZERO));
        }
        kinds.addAll(found.values());
        return new Summary(checked, clean, List.copyOf(kinds));
    }

    /**
     * Streams the source's accounts by account id, each as the values of {@link #ACCOUNT_COLUMNS} in that
     * order (only what the files show: a row per account of every run); call inside a transaction so the
     * driver streams.
     */
    void forEachAccount(Source source, Consumer<Object[]> consumer) {
        stream("SELECT " + String.join(", ", ACCOUNT_COLUMNS) + " FROM reconciliation_accounts WHERE job_instance_id = "
                + source.instance() + " ORDER BY account_id", source, (ResultSet rs) -> {
                    Object[] values = new Object[ACCOUNT_COLUMNS.size()];
                    for (int i = 0; i < values.length; i++) {
                        values[i] = rs.getObject(i + 1);
                    }
                    consumer.accept(values);
                });
    }

    /** The columns {@link #forEachAccount} gives, in order. */
    static final List<String> ACCOUNT_COLUMNS = List.of("account_id", "customer_id", "account_name", "opening", "credits",
            "charges_call", "charges_sms", "charges_number", "other_debits", "closing", "stored_balance", "ledger_rows",
            "finding_kinds");

    /** Streams the source's findings by account, kind and row; call inside a transaction so the driver streams. */
    void forEachFinding(Source source, Consumer<Map<String, Object>> consumer) {
        stream("SELECT * FROM reconciliation_findings WHERE job_instance_id = " + source.instance()
                + " ORDER BY account_id, kind, ledger_id NULLS FIRST, finding_key", source, (ResultSet rs) -> {
                    consumer.accept(row(rs));
                });
    }

    private void stream(String sql, Source source, RowCallbackHandler handler) {
        jdbc.query(connection -> {
            var statement = connection.prepareStatement(sql);
            statement.setFetchSize(2_000);
            Object[] arguments = source.arguments();
            for (int i = 0; i < arguments.length; i++) {
                statement.setObject(i + 1, arguments[i]);
            }
            return statement;
        }, handler);
    }

    private static Map<String, Object> row(ResultSet rs) throws SQLException {
        var meta = rs.getMetaData();
        Map<String, Object> row = new java.util.HashMap<>();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
            Object value = rs.getObject(i);
            row.put(meta.getColumnLabel(i), value);
        }
        return row;
    }

    /**
     * Findings of one kind; {@code absoluteDifference} in micro-USD, a BigInteger because differences
     * of broken snapshots add up beyond a long (two accounts 5e18 micro-USD off each, say).
     */
    public record KindCount(String kind, long findings, BigInteger absoluteDifference) {
    }

    public record Summary(long accountsChecked, long accountsClean, List<KindCount> kinds) {

        public long findings() {
            return kinds.stream().mapToLong(KindCount::findings).sum();
        }
    }

}
