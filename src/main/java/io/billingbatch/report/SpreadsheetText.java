package io.billingbatch.report;

/**
 * Neutralises spreadsheet formula injection in untrusted text (OWASP "CSV injection"): a value
 * that starts with {@code =}, {@code +}, {@code -}, {@code @}, tab or carriage return is
 * prefixed with a single quote, so Excel shows it as text instead of evaluating it.
 * Applied to text and id cells only, never to numbers or amounts.
 */
public final class SpreadsheetText {

    private SpreadsheetText() {
    }

    /** The value, prefixed with {@code '} if it could start a formula; {@code null} stays {@code null}. */
    public static String neutralize(String value) {
        if (value == null || value.isEmpty()) {
            return value;
        }
        return switch (value.charAt(0)) {
            case '=', '+', '-', '@', '\t', '\r' -> "'" + value;
            default -> value;
        };
    }
}
