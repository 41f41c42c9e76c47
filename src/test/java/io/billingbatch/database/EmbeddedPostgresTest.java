package io.billingbatch.database;

import java.sql.Connection;

import io.billingbatch.testing.BillingTest;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

import static org.assertj.core.api.Assertions.assertThat;

@BillingTest
class EmbeddedPostgresTest {

    @Autowired
    JdbcTemplate jdbc;

    /**
     * The migrations on a database that has never seen the application (not the shared test
     * database, which other tests have used): the ledger schema, the rate card, an empty job repository.
     */
    @Test
    void migratesTheLedgerSchemaAndSeedsTheRateCard() throws Exception {
        String version = jdbc.queryForObject("SHOW server_version", String.class);
        assertThat(version).startsWith("17.");
        jdbc.execute("DROP DATABASE IF EXISTS fresh_migration WITH (FORCE)");
        jdbc.execute("CREATE DATABASE fresh_migration");
        try {
            String url;
            try (Connection connection = jdbc.getDataSource().getConnection()) {
                url = connection.getMetaData().getURL().replaceFirst("/[^/?]+(\\?|$)", "/fresh_migration$1");
            }
            SingleConnectionDataSource fresh = new SingleConnectionDataSource(url, "postgres", "", true);
            try {
                Flyway.configure().dataSource(fresh).locations("classpath:db/migration").load().migrate();
                JdbcTemplate freshJdbc = new JdbcTemplate(fresh);
                var rates = freshJdbc.queryForList("SELECT reference_type, credit_per_unit FROM billing_rates ORDER BY reference_type");
                assertThat(rates).extracting(row -> row.get("reference_type") + "=" + row.get("credit_per_unit"))
                        .containsExactly("call=20000", "number=5000000", "number_renew=5000000", "sms=8000");
                assertThat(freshJdbc.queryForObject("SELECT count(*) FROM batch_job_instance", Long.class)).isZero();
            }
            finally {
                fresh.destroy();
            }
        }
        finally {
            jdbc.execute("DROP DATABASE IF EXISTS fresh_migration WITH (FORCE)");
        }
    }

    /**
     * PostgreSQL's JIT compiles the reconciliation's statements for 2 - 4.5 s per run on a server
     * that has it (their estimated costs pass its thresholds whatever the period's size): more
     * than a day's whole reading. The application's connections run without it.
     */
    @Test
    void connectionsRunWithoutJit() {
        assertThat(jdbc.queryForObject("SHOW jit", String.class)).isEqualTo("off");
    }
}
