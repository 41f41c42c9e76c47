package io.billingbatch.reconciliation;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.billingbatch.testing.BillingTest;
import io.billingbatch.testing.Tables;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/** The account step's writer: every value stored as given, and a chunk written again replaces its accounts only. */
@BillingTest
class AccountReconciliationItemWriterTest {

    static final long RUN = 4242;

    static final UUID A = UUID.fromString("00000000-0000-0000-0000-00000000000a");

    static final UUID B = UUID.fromString("00000000-0000-0000-0000-00000000000b");

    static final UUID C = UUID.fromString("00000000-0000-0000-0000-00000000000c");

    static final java.time.Instant READ_START = java.time.Instant.parse("2026-10-01T00:00:00Z");

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    TransactionTemplate transaction;

    AccountReconciliationItemWriter writer;

    @BeforeEach
    void givenNoResults() {
        Tables.reset(jdbc);
        writer = new AccountReconciliationItemWriter(jdbc, RUN, READ_START);
    }

    @Test
    void storesEveryValueAsGivenTextAndNullsIncluded() {
        String name = "tab\there, new\nline, cr\r, back\\slash \\N, quote \" ' {a,b} ünï";
        AccountBalance balance = new AccountBalance(A, null, name, false, -5, 7, 100, 20, 30, 40, null, null, 0, null, 0,
                null, new BigDecimal("123456789012345678901234567890"), null, null, null);

        write(List.of(new AccountReconciliation(balance, List.of())));

        Map<String, Object> row = jdbc.queryForMap("SELECT * FROM reconciliation_accounts WHERE job_instance_id = ?", RUN);
        assertThat(row.get("account_id")).isEqualTo(A);
        assertThat(row.get("customer_id")).isNull();
        assertThat(row.get("account_name")).isEqualTo(name);
        assertThat(row.get("account_exists")).isEqualTo(false);
        assertThat(row.get("opening")).isEqualTo(-5L);
        assertThat(row.get("credits")).isEqualTo(100L);
        assertThat(row.get("charges_call")).isEqualTo(20L);
        assertThat(row.get("charges_sms")).isEqualTo(30L);
        assertThat(row.get("charges_number")).isEqualTo(40L);
        assertThat(row.get("other_debits")).isEqualTo(100L - 20 - 30 - 40 - 7);
        assertThat(row.get("closing")).isEqualTo(-5L);
        assertThat(row.get("stored_balance")).isNull();
        assertThat(row.get("finding_kinds")).isEqualTo("");
        assertThat(row.get("last_posting_seq")).isNull();
        assertThat(row.get("last_expected")).isNull();
        assertThat(row.get("row_digest")).isEqualTo(new BigDecimal("123456789012345678901234567890"));
        assertThat(row.get("first_seq")).isNull();
        assertThat(row.get("closing_seq")).isNull();
        assertThat(row.get("closing_snapshot")).isNull();
    }

