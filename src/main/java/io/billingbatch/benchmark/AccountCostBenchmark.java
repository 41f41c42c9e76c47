package io.billingbatch.benchmark;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;

import io.billingbatch.ledger.ReportPeriod;
import io.billingbatch.spend.JdbcAccountSpend;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * {@code benchmark --jobs=account-cost}: how long {@code GET /v1.0/billing_accounts/{id}/cost} takes
 * for a month (its query, {@link JdbcAccountSpend#cost}; the HTTP layer adds about a millisecond):
 * for the busiest account of the generated month (its rows interleaved with every other account's,
 * as the ledger is written), and for an account given 100,000 rows of its own in the month (added
 * once, appended to the table). Prints the best, median and worst of 20 timed calls after 3 warm-ups.
 */
@Component
class AccountCostBenchmark {

    static final int ROWS = 100_000;

    private static final int WARM_UPS = 3;

    private static final int RUNS = 20;

    private static final String ADD_ROWS = """
            INSERT INTO billing_billings (id, customer_id, account_id, transaction_type, status, reference_type, reference_id,
                usage_duration, billable_units, rate_credit_per_unit, amount_credit, balance_credit_snapshot, posting_seq,
                tm_posted, idempotency_key, tm_billing_start, tm_billing_end)
            SELECT gen_random_uuid(), ?, ?, 'usage', 'end', CASE WHEN g % 4 = 0 THEN 'sms' ELSE 'call' END, gen_random_uuid(),
                   CASE WHEN g % 4 = 0 THEN 0 ELSE 60 END, CASE WHEN g % 4 = 0 THEN 1 ELSE 60 END,
                   CASE WHEN g % 4 = 0 THEN 8000 ELSE 20000 END, CASE WHEN g % 4 = 0 THEN -8000 ELSE -1200000 END,
                   0, nextval('billing_posting_seq'), t, gen_random_uuid(), t, t
            FROM generate_series(0, ? - 1) g,
                 LATERAL (SELECT CAST(? AS timestamptz) + (CAST(? AS timestamptz) - CAST(? AS timestamptz)) * g / ? AS t) p
            """;

    private final JdbcTemplate jdbc;

    private final JdbcAccountSpend spend;

    AccountCostBenchmark(JdbcTemplate jdbc, JdbcAccountSpend spend) {
        this.jdbc = jdbc;
        this.spend = spend;
    }

    void run(ReportPeriod month, PrintStream out) {
        UUID account = UUID.nameUUIDFromBytes(("account-cost benchmark|" + month.key()).getBytes(StandardCharsets.UTF_8));
        Map<String, Object> busiest = jdbc.queryForMap("""
                SELECT account_id, count(*) AS rows FROM billing_billings WHERE tm_posted >= ? AND tm_posted < ? AND account_id <> ?
                GROUP BY account_id ORDER BY count(*) DESC LIMIT 1""", Timestamp.from(month.start()), Timestamp.from(month.end()),
                account);
        time("busiest account (interleaved)", (UUID) busiest.get("account_id"), ((Number) busiest.get("rows")).longValue(), month, out);

        long rows = rows(account, month);
        if (rows < ROWS) {
            long started = System.nanoTime();
            jdbc.update("""
                    INSERT INTO billing_accounts (id, customer_id, name, detail, status, balance_credit)
                    VALUES (?, ?, 'account-cost benchmark', 'benchmark --jobs=account-cost', 'active', 0) ON CONFLICT DO NOTHING""",
                    account, account);
            Timestamp start = Timestamp.from(month.start());
            Timestamp end = Timestamp.from(month.end());
            jdbc.update(ADD_ROWS, account, account, ROWS - rows, start, end, start, ROWS - rows);
            jdbc.execute("VACUUM ANALYZE billing_billings"); // as autovacuum does after inserts: the index-only scan needs it
            out.printf("account-cost: added %,d rows of account %s in %s (%.1f s)%n", ROWS - rows, account, month.key(),
                    (System.nanoTime() - started) / 1e9);
            rows = rows(account, month);
        }
        time("account of 100,000 rows (appended)", account, rows, month, out);
    }

    private long rows(UUID account, ReportPeriod month) {
        return jdbc.queryForObject("SELECT count(*) FROM billing_billings WHERE account_id = ? AND tm_posted >= ? AND tm_posted < ?",
                Long.class, account, Timestamp.from(month.start()), Timestamp.from(month.end()));
    }

    private void time(String what, UUID account, long rows, ReportPeriod month, PrintStream out) {
        for (int i = 0; i < WARM_UPS; i++) {
            spend.cost(account, month.start(), month.end());
        }
        double[] millis = new double[RUNS];
        JdbcAccountSpend.Cost cost = null;
        for (int i = 0; i < RUNS; i++) {
            long started = System.nanoTime();
            cost = spend.cost(account, month.start(), month.end());
            millis[i] = (System.nanoTime() - started) / 1e6;
        }
        Arrays.sort(millis);
        out.printf("account-cost %s: %s, %,d rows in %s, total %s USD: best %.1f ms, median %.1f ms, worst %.1f ms"
                + " (target 100 ms)%n", what, account, rows, month.key(), io.billingbatch.ledger.Money.toUsd(cost.total()),
                millis[0], millis[RUNS / 2], millis[RUNS - 1]);
    }
}
