package io.billingbatch.report;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.List;

import com.opencsv.CSVWriter;
import com.opencsv.ICSVWriter;

/**
 * Writes one {@link ReportTable} as CSV: UTF-8 without BOM, {@code "\n"} line ends, a header
 * line of the column headers, quotes only where a value needs them. Amounts are exact USD with
 * six decimals, instants ISO-8601, text neutralised by {@link SpreadsheetText#neutralize}.
 * <p>
 * The header is written by the constructor. {@link #close()} flushes but leaves the target
 * stream open: it belongs to the caller (for example {@link ReportStore}, which still fsyncs it).
 * Not thread-safe.
 */
public final class CsvReportWriter implements Closeable, Flushable {

    private final ReportTable table;

    private final CSVWriter csv;

    private final String[] line;

    /** Per column the last value and its text: a value repeated on every row (the period) is formatted once. */
    private final Object[] lastValues;

    private long rows;

    public CsvReportWriter(OutputStream out, ReportTable table) {
        this(new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 64 * 1024), table);
    }

    public CsvReportWriter(Writer out, ReportTable table) {
        this.table = table;
        this.csv = new CSVWriter(out, ICSVWriter.DEFAULT_SEPARATOR, ICSVWriter.DEFAULT_QUOTE_CHARACTER,
                ICSVWriter.DEFAULT_QUOTE_CHARACTER, "\n");
        this.line = new String[table.columns().size()];
        this.lastValues = new Object[line.length];
        writeLine(table.headers().toArray(String[]::new));
    }

    /**
     * Writes one data row, one value per column in column order.
     * @throws IllegalArgumentException if the row does not fit the table's columns
     * @throws UncheckedIOException if the target stream failed
     */
    public void row(Object... values) {
        table.checkRow(values, rows + 1);
        List<ReportColumn> columns = table.columns();
        for (int i = 0; i < line.length; i++) {
            Object value = values[i];
            if (value == null || value != lastValues[i]) { // immutable values: the same object has the same text
                line[i] = CellValues.csvText(columns.get(i).type(), value);
                lastValues[i] = value;
            }
        }
        writeLine(line);
        rows++;
    }

    /** Data rows written so far, without the header. */
    public long rowCount() {
        return rows;
    }

    private void writeLine(String[] values) {
        csv.writeNext(values, false);
        // OpenCSV keeps write failures to itself; surface them at once, not at the end.
        IOException failure = csv.getException();
        if (failure != null) {
            throw new UncheckedIOException("Could not write CSV report '" + table.name() + "' at row " + rows, failure);
        }
    }

    @Override
    public void flush() throws IOException {
        csv.flush();
    }

    /** Flushes everything written; the target stream stays open. */
    @Override
    public void close() throws IOException {
        csv.flush();
    }
}
