package io.billingbatch.report;

import java.util.List;
import java.util.Objects;

/**
 * The shape of one table of a report: a name (the XLSX sheet name) and its columns. One
 * definition feeds both {@link CsvReportWriter} and {@link XlsxReportWriter}, so the CSV and
 * the spreadsheet of a report cannot drift apart.
 */
public record ReportTable(String name, List<ReportColumn> columns) {

    public ReportTable {
        Objects.requireNonNull(name, "name");
        columns = List.copyOf(columns);
        if (columns.isEmpty()) {
            throw new IllegalArgumentException("Report table '" + name + "' needs at least one column");
        }
    }

    public static ReportTable of(String name, ReportColumn... columns) {
        return new ReportTable(name, List.of(columns));
    }

    public List<String> headers() {
        return columns.stream().map(ReportColumn::header).toList();
    }

    /**
     * Checks that a row has one value per column and each value fits its column's type.
     * @param rowNumber 1-based data row number, for the error message
     * @throws IllegalArgumentException naming the table, row and column of the first bad value
     */
    void checkRow(Object[] values, long rowNumber) {
        Objects.requireNonNull(values, "values");
        if (values.length != columns.size()) {
            throw new IllegalArgumentException("Report table '" + name + "', row " + rowNumber + ": expected "
                    + columns.size() + " values " + headers() + " but got " + values.length);
        }
        for (int i = 0; i < values.length; i++) {
            ReportColumn column = columns.get(i);
            if (!CellValues.accepts(column.type(), values[i])) {
                throw new IllegalArgumentException("Report table '" + name + "', row " + rowNumber + ", column '"
                        + column.header() + "' (" + column.type() + "): unsupported value of type "
                        + values[i].getClass().getName());
            }
        }
    }
}
