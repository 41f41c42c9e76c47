package io.billingbatch.report;

import java.util.Objects;

/**
 * One column of a report: its header text, the {@link ColumnType} of its values and its
 * width in characters in spreadsheets (CSV ignores the width).
 */
public record ReportColumn(String header, ColumnType type, int widthChars) {

    /** Excel's widest column, in characters. */
    public static final int MAX_WIDTH_CHARS = 255;

    public ReportColumn {
        Objects.requireNonNull(header, "header");
        Objects.requireNonNull(type, "type");
        if (header.isBlank()) {
            throw new IllegalArgumentException("A report column needs a header");
        }
        if (widthChars < 1 || widthChars > MAX_WIDTH_CHARS) {
            throw new IllegalArgumentException("Column '" + header + "': width must be 1.." + MAX_WIDTH_CHARS
                    + " characters, was " + widthChars);
        }
    }

    public static ReportColumn text(String header, int widthChars) {
        return new ReportColumn(header, ColumnType.TEXT, widthChars);
    }

    public static ReportColumn id(String header) {
        return new ReportColumn(header, ColumnType.ID, 38);
    }

    public static ReportColumn integer(String header, int widthChars) {
        return new ReportColumn(header, ColumnType.INTEGER, widthChars);
    }

    public static ReportColumn usd(String header) {
        return new ReportColumn(header, ColumnType.USD, 20);
    }

    public static ReportColumn instant(String header) {
        return new ReportColumn(header, ColumnType.INSTANT, 22);
    }
}
