package io.billingbatch.database;

/**
 * Rows in the text format of PostgreSQL's {@code COPY ... FROM STDIN}: columns separated by tabs,
 * rows ended by a newline, NULL as {@code \N}, and in text values backslash, tab, newline and
 * carriage return escaped. Other values are written as their {@code toString()}, which PostgreSQL's
 * input functions read as the JDBC driver would bind them (numbers, UUIDs, {@code true}/{@code false}).
 */
public final class CopyText {

    private final StringBuilder text;

    private boolean rowStarted;

    /** @param capacity expected characters of all rows, to size the buffer once */
    public CopyText(int capacity) {
        this.text = new StringBuilder(capacity);
    }

    /** Appends the next column of the current row. */
    public CopyText value(Object value) {
        if (rowStarted) {
            text.append('\t');
        }
        rowStarted = true;
        if (value == null) {
            text.append("\\N");
        }
        else if (value instanceof String string) {
            appendEscaped(string);
        }
        else {
            text.append(value);
        }
        return this;
    }

    /** Appends the next column of the current row: a number, never NULL. */
    public CopyText value(long value) {
        if (rowStarted) {
            text.append('\t');
        }
        rowStarted = true;
        text.append(value);
        return this;
    }

    /** Ends the current row. */
    public CopyText endRow() {
        text.append('\n');
        rowStarted = false;
        return this;
    }

    /** The rows so far, for {@code CopyManager.copyIn}. */
    @Override
    public String toString() {
        return text.toString();
    }

    private void appendEscaped(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> text.append("\\\\");
                case '\t' -> text.append("\\t");
                case '\n' -> text.append("\\n");
                case '\r' -> text.append("\\r");
                default -> text.append(c);
            }
        }
    }
}
