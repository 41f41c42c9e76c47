package io.billingbatch.ledger;

import io.billingbatch.testing.BillingTest;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** The money rules of {@code ledger} as PostgreSQL applies them: the rate card and what counts as a charge. */
@BillingTest
class MoneyRulesTest {

    static final Instant NOW = Instant.parse("2026-10-15T12:00:00Z");

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void theRateCardReadFromBillingRatesGivesTheDocumentsExampleCosts() {
        RateCard card = RateCard.read(jdbc);
        // 300 s x $0.020 = $6.00; 10 SMS x $0.008 = $0.08; 3 numbers x $5 + 500 s + 100 SMS = $25.80
        assertThat(Money.toUsd(300 * card.rateAt("call", NOW))).isEqualTo("6.000000");
        assertThat(Money.toUsd(10 * card.rateAt("sms", NOW))).isEqualTo("0.080000");
        assertThat(Money.toUsd(3 * card.rateAt("number", NOW) + 500 * card.rateAt("call", NOW) + 100 * card.rateAt("sms", NOW)))
                .isEqualTo("25.800000");
        assertThat(card.rateAt("number_renew", NOW)).isEqualTo(card.rateAt("number", NOW));
        assertThatIllegalArgumentException().isThrownBy(() -> card.rateAt("call", Instant.parse("1999-12-31T23:59:59Z")))
                .withMessage("no rate in force for call at 1999-12-31T23:59:59Z (billing_rates)");
    }

    @Test
    void aLaterRateIsInForceFromItsDateOn() {
        jdbc.update("INSERT INTO billing_rates VALUES ('call', 'second', 25000, '2026-11-01T00:00:00Z')");
        try {
            RateCard card = RateCard.read(jdbc);
            assertThat(card.rateAt("call", Instant.parse("2026-10-31T23:59:59Z"))).isEqualTo(20_000);
            assertThat(card.rateAt("call", Instant.parse("2026-11-01T00:00:00Z"))).isEqualTo(25_000);
        }
        finally {
            jdbc.update("DELETE FROM billing_rates WHERE effective_from = '2026-11-01T00:00:00Z'");
        }
    }

    /** The SQL fragments and the Java rule say the same of every kind of row. */
    @Test
    void theChargeRuleIsTheSameInSqlAndInJava() {
        List<String> referenceTypes = List.of("call", "sms", "number", "number_renew", "top_up", "auto_top_up", "fax");
        for (String transactionType : List.of("usage", "top_up", "adjustment")) {
            for (String status : List.of("end", "progressing")) {
                for (String referenceType : referenceTypes) {
                    for (boolean deleted : List.of(false, true)) {
                        Map<String, Object> sql = jdbc.queryForMap(PostedCharges.expand("""
                                SELECT {posted_usage} AS posted_usage, {charge_type} AS charge_type,
                                       {charge_reference} AS charge_reference, {is_call} AS is_call,
                                       {is_sms} AS is_sms, {is_number} AS is_number
                                FROM (SELECT CAST(? AS text) AS transaction_type, CAST(? AS text) AS status,
                                             CAST(? AS text) AS reference_type,
                                             CASE WHEN ? THEN now() END AS tm_delete) b
                                """), transactionType, status, referenceType, deleted);
                        String what = transactionType + "/" + status + "/" + referenceType + (deleted ? " deleted" : "");
                        String type = PostedCharges.chargeType(referenceType);
                        assertThat(sql.get("posted_usage")).as(what)
                                .isEqualTo(!deleted && PostedCharges.isPostedUsage(transactionType, status));
                        assertThat(sql.get("charge_type")).as(what).isEqualTo(type == null ? referenceType : type);
                        assertThat(sql.get("charge_reference")).as(what).isEqualTo(type != null);
                        assertThat(sql.get("is_call")).as(what).isEqualTo("call".equals(type));
                        assertThat(sql.get("is_sms")).as(what).isEqualTo("sms".equals(type));
                        assertThat(sql.get("is_number")).as(what).isEqualTo("number".equals(type));
                        assertThat(PostedCharges.isChargeType(type)).as(what).isEqualTo(type != null);
                    }
                }
            }
        }
    }
}
