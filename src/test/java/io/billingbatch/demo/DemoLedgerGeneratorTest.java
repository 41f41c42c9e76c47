package io.billingbatch.demo;

import io.billingbatch.testing.Tables;
import io.billingbatch.testing.BillingTest;
import java.time.Instant;
import java.time.YearMonth;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

@BillingTest
class DemoLedgerGeneratorTest {

    private static final YearMonth FIRST_MONTH = YearMonth.of(2026, 1);

    @Autowired
    DemoLedgerGenerator generator;

    @Autowired
    JdbcTemplate jdbc;

    @BeforeEach
    void emptyLedger() {
        Tables.reset(jdbc);
    }

    @Test
    void everySnapshotIsThePreviousSnapshotOfTheAccountPlusTheAmount() {
        // given
        generator.generate(smallSpec(7));

        // when
        long brokenLinks = count("""
                SELECT count(*) FROM (
                    SELECT balance_credit_snapshot, amount_credit,
                           lag(balance_credit_snapshot, 1, 0::bigint)
                               OVER (PARTITION BY account_id ORDER BY posting_seq) AS previous_snapshot
                    FROM billing_billings) chain
                WHERE balance_credit_snapshot IS DISTINCT FROM previous_snapshot + amount_credit
                """);
        long accountsOffTheirLastSnapshot = count("""
                SELECT count(*)
                FROM billing_accounts a
                LEFT JOIN (SELECT DISTINCT ON (account_id) account_id, balance_credit_snapshot
                           FROM billing_billings
                           ORDER BY account_id, posting_seq DESC) last ON last.account_id = a.id
                WHERE last.balance_credit_snapshot IS DISTINCT FROM a.balance_credit
                """);

        // then
        assertThat(count("SELECT count(DISTINCT account_id) FROM billing_billings")).isEqualTo(40);
        assertThat(brokenLinks).isZero();
        assertThat(accountsOffTheirLastSnapshot).isZero();
    }

    @Test
    void everyUsageRowIsRatedFromTheRateCard() {
        // given
        generator.generate(smallSpec(7));

        // when
        long unrated = count("""
                SELECT count(*)
                FROM billing_billings b
                LEFT JOIN LATERAL (SELECT r.credit_per_unit
                                   FROM billing_rates r
                                   WHERE r.reference_type = b.reference_type
                                     AND r.effective_from <= b.tm_billing_start
                                   ORDER BY r.effective_from DESC
                                   LIMIT 1) rate ON true
                WHERE b.transaction_type = 'usage'
                  AND (b.rate_credit_per_unit IS DISTINCT FROM rate.credit_per_unit
                       OR b.amount_credit IS DISTINCT FROM -(b.billable_units * rate.credit_per_unit)
                       OR (b.reference_type = 'call' AND b.billable_units IS DISTINCT FROM b.usage_duration)
                       OR (b.reference_type <> 'call' AND b.billable_units IS DISTINCT FROM 1))
                """);

        // then
        assertThat(count("SELECT count(DISTINCT reference_type) FROM billing_billings WHERE transaction_type = 'usage'"))
                .isEqualTo(4);
        assertThat(unrated).isZero();
    }

    @Test
    void balancesNeverGoNegativeBecauseTopUpsArePostedBeforeTheCharge() {
        // given
        generator.generate(smallSpec(7));

        // when
        long negativeSnapshots = count("SELECT count(*) FROM billing_billings WHERE balance_credit_snapshot < 0");
        long topUpsAfterTheOpeningOne = count("""
                SELECT count(*) - count(DISTINCT account_id) FROM billing_billings WHERE transaction_type = 'top_up'
                """);

        // then
        assertThat(negativeSnapshots).isZero();
        assertThat(topUpsAfterTheOpeningOne).as("top-ups the balance floor forced").isPositive();
        assertThat(count("""
                SELECT count(*) FROM billing_billings
                WHERE transaction_type = 'top_up'
                  AND (reference_type <> 'top_up' OR amount_credit <= 0 OR billable_units <> 0
                       OR rate_credit_per_unit <> 0 OR usage_duration <> 0)
                """)).isZero();
    }