    @Test
    void aChunkWrittenAgainReplacesItsAccountsAndLeavesOtherChunksAlone() {
        UUID customer = UUID.randomUUID();
        write(List.of(account(A, customer, 10), account(B, customer, 20)));
        write(List.of(account(C, customer, 30)));

        write(List.of(account(A, customer, 11), account(B, customer, 21))); // a restart writes the first chunk again

        assertThat(jdbc.queryForList("SELECT account_id || ' ' || credits || ' ' || customer_id || ' ' || closing_seq"
                + " FROM reconciliation_accounts WHERE job_instance_id = ? ORDER BY account_id", String.class, RUN))
                .containsExactly(A + " 11 " + customer + " 11", B + " 21 " + customer + " 21", C + " 30 " + customer + " 30");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM reconciliation_findings WHERE job_instance_id = ?", Long.class,
                RUN)).isEqualTo(3);
        // and so are the notes their read leaves the ledger step
        assertThat(jdbc.queryForList("SELECT account_id || ' ' || first_seq || ' ' || candidates::text"
                + " FROM reconciliation_read_accounts WHERE job_instance_id = ? AND read_start = ? ORDER BY account_id",
                String.class, RUN, java.sql.Timestamp.from(READ_START)))
                .containsExactly(A + " 11 {11,111}", B + " 21 {21,121}", C + " 30 {30,130}");
    }

    @Test
    void aChunkDeletesItsAccountsByAnIndexRangeWhateverTheTablesStatisticsSay() {
        // the work tables are emptied at every publish, so plans are made for near-empty tables; the delete
        // of a chunk's accounts by "= ANY (array)" became a filter comparing each row of the run with the
        // whole array (the step's deletes grew with the square of its accounts)
        jdbc.execute("ANALYZE reconciliation_read_accounts, reconciliation_accounts"); // seen empty, as after a publish
        jdbc.update("""
                INSERT INTO reconciliation_read_accounts (job_instance_id, read_start, account_id, first_seq, candidates)
                SELECT ?, ?, gen_random_uuid(), 1, '{1}' FROM generate_series(1, 18000)
                """, RUN, java.sql.Timestamp.from(READ_START)); // then a run's first chunks written
        jdbc.update("""
                INSERT INTO reconciliation_accounts (job_instance_id, account_id, account_exists, opening, credits,
                    charges_call, charges_sms, charges_number, other_debits, closing, ledger_rows, finding_kinds)
                SELECT ?, gen_random_uuid(), true, 0, 0, 0, 0, 0, 0, 0, 0, '' FROM generate_series(1, 18000)
                """, RUN);
        for (String delete : List.of(ReadAccounts.DELETE, AccountReconciliationItemWriter.DELETE_ACCOUNTS)) {
            List<String> lines = transaction.execute(status -> {
                jdbc.execute("SET LOCAL plan_cache_mode = force_generic_plan");
                int[] n = { 0 };
                String numbered = java.util.regex.Pattern.compile("\\?").matcher(delete).replaceAll(m -> "\\$" + ++n[0]);
                jdbc.execute("PREPARE chunk_delete AS " + numbered);
                try {
                    String[] arguments = new String[n[0]];
                    java.util.Arrays.fill(arguments, "NULL");
                    return jdbc.queryForList("EXPLAIN EXECUTE chunk_delete (" + String.join(", ", arguments) + ")", String.class);
                }
                finally {
                    jdbc.execute("DEALLOCATE chunk_delete");
                }
            });
            String plan = String.join("\n", lines);
            assertThat(plan).as(delete).containsPattern("Index Cond: \\(.*account_id >= \\$\\d.*account_id <= \\$\\d")
                    .doesNotContain("Filter:");
        }
    }

    @Test
    void aChunkOutOfAccountOrderIsRefusedAndNothingIsWritten() {
        UUID customer = UUID.randomUUID();

        org.assertj.core.api.Assertions.assertThatIllegalStateException()
                .isThrownBy(() -> write(List.of(account(B, customer, 20), account(A, customer, 10))))
                .withMessageContaining("out of account_id order");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM reconciliation_accounts", Long.class)).isZero();
    }

    @Test
    void accountsAreComparedInPostgresqlsOrderOfUuids() {
        List<UUID> ids = new java.util.ArrayList<>(List.of(A, B, C,
                UUID.fromString("80000000-0000-0000-0000-000000000000"), UUID.fromString("7fffffff-ffff-ffff-ffff-ffffffffffff"),
                UUID.fromString("00000000-0000-0000-8000-000000000000"), UUID.fromString("ffffffff-ffff-ffff-ffff-ffffffffffff")));
        for (int i = 0; i < 200; i++) {
            ids.add(UUID.randomUUID());
        }
        List<UUID> byPostgresql = jdbc.queryForList("SELECT id FROM unnest(CAST(? AS uuid[])) AS t (id) ORDER BY id", UUID.class,
                (Object) ids.toArray(new UUID[0]));

        assertThat(ids.stream().sorted(AccountReconciliationItemWriter.PG_UUID_ORDER).toList()).isEqualTo(byPostgresql);
    }

    private static AccountReconciliation account(UUID id, UUID customer, long credits) {
        AccountBalance balance = new AccountBalance(id, customer, "Account " + id, true, 0, credits, credits, 0, 0, 0,
                credits, credits, 1, credits, credits, credits, BigDecimal.valueOf(credits), credits, credits,
                new AccountBalance.ReadRows(credits, new long[] { credits, credits + 100 }));
        return new AccountReconciliation(balance, List.of(new Finding(Finding.NEGATIVE_BALANCE, id, null, 0L, credits,
                "closing balance below zero")));
    }

    private void write(List<AccountReconciliation> items) {
        transaction.executeWithoutResult(status -> writer.write(new Chunk<>(items)));
    }
}
