package io.billingbatch.spend;

import java.time.Instant;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * The rates of {@code billing_rates} in force at an instant, for an estimate: read through the
 * ledger's one {@link io.billingbatch.ledger.RateCard}, never a constant in code.
 */
@Repository
public class RateCard {

    private final JdbcTemplate jdbc;

    public RateCard(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** Micro-USD per call second, per message and per number bought, at {@code at}. */
    public record Rates(Instant at, long callPerSecond, long smsPerMessage, long number) {
    }

    /** @throws IllegalStateException when the rate card has no rate of a type in force at {@code at} */
    public Rates inForce(Instant at) {
        io.billingbatch.ledger.RateCard card = io.billingbatch.ledger.RateCard.read(jdbc);
        try {
            return new Rates(at, card.rateAt("call", at), card.rateAt("sms", at), card.rateAt("number", at));
        }
        catch (IllegalArgumentException ex) {
            throw new IllegalStateException("the rate card has " + ex.getMessage(), ex);
        }
    }
}