    @Test
    void theOpeningTopUpIsTheFirstRowOfEveryAccount() {
        // given
        generator.generate(smallSpec(7));

        // when
        long accountsOpenedOtherwise = count("""
                SELECT count(*) FROM (SELECT DISTINCT ON (account_id) transaction_type, amount_credit
                                      FROM billing_billings
                                      ORDER BY account_id, posting_seq) first_row
                WHERE transaction_type <> 'top_up' OR amount_credit NOT BETWEEN 50000000 AND 500000000
                """);

        // then
        assertThat(accountsOpenedOtherwise).isZero();
    }

    @Test
    void postingSeqStartsAtOneHasNoGapsAndFollowsTmPostedInsideTheHistory() {
        // given
        DemoLedgerSpec spec = smallSpec(7);

        // when
        DemoLedgerResult result = generator.generate(spec);

        // then
        long rows = count("SELECT count(*) FROM billing_billings");
        assertThat(result.rows()).isEqualTo(rows);
        assertThat(count("SELECT count(DISTINCT posting_seq) FROM billing_billings")).isEqualTo(rows);
        assertThat(count("SELECT min(posting_seq) FROM billing_billings")).isEqualTo(1);
        assertThat(count("SELECT max(posting_seq) FROM billing_billings")).isEqualTo(rows);
        assertThat(count("""
                SELECT count(*) FROM (SELECT tm_posted, lag(tm_posted) OVER (ORDER BY posting_seq) AS previous
                                      FROM billing_billings) posted
                WHERE tm_posted <= previous
                """)).as("rows whose tm_posted is not after the one posted before").isZero();
        Instant first = jdbc.queryForObject("SELECT min(tm_posted) FROM billing_billings", Instant.class);
        Instant last = jdbc.queryForObject("SELECT max(tm_posted) FROM billing_billings", Instant.class);
        assertThat(first).isAfterOrEqualTo(spec.start()).isEqualTo(result.firstPosted());
        assertThat(last).isBefore(spec.end()).isEqualTo(result.lastPosted());
        assertThat(count("SELECT nextval('billing_posting_seq')")).isEqualTo(rows + 1);
    }

    @Test
    void everyRowIsAFinishedPostingOfItsAccountsCustomerWithUniqueKeys() {
        // given
        generator.generate(smallSpec(7));

        // when
        long malformed = count("""
                SELECT count(*)
                FROM billing_billings b
                LEFT JOIN billing_accounts a ON a.id = b.account_id
                WHERE b.status IS DISTINCT FROM 'end' OR b.tm_delete IS NOT NULL
                   OR b.customer_id IS DISTINCT FROM a.customer_id
                   OR b.tm_create IS DISTINCT FROM b.tm_posted
                   OR b.idempotency_key IS NULL OR b.reference_id IS NULL
                   OR (b.reference_type IN ('call', 'sms') AND b.tm_posted < b.tm_billing_end)
                   OR (b.reference_type IN ('number', 'number_renew') AND b.tm_posted < b.tm_billing_start)
                """);

        // then
        assertThat(count("SELECT count(*) FROM billing_billings")).isPositive();
        assertThat(malformed).isZero();
        assertThat(count("SELECT count(DISTINCT id) FROM billing_billings"))
                .isEqualTo(count("SELECT count(DISTINCT idempotency_key) FROM billing_billings"))
                .isEqualTo(count("SELECT count(DISTINCT reference_id) FROM billing_billings"))
                .isEqualTo(count("SELECT count(*) FROM billing_billings"));
    }

