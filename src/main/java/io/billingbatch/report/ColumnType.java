package io.billingbatch.report;

/**
 * What a report column holds, which decides both the accepted Java values and how the
 * CSV and XLSX writers render them. A {@code null} value renders as an empty cell in every type.
 */
public enum ColumnType {

    /** Free text ({@link String}); neutralised against formula injection. */
    TEXT,

    /** An identifier ({@link java.util.UUID} or {@link String}); neutralised like text. */
    ID,

    /** A whole number ({@link Long}, {@link Integer}, {@link Short} or {@link Byte}). */
    INTEGER,

    /** An amount in micro-USD ({@code long}, or {@code BigInteger} for a total beyond a long); six exact decimals in CSV, a currency number in XLSX. */
    USD,

    /** A point in time ({@link java.time.Instant}); ISO-8601 text such as {@code 2026-10-01T00:00:00Z}. */
    INSTANT
}
