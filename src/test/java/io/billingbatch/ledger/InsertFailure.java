package io.billingbatch.ledger;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Makes a job fail in the middle of a step the way a crash would: a trigger raises an error on
 * the insert that would give {@code table} more than {@code rows} rows. Closing removes it.
 * Table names come from the tests themselves.
 */
public final class InsertFailure implements AutoCloseable {

    private final JdbcTemplate jdbc;

    private final String table;

    private InsertFailure(JdbcTemplate jdbc, String table) {
        this.jdbc = jdbc;
        this.table = table;
    }

    public static InsertFailure afterRows(JdbcTemplate jdbc, String table, int rows) {
        jdbc.execute("""
                CREATE FUNCTION fail_insert_%1$s() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF (SELECT count(*) FROM %1$s) >= %2$d THEN
                        RAISE EXCEPTION 'simulated crash while writing row %3$d of %1$s';
                    END IF;
                    RETURN NEW;
                END $$""".formatted(table, rows, rows + 1));
        jdbc.execute("CREATE TRIGGER fail_insert BEFORE INSERT ON %1$s FOR EACH ROW EXECUTE FUNCTION fail_insert_%1$s()"
                .formatted(table));
        return new InsertFailure(jdbc, table);
    }

    @Override
    public void close() {
        jdbc.execute("DROP TRIGGER fail_insert ON " + table);
        jdbc.execute("DROP FUNCTION fail_insert_" + table + "()");
    }
}
