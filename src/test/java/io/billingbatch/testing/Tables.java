package io.billingbatch.testing;

import java.util.List;
import java.util.stream.Collectors;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The one table reset of the tests: a test that needs a known database calls
 * {@code Tables.reset(jdbc)} in its {@code @BeforeEach}. Tests share a context (and so a database)
 * with every other test of the same shape ({@link BillingTest}, {@link ServerTest}).
 */
public final class Tables {

    /** Kept: what the migrations seed (the rate card, the database's identity) and Flyway's own history. */
    static final List<String> KEPT = List.of("billing_rates", "billing_installation", "flyway_schema_history");

    private Tables() {
    }

    /**
     * Empties every table of the application but {@link #KEPT} (the ledger, every job's results, the
     * job repository, policies, webhooks, tokens, schedules; a table a new migration adds too) and
     * restarts the posting sequence. Only tables that hold rows are truncated, so resetting a
     * clean database costs one query.
     */
    public static void reset(JdbcTemplate jdbc) {
        List<String> tables = jdbc.queryForList("""
                SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = current_schema()
                AND NOT (tablename = ANY (?)) ORDER BY tablename""", String.class, (Object) KEPT.toArray(String[]::new));
        List<String> withRows = jdbc.queryForList(tables.stream()
                .map(table -> "SELECT '" + table + "' WHERE EXISTS (SELECT FROM " + table + ")")
                .collect(Collectors.joining(" UNION ALL ")), String.class);
        if (!withRows.isEmpty()) {
            jdbc.execute("TRUNCATE " + String.join(", ", withRows) + " CASCADE"); // the job repository's tables refer to each other
        }
        jdbc.execute("ALTER SEQUENCE billing_posting_seq RESTART");
    }
}
