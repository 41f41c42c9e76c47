package io.billingbatch.spend;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The rates of {@code billing_rates} in force at an instant: never a constant in code. */
@Repository
public class RateCard {

    private static final String IN_FORCE = """
            SELECT DISTINCT ON (reference_type) reference_type, credit_per_unit, effective_from
            FROM billing_rates
            WHERE reference_type IN ('call', 'sms', 'number') AND effective_from <= :at
            ORDER BY reference_type, effective_from DESC
            """;

    private final JdbcClient jdbc;

    public RateCard(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Micro-USD per call second, per message and per number bought, at {@code at}. */
    public record Rates(Instant at, long callPerSecond, long smsPerMessage, long number) {
    }

    /** @throws IllegalStateException when the rate card has no rate of a type in force at {@code at} */
    public Rates inForce(Instant at) {
        Map<String, Long> rates = new HashMap<>();
        jdbc.sql(IN_FORCE).param("at", java.sql.Timestamp.from(at))
                .query((rs, row) -> rates.put(rs.getString("reference_type"), rs.getLong("credit_per_unit"))).list();
        for (String type : new String[] { "call", "sms", "number" }) {
            if (!rates.containsKey(type)) {
                throw new IllegalStateException("the rate card (billing_rates) has no " + type + " rate in force at " + at);
            }
        }
        return new Rates(at, rates.get("call"), rates.get("sms"), rates.get("number"));
    }
}
