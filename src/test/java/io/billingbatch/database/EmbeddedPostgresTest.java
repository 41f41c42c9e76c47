package io.billingbatch.database;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

@SpringBootTest
class EmbeddedPostgresTest {

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void migratesTheLedgerSchemaAndSeedsTheRateCard() {
        String version = jdbc.queryForObject("SHOW server_version", String.class);
        assertThat(version).startsWith("17.");
        var rates = jdbc.queryForList("SELECT reference_type, credit_per_unit FROM billing_rates ORDER BY reference_type");
        assertThat(rates).extracting(row -> row.get("reference_type") + "=" + row.get("credit_per_unit"))
                .containsExactly("call=20000", "number=5000000", "number_renew=5000000", "sms=8000");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM batch_job_instance", Long.class)).isZero();
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
