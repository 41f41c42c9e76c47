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
        write(List.of(account(A, customer, 10), account(C, customer, 30)));
        write(List.of(account(B, customer, 20)));

        write(List.of(account(A, customer, 11), account(C, customer, 31))); // a restart writes the first chunk again

        assertThat(jdbc.queryForList("SELECT account_id || ' ' || credits || ' ' || customer_id || ' ' || closing_seq"
                + " FROM reconciliation_accounts WHERE job_instance_id = ? ORDER BY account_id", String.class, RUN))
                .containsExactly(A + " 11 " + customer + " 11", B + " 20 " + customer + " 20", C + " 31 " + customer + " 31");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM reconciliation_findings WHERE job_instance_id = ?", Long.class,
                RUN)).isEqualTo(3);
        // and so are the notes their read leaves the ledger step
        assertThat(jdbc.queryForList("SELECT account_id || ' ' || first_seq || ' ' || candidates::text"
                + " FROM reconciliation_read_accounts WHERE job_instance_id = ? AND read_start = ? ORDER BY account_id",
                String.class, RUN, java.sql.Timestamp.from(READ_START)))
                .containsExactly(A + " 11 {11,111}", B + " 20 {20,120}", C + " 31 {31,131}");
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
