package io.billingbatch.ledger;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

/**
 * Money is integer micro-USD everywhere inside the system (1 USD = 1,000,000 micros);
 * decimal USD exists only at the edges: CSV, XLSX and JSON.
 */
public final class Money {

    public static final long MICROS_PER_USD = 1_000_000L;

    private Money() {
    }

    /** Exact decimal USD with six decimals, e.g. {@code -1234567} becomes {@code "-1.234567"}. */
    public static String toUsd(long micros) {
        return BigDecimal.valueOf(micros, 6).toPlainString();
    }

    /** Exact decimal USD with six decimals of a total that may not fit a long. */
    public static String toUsd(BigInteger micros) {
        return new BigDecimal(micros, 6).toPlainString();
    }

    /** The same amount as a {@link BigDecimal} with scale 6, for JSON and spreadsheets. */
    public static BigDecimal toUsdDecimal(long micros) {
        return BigDecimal.valueOf(micros, 6);
    }

    /**
     * The amount as the document's JSON writes it: no trailing zeros beyond two decimals
     * ({@code 69.77263}, {@code 100.00}, {@code -10.00}), never in exponent form.
     */
    public static BigDecimal toUsdJson(long micros) {
        BigDecimal stripped = BigDecimal.valueOf(micros, 6).stripTrailingZeros();
        return stripped.setScale(Math.max(2, stripped.scale()), RoundingMode.UNNECESSARY);
    }

    /**
     * Parses a decimal USD amount exactly.
     * @throws IllegalArgumentException if the amount has more than six decimals or overflows micros
     */
    public static long fromUsd(BigDecimal usd) {
        if (usd.precision() - usd.scale() > 13 || (usd.scale() > 6 && usd.stripTrailingZeros().scale() > 6)) {
            // checked before any arithmetic: 1E+100000000 would otherwise cost minutes of CPU
            throw new IllegalArgumentException("Not an exact USD amount with at most six decimals within "
                    + toUsd(Long.MAX_VALUE) + ": " + describe(usd));
        }
        BigDecimal micros = usd.movePointRight(6);
        try {
            return micros.setScale(0, RoundingMode.UNNECESSARY).longValueExact();
        }
        catch (ArithmeticException ex) {
            throw new IllegalArgumentException("Not an exact USD amount with at most six decimals: " + describe(usd), ex);
        }
    }

    /** An amount as a caller wrote it, short even when its exponent is huge. */
    public static String describe(BigDecimal usd) {
        return Math.abs((long) usd.precision() - usd.scale()) > 30 || usd.scale() > 30 ? usd.toString() : usd.toPlainString();
    }

    public static long fromUsd(String usd) {
        try {
            return fromUsd(new BigDecimal(usd.trim()));
        }
        catch (NumberFormatException ex) {
            throw new IllegalArgumentException("Not a USD amount: '" + usd + "'", ex);
        }
    }
}
