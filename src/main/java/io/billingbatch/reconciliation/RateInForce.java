package io.billingbatch.reconciliation;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.billingbatch.ledger.RateCard;

/**
 * The rate card as one SQL expression over a ledger row {@code b}: the rate of its
 * {@code reference_type} in force at its {@code tm_billing_start}, NULL when none is. Written as a
 * {@code CASE} whose values are bound parameters, so the reconciliation's one read of a period
 * checks every row's rating in the parallel workers as part of the row: joined as a table, the card
 * made PostgreSQL carry the ledger row's columns through the period's sort (10M rows: 20 % more time).
 * The statement's text follows only the card's shape (how many rates of each type).
 */
record RateInForce(String sql, List<Object> arguments) {

    static final String TOKEN = "{rate_in_force}";

    static RateInForce of(RateCard card) {
        if (card.ratesByType().isEmpty()) {
            return new RateInForce("CAST(NULL AS bigint)", List.of());
        }
        StringBuilder sql = new StringBuilder("(CASE b.reference_type");
        List<Object> arguments = new ArrayList<>();
        for (Map.Entry<String, List<RateCard.Rate>> type : card.ratesByType().entrySet().stream()
                .sorted(Map.Entry.comparingByKey()).toList()) {
            sql.append(" WHEN CAST(? AS text) THEN CASE");
            arguments.add(type.getKey());
            List<RateCard.Rate> rates = new ArrayList<>(type.getValue());
            java.util.Collections.reverse(rates); // the latest first: the first in force at the row's start wins
            for (RateCard.Rate rate : rates) {
                sql.append(" WHEN b.tm_billing_start >= CAST(? AS timestamptz) THEN CAST(? AS bigint)");
                arguments.add(Timestamp.from(rate.effectiveFrom()));
                arguments.add(rate.creditPerUnit());
            }
            sql.append(" END");
        }
        return new RateInForce(sql.append(" END)").toString(), List.copyOf(arguments));
    }

    /** The statement with the expression in place of {@link #TOKEN}. */
    String into(String statement) {
        if (!statement.contains(TOKEN)) {
            throw new IllegalArgumentException("no " + TOKEN + " in the statement");
        }
        return statement.replace(TOKEN, sql);
    }

    /** The statement's arguments: {@code before} (the ones bound ahead of the expression), then the card's, then {@code after}. */
    Object[] arguments(Object[] before, Object... after) {
        List<Object> all = new ArrayList<>(java.util.Arrays.asList(before)); // NULL arguments (an open range) too
        all.addAll(arguments);
        all.addAll(java.util.Arrays.asList(after));
        return all.toArray();
    }
}