    @Test
    void callsIncludeFailedZeroSecondCallsAndLastAsLongAsTheirBillingWindow() {
        // given
        generator.generate(smallSpec(7));

        // when
        long calls = count("SELECT count(*) FROM billing_billings WHERE reference_type = 'call'");
        long zeroSecondCalls = count("""
                SELECT count(*) FROM billing_billings
                WHERE reference_type = 'call' AND usage_duration = 0 AND billable_units = 0 AND amount_credit = 0
                """);
        long callsWithAnotherLength = count("""
                SELECT count(*) FROM billing_billings
                WHERE reference_type = 'call'
                  AND (extract(epoch FROM tm_billing_end - tm_billing_start) <> usage_duration
                       OR usage_duration NOT BETWEEN 0 AND 7200)
                """);
        double medianSeconds = jdbc.queryForObject("""
                SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY usage_duration)
                FROM billing_billings WHERE reference_type = 'call' AND usage_duration > 0
                """, Double.class);

        // then
        assertThat((double) zeroSecondCalls / calls).isBetween(0.03, 0.10);
        assertThat(callsWithAnotherLength).isZero();
        assertThat(medianSeconds).isBetween(30.0, 60.0);
    }

    @Test
    void someCallsArePostedInAnotherOrderThanTheyEnded() {
        // given
        generator.generate(smallSpec(7));

        // when
        long callsEndedBeforeOneAlreadyPosted = count("""
                SELECT count(*) FROM (
                    SELECT tm_billing_end,
                           max(tm_billing_end) OVER (ORDER BY posting_seq
                                                     ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS latest_end
                    FROM billing_billings WHERE reference_type = 'call') calls
                WHERE tm_billing_end < latest_end
                """);

        // then
        assertThat(callsEndedBeforeOneAlreadyPosted).isPositive();
    }

    @Test
    void numbersAreBoughtInTheFirstDaysAndRenewedMonthlyOnTheSameDay() {
        // given
        DemoLedgerSpec spec = smallSpec(7);

        // when
        generator.generate(spec);

        // then
        assertThat(count("""
                SELECT count(*) FROM (SELECT account_id, count(*) AS numbers FROM billing_billings
                                      WHERE reference_type = 'number' GROUP BY account_id) bought
                WHERE numbers BETWEEN 1 AND 3
                """)).isEqualTo(40);
        assertThat(count("""
                SELECT count(*) FROM billing_billings
                WHERE reference_type = 'number' AND tm_posted >= timestamptz '2026-01-05 00:00:00+00'
                """)).isZero();
        long renewals = count("SELECT count(*) FROM billing_billings WHERE reference_type = 'number_renew'");
        assertThat(renewals).isEqualTo(count("SELECT count(*) FROM billing_billings WHERE reference_type = 'number'"));
        assertThat(count("""
                SELECT count(*) FROM billing_billings
                WHERE reference_type = 'number_renew'
                  AND (extract(day FROM tm_billing_start AT TIME ZONE 'UTC') > 4
                       OR tm_billing_end <> tm_billing_start + interval '1 month')
                """)).isZero();
    }

    @Test
    void accountsHaveRealisticAndFormulaLikeNamesAndSomeCustomersOwnTwo() {
        // given
        DemoLedgerSpec spec = smallSpec(7);

        // when
        generator.generate(spec);

        // then
        assertThat(count("SELECT count(*) FROM billing_accounts")).isEqualTo(40);
        assertThat(jdbc.queryForList("SELECT left(name, 1) FROM billing_accounts WHERE name ~ '^[-+=@]'",
                String.class)).containsExactlyInAnyOrder("+", "-", "=", "@");
        assertThat(count("""
                SELECT count(*) FROM (SELECT customer_id FROM billing_accounts
                                      GROUP BY customer_id HAVING count(*) = 2) shared
                """)).isPositive();
        assertThat(count("""
                SELECT count(*) FROM billing_accounts
                WHERE status <> 'active' OR detail IS NULL OR tm_create > timestamptz '2026-01-01 00:00:00+00'
                   OR (payment_type, payment_method) NOT IN (('', ''), ('prepaid', 'card'))
                """)).isZero();
    }

