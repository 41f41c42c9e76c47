package io.billingbatch.report;

import java.util.Objects;

/**
 * One column of a report: its header (the CSV's, a contract for machines, such as
 * {@code cost_usd}), the {@link ColumnType} of its values, its minimum width in characters in
 * spreadsheets (CSV ignores the width; the XLSX writer widens a column to fit its content) and the
 * label people read in the workbook ("Cost (USD)"), derived from the header unless given.
 */
public record ReportColumn(String header, ColumnType type, int widthChars, String label) {

    /** Excel's widest column, in characters. */
    public static final int MAX_WIDTH_CHARS = 255;

    public ReportColumn(String header, ColumnType type, int widthChars) {
        this(header, type, widthChars, null);
    }

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
        if (label == null || label.isBlank()) {
            label = words(header);
        }
    }

    /** The same column with another label in workbooks; the CSV header stays. */
    public ReportColumn labelled(String label) {
        return new ReportColumn(header, type, widthChars, label);
    }

    /**
     * A header in words: {@code billable_units} is "Billable units", {@code cost_usd} "Cost (USD)",
     * {@code account_id} "Account ID".
     */
    static String words(String header) {
        String[] parts = header.split("_");
        StringBuilder label = new StringBuilder();
        String unit = null;
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            if (part.isEmpty()) {
                continue;
            }
            if (i == parts.length - 1 && i > 0 && (part.equals("usd") || part.equals("hex"))) {
                unit = part.equals("usd") ? "(USD)" : "(hex)";
                continue;
            }
            String word = switch (part) {
                case "id" -> "ID";
                case "seq" -> "posting";
                case "usd" -> "USD";
                default -> part;
            };
            if (label.isEmpty()) {
                word = Character.toUpperCase(word.charAt(0)) + word.substring(1);
            }
            else {
                label.append(' ');
            }
            label.append(word);
        }
        if (unit != null) {
            label.append(label.isEmpty() ? "" : " ").append(unit);
        }
        return label.toString();
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
