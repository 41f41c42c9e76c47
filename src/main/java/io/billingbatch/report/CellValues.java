package io.billingbatch.report;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.UUID;

import io.billingbatch.ledger.Money;

/** Type checks and text forms of cell values, shared by the CSV and XLSX writers. */
final class CellValues {

    private CellValues() {
    }

    static boolean accepts(ColumnType type, Object value) {
        if (value == null) {
            return true;
        }
        return switch (type) {
            case TEXT -> value instanceof String;
            case ID -> value instanceof UUID || value instanceof String;
            case INTEGER -> isWholeNumber(value);
            // Integer is accepted for convenience, BigInteger for totals beyond a long; double and
            // BigDecimal are not: money stays exact micro-USD.
            case USD -> value instanceof Long || value instanceof Integer || value instanceof BigInteger;
            case INSTANT -> value instanceof Instant;
        };
    }

    private static boolean isWholeNumber(Object value) {
        return value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte;
    }

    /** Micro-USD beyond a long as exact decimal USD. */
    static BigDecimal usd(BigInteger micros) {
        return new BigDecimal(micros, 6);
    }

    /** The text a CSV cell gets for an accepted value; {@code null} for an empty cell. */
    static String csvText(ColumnType type, Object value) {
        if (value == null) {
            return null;
        }
        return switch (type) {
            case TEXT, ID -> SpreadsheetText.neutralize(value.toString());
            case INTEGER -> Long.toString(((Number) value).longValue());
            case USD -> value instanceof BigInteger big ? usd(big).toPlainString() : Money.toUsd(((Number) value).longValue());
            case INSTANT -> value.toString();
        };
    }
}