    @Test
    void aFewHeavyAccountsCarryMuchOfTheUsage() {
        // given
        generator.generate(smallSpec(7));

        // when
        double topFourShare = jdbc.queryForObject("""
                SELECT sum(usage) FILTER (WHERE rank <= 4)::float8 / sum(usage)
                FROM (SELECT count(*) AS usage, row_number() OVER (ORDER BY count(*) DESC) AS rank
                      FROM billing_billings WHERE transaction_type = 'usage' GROUP BY account_id) per_account
                """, Double.class);

        // then: the busiest tenth of the accounts has far more than a tenth of the usage
        assertThat(topFourShare).isGreaterThan(0.3);
    }

    @Test
    void meetsTheTargetRowCountWithinFivePercent() {
        // given
        DemoLedgerSpec spec = smallSpec(7);

        // when
        DemoLedgerResult result = generator.generate(spec);

        // then
        assertThat(count("SELECT count(*) FROM billing_billings"))
                .isEqualTo(result.rows())
                .isCloseTo(spec.targetRows(), within(spec.targetRows() / 20));
        assertThat(result.accounts()).isEqualTo(40);
    }

    @Test
    void theSameSpecWritesTheSameRowsAndAnotherSeedOthers() {
        // given
        generator.generate(smallSpec(7));
        String first = ledgerFingerprint();
        jdbc.execute("TRUNCATE billing_accounts, billing_billings");

        // when
        generator.generate(smallSpec(7));
        String second = ledgerFingerprint();
        jdbc.execute("TRUNCATE billing_accounts, billing_billings");
        generator.generate(smallSpec(8));
        String otherSeed = ledgerFingerprint();

        // then
        assertThat(second).isEqualTo(first);
        assertThat(otherSeed).isNotEqualTo(first);
    }

    @Test
    void refusesALedgerThatIsNotEmpty() {
        // given
        generator.generate(smallSpec(7));
        long rows = count("SELECT count(*) FROM billing_billings");

        // when / then
        assertThat(generator.isLedgerEmpty()).isFalse();
        assertThatThrownBy(() -> generator.generate(smallSpec(8)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("the ledger is not empty: ")
                .hasMessageContaining("billing_accounts has 40 rows")
                .hasMessageContaining("billing_billings has " + rows);
        assertThat(count("SELECT count(*) FROM billing_billings")).isEqualTo(rows);
    }

    @Test
    void refusesALedgerWithOnlyBillings() {
        // given
        jdbc.update("""
                INSERT INTO billing_billings (id, account_id, transaction_type, status)
                VALUES (gen_random_uuid(), gen_random_uuid(), 'usage', 'progressing')
                """);

        // when / then
        assertThat(generator.isLedgerEmpty()).isFalse();
        assertThatThrownBy(() -> generator.generate(smallSpec(7)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("the ledger is not empty: billing_accounts has 0 rows, billing_billings has 1");
        assertThat(count("SELECT count(*) FROM billing_accounts")).isZero();
    }

    @Test
    void anEmptyLedgerIsEmpty() {
        assertThat(generator.isLedgerEmpty()).isTrue();
    }

    private static DemoLedgerSpec smallSpec(long seed) {
        return new DemoLedgerSpec(seed, 40, FIRST_MONTH, 2, 20_000);
    }

    private String ledgerFingerprint() {
        return jdbc.queryForObject("""
                SELECT md5((SELECT string_agg(a::text, '|' ORDER BY a.id) FROM billing_accounts a)
                           || (SELECT string_agg(b::text, '|' ORDER BY b.posting_seq) FROM billing_billings b))
                """, String.class);
    }

    private long count(String sql) {
        return jdbc.queryForObject(sql, Long.class);
    }
}
