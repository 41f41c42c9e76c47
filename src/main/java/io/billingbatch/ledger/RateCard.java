package io.billingbatch.ledger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The rate card as {@code billing_rates} holds it (the migration V2 seeds the document's rates; later
 * rates are rows with a later {@code effective_from}). A usage row is rated at the rate of its
 * {@code reference_type} in force at its {@code tm_billing_start}. Everything that rates usage in
 * code (the demo generator, the tests' ledgers) reads it from here instead of writing rates down.
 */
public record RateCard(Map<String, List<Rate>> ratesByType) {

    private static final String SELECT = """
            SELECT reference_type, unit, credit_per_unit, effective_from FROM billing_rates
            ORDER BY reference_type, effective_from
            """;

    /** One rate: micro-USD per unit of {@code referenceType}, from {@code effectiveFrom} until the next rate. */
    public record Rate(String referenceType, String unit, long creditPerUnit, Instant effectiveFrom) {
    }

    public RateCard {
        ratesByType = Map.copyOf(ratesByType);
    }

    /** The rate card as stored now. */
    public static RateCard read(JdbcTemplate jdbc) {
        Map<String, List<Rate>> rates = new LinkedHashMap<>();
        jdbc.query(SELECT, rs -> {
            Rate rate = new Rate(rs.getString("reference_type"), rs.getString("unit"), rs.getLong("credit_per_unit"),
                    rs.getTimestamp("effective_from").toInstant());
            rates.computeIfAbsent(rate.referenceType(), type -> new ArrayList<>()).add(rate);
        });
        rates.values().forEach(list -> list.sort(Comparator.comparing(Rate::effectiveFrom)));
        rates.replaceAll((type, list) -> List.copyOf(list));
        return new RateCard(rates);
    }

    /**
     * Micro-USD per unit of {@code referenceType} in force at {@code at}.
     *
     * @throws IllegalArgumentException when the card has no rate in force for it then
     */
    public long rateAt(String referenceType, Instant at) {
        Rate inForce = null;
        for (Rate rate : ratesByType.getOrDefault(referenceType, List.of())) {
            if (rate.effectiveFrom().isAfter(at)) {
                break;
            }
            inForce = rate;
        }
        if (inForce == null) {
            throw new IllegalArgumentException("no rate in force for " + referenceType + " at " + at + " (billing_rates)");
        }
        return inForce.creditPerUnit();
    }

    /** Micro-USD per unit of {@code referenceType} in force now, by the given clock's instant. */
    public long rateNow(String referenceType, java.time.Clock clock) {
        return rateAt(referenceType, clock.instant());
    }
}
