package io.billingbatch.statements;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import io.billingbatch.ledger.ReportPeriod;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Reads what the statements of a month show: the published reconciliation's account figures, the
 * published cost report's records and units, and the month's top-ups.
 */
@Repository
public class JdbcStatements {

    private static final String PUBLISHED_RECONCILIATION = """
            SELECT job_instance_id, revision, job_execution_id FROM published_runs
            WHERE job_name = 'reconciliation' AND period = :period AND zone = :zone""";

    /** Accounts with activity (ledger rows in the month) or a balance (at its start or end). */
    private static final String ACCOUNTS = """
            SELECT account_id, customer_id, account_name, opening, credits, charges_call, charges_sms, charges_number,
                   other_debits, closing, ledger_rows, finding_kinds, account_exists
            FROM reconciliation_accounts
            WHERE job_instance_id = :run AND (ledger_rows > 0 OR opening <> 0 OR closing <> 0)
            ORDER BY account_id""";

    private static final String COST_LINES = """
            SELECT l.account_id, l.type, l.records, l.billable_units, l.cost_credit
            FROM cost_report_lines l
            WHERE l.job_instance_id = (SELECT job_instance_id FROM published_runs
                                       WHERE job_name = 'cost-report' AND period = :period AND zone = :zone)""";

    private static final String COST_REPORT_PUBLISHED = """
            SELECT count(*) FROM published_runs WHERE job_name = 'cost-report' AND period = :period AND zone = :zone""";

    /** The month's top-ups, as the reconciliation counts credits (posted in the period, not deleted, within the bound). */
    private static final String TOP_UPS = """
            SELECT account_id, tm_posted, reference_type, amount_credit
            FROM billing_billings
            WHERE tm_posted >= :start AND tm_posted < :end AND transaction_type = 'top_up' AND tm_delete IS NULL
              AND amount_credit > 0 AND amount_credit <= :bound
            ORDER BY account_id, posting_seq""";

    private final JdbcClient jdbc;

    public JdbcStatements(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The published reconciliation of the period, if any. */
    public Optional<Statement.Source> publishedReconciliation(ReportPeriod period) {
        return jdbc.sql(PUBLISHED_RECONCILIATION).param("period", period.key()).param("zone", period.zone().getId())
                .query((rs, n) -> new Statement.Source(rs.getLong("job_instance_id"), rs.getLong("revision"),
                        rs.getLong("job_execution_id")))
                .optional();
    }

    /**
     * Every account's statement of the month, in account order, issued or withheld.
     * @param maxRowAmount the ledger's sanity bound in micro-USD (a top-up beyond it is in no credit)
     */
    public List<Statement> statements(ReportPeriod period, Statement.Source source, long maxRowAmount) {
        boolean costReport = jdbc.sql(COST_REPORT_PUBLISHED).param("period", period.key())
                .param("zone", period.zone().getId()).query(Long.class).single() > 0;
        Map<UUID, Map<String, long[]>> costs = new HashMap<>();
        jdbc.sql(COST_LINES).param("period", period.key()).param("zone", period.zone().getId()).query(rs -> {
            costs.computeIfAbsent(rs.getObject("account_id", UUID.class), id -> new HashMap<>())
                    .put(rs.getString("type"), new long[] { rs.getLong("records"), rs.getLong("billable_units"),
                            rs.getLong("cost_credit") });
        });
        Map<UUID, List<Statement.TopUp>> topUps = new HashMap<>();
        jdbc.sql(TOP_UPS).param("start", Timestamp.from(period.start())).param("end", Timestamp.from(period.end()))
                .param("bound", maxRowAmount).query(rs -> {
                    topUps.computeIfAbsent(rs.getObject("account_id", UUID.class), id -> new ArrayList<>())
                            .add(new Statement.TopUp(rs.getTimestamp("tm_posted").toInstant(), rs.getString("reference_type"),
                                    rs.getLong("amount_credit")));
                });
        return jdbc.sql(ACCOUNTS).param("run", source.jobInstanceId())
                .query((rs, n) -> statement(rs, period, source, costReport, costs, topUps))
                .list();
    }

    private static Statement statement(ResultSet rs, ReportPeriod period, Statement.Source source, boolean costReport,
            Map<UUID, Map<String, long[]>> costs, Map<UUID, List<Statement.TopUp>> topUps) throws SQLException {
        UUID account = rs.getObject("account_id", UUID.class);
        Map<String, long[]> lines = costs.getOrDefault(account, Map.of());
        List<Statement.Charge> charges = new ArrayList<>();
        String disagreement = null;
        for (String type : List.of("call", "sms", "number")) {
            long cost = rs.getLong("charges_" + type);
            long[] line = lines.get(type);
            if (costReport) {
                long records = line == null ? 0 : line[0];
                long units = line == null ? 0 : line[1];
                long reported = line == null ? 0 : line[2];
                if (reported != cost && disagreement == null) {
                    disagreement = "the cost report's " + type + " charges (" + io.billingbatch.ledger.Money.toUsd(reported)
                            + " USD) differ from the reconciliation's (" + io.billingbatch.ledger.Money.toUsd(cost) + " USD)";
                }
                charges.add(new Statement.Charge(type, records, units, cost));
            }
            else {
                charges.add(new Statement.Charge(type, null, null, cost));
            }
        }
        String kinds = rs.getString("finding_kinds");
        String withheld = null;
        if (!rs.getBoolean("account_exists")) {
            withheld = "the account does not exist or is deleted";
        }
        else if (kinds != null && !kinds.isEmpty()) {
            withheld = "the reconciliation has findings for this account: " + kinds;
        }
        else if (disagreement != null) {
            withheld = disagreement;
        }
        return new Statement(account, rs.getObject("customer_id", UUID.class), rs.getString("account_name"), period,
                rs.getLong("opening"), rs.getLong("credits"), charges, rs.getLong("other_debits"), rs.getLong("closing"),
                rs.getLong("ledger_rows"), topUps.getOrDefault(account, List.of()), withheld, source);
    }
}
