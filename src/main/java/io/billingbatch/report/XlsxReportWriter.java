package io.billingbatch.report;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.util.zip.Deflater;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import io.billingbatch.ledger.Money;
import org.apache.poi.ss.usermodel.Cell;
import org.apache.poi.ss.usermodel.CellStyle;
import org.apache.poi.ss.usermodel.Font;
import org.apache.poi.ss.usermodel.Row;
import org.apache.poi.ss.util.CellRangeAddress;
import org.apache.poi.ss.util.WorkbookUtil;
import org.apache.poi.xssf.streaming.SXSSFSheet;
import org.apache.poi.xssf.streaming.SXSSFWorkbook;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;

/**
 * Writes report tables as sheets of one XLSX workbook with POI's streaming SXSSF: rows are
 * kept in compressed temp files (at most {@value #ROW_ACCESS_WINDOW} in memory), strings are
 * inline (no shared-strings table), and the temp files are always disposed on {@link #close()}.
 * <p>
 * Every sheet has a bold, frozen header row, an autofilter over header and data rows and
 * fixed column widths from {@link ReportColumn#widthChars()}. Amounts are numeric cells in
 * {@value #USD_FORMAT}, whole numbers numeric in {@value #INTEGER_FORMAT}, instants ISO-8601
 * text and text neutralised by {@link SpreadsheetText#neutralize}. A table with more data rows
 * than fit on one sheet continues on sheets named {@code <name> (2)}, {@code <name> (3)}...
 * <p>
 * The workbook is written to the stream on {@link #close()}, which does not close the stream:
 * it belongs to the caller. Not thread-safe.
 */
public final class XlsxReportWriter implements Closeable {

    /** Excel currency format of USD amounts: all six decimals of the micro-USD. */
    public static final String USD_FORMAT = "\"$\"#,##0.000000";

    public static final String INTEGER_FORMAT = "#,##0";

    /** Rows per sheet in the XLSX format, header included. */
    public static final int MAX_SHEET_ROWS = 1_048_576;

    public static final int DEFAULT_MAX_DATA_ROWS_PER_SHEET = MAX_SHEET_ROWS - 1;

    /** Excel's limit on sheet name length. */
    static final int MAX_SHEET_NAME_LENGTH = 31;

    static final int ROW_ACCESS_WINDOW = 200;

    private final OutputStream out;

    private final int maxDataRowsPerSheet;

    private final SXSSFWorkbook workbook;

    private final CellStyle headerStyle;

    private final CellStyle[] dataStyles = new CellStyle[ColumnType.values().length];

    private final CellStyle[] totalStyles = new CellStyle[ColumnType.values().length];

    private final List<SheetWriter> sheets = new ArrayList<>();

    private boolean closed;

    /** A workbook with the default sheet size and a fixed creation time (the epoch), for reproducible files. */
    public XlsxReportWriter(OutputStream out) {
        this(out, Instant.EPOCH, DEFAULT_MAX_DATA_ROWS_PER_SHEET);
    }

    /**
     * @param created the workbook's "created" document property; pass a fixed instant (such as
     *        the end of the report period) so the same content gives the same file
     * @param maxDataRowsPerSheet data rows (without header) per sheet before a table continues
     *        on the next sheet; 1..{@value #DEFAULT_MAX_DATA_ROWS_PER_SHEET}
     */
    public XlsxReportWriter(OutputStream out, Instant created, int maxDataRowsPerSheet) {
        this.out = Objects.requireNonNull(out, "out");
        Objects.requireNonNull(created, "created");
        if (maxDataRowsPerSheet < 1 || maxDataRowsPerSheet > DEFAULT_MAX_DATA_ROWS_PER_SHEET) {
            throw new IllegalArgumentException("maxDataRowsPerSheet must be 1.." + DEFAULT_MAX_DATA_ROWS_PER_SHEET
                    + ", was " + maxDataRowsPerSheet);
        }
        this.maxDataRowsPerSheet = maxDataRowsPerSheet;
        // Uncompressed temp files and a fast final deflate: a report is written once and read by Excel,
        // so seconds of CPU matter more than a few percent of file size (measured: 1.75 s -> 0.8 s for
        // 60,000 rows x 10 columns).
        this.workbook = new SXSSFWorkbook(null, ROW_ACCESS_WINDOW, false, false) {
            @Override
            protected ZipArchiveOutputStream createArchiveOutputStream(OutputStream stream) {
                ZipArchiveOutputStream zip = super.createArchiveOutputStream(stream);
                zip.setLevel(Deflater.BEST_SPEED);
                return zip;
            }
        };
        var properties = workbook.getXSSFWorkbook().getProperties().getCoreProperties();
        properties.setCreated(Optional.of(Date.from(created)));
        properties.setCreator("billing-batch");

        Font bold = workbook.createFont();
        bold.setBold(true);
        short usdFormat = workbook.createDataFormat().getFormat(USD_FORMAT);
        short integerFormat = workbook.createDataFormat().getFormat(INTEGER_FORMAT);
        this.headerStyle = style(bold, (short) 0);
        CellStyle text = style(null, (short) 0);
        CellStyle boldText = style(bold, (short) 0);
        for (ColumnType type : ColumnType.values()) {
            short format = switch (type) {
                case USD -> usdFormat;
                case INTEGER -> integerFormat;
                default -> 0;
            };
            dataStyles[type.ordinal()] = format == 0 ? text : style(null, format);
            totalStyles[type.ordinal()] = format == 0 ? boldText : style(bold, format);
        }
    }

    private CellStyle style(Font font, short dataFormat) {
        CellStyle style = workbook.createCellStyle();
        if (font != null) {
            style.setFont(font);
        }
        style.setDataFormat(dataFormat);
        return style;
    }

    /** Starts a sheet for the table; its name must be a valid, unused Excel sheet name. */
    public SheetWriter sheet(ReportTable table) {
        if (closed) {
            throw new IllegalStateException("XLSX report already closed");
        }
        WorkbookUtil.validateSheetName(table.name());
        SheetWriter sheet = new SheetWriter(table);
        sheets.add(sheet);
        return sheet;
    }

    /** Same as {@link #sheet(ReportTable)} with a table made of the name and columns. */
    public SheetWriter sheet(String name, List<ReportColumn> columns) {
        return sheet(new ReportTable(name, columns));
    }

    /**
     * Finishes all sheets and writes the workbook to the stream (which stays open), then
     * deletes POI's temp files, also when writing failed. Calling it again does nothing.
     */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            for (SheetWriter sheet : sheets) {
                sheet.finishSheet();
            }
            workbook.write(out);
            out.flush();
        }
        finally {
            try {
                workbook.dispose();
            }
            finally {
                workbook.close();
            }
        }
    }

    /**
     * Deletes POI's temp files without writing the workbook, for a workbook that will not be used;
     * afterwards the writer is closed. Does nothing after {@link #close()}.
     */
    public void discard() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            workbook.dispose();
        }
        finally {
            try {
                workbook.close();
            }
            catch (IOException ex) {
                // nothing was written to the stream; the temp files are gone
            }
        }
    }

    /**
     * Writes the rows of one table, continuing on a new sheet with the same header when the
     * current one is full. Obtained from {@link XlsxReportWriter#sheet}.
     */
    public final class SheetWriter {

        private final ReportTable table;

        private SXSSFSheet sheet;

        private int sheetNumber;

        /** Data rows on the current sheet. */
        private int sheetRows;

        private long rows;

        /** Whether the current sheet has its autofilter, which is set once its data rows are known. */
        private boolean filtered;

        private boolean totalWritten;

        /** Per column the last text value and its cell text: a value repeated on every row is formatted once. */
        private final Object[] lastValues;

        private final String[] lastTexts;

        private SheetWriter(ReportTable table) {
            this.table = table;
            this.lastValues = new Object[table.columns().size()];
            this.lastTexts = new String[table.columns().size()];
            startSheet();
        }

        /**
         * Writes one data row, one value per column in column order.
         * @throws IllegalArgumentException if the row does not fit the table's columns
         * @throws IllegalStateException after the total row or after the workbook was closed
         */
        public SheetWriter row(Object... values) {
            checkOpen();
            table.checkRow(values, rows + 1);
            if (sheetRows == maxDataRowsPerSheet) {
                finishSheet();
                startSheet();
            }
            writeCells(sheet.createRow(sheetRows + 1), values, dataStyles);
            sheetRows++;
            rows++;
            return this;
        }

        /**
         * Writes a bold total row under the data of the last sheet, outside the autofilter
         * range; use {@code null} for columns without a total. Ends the table.
         */
        public void total(Object... values) {
            checkOpen();
            table.checkRow(values, rows + 1);
            if (sheetRows + 2 > MAX_SHEET_ROWS) {
                finishSheet();
                startSheet();
            }
            finishSheet();
            writeCells(sheet.createRow(sheetRows + 1), values, totalStyles);
            totalWritten = true;
        }

        /** Data rows written so far over all sheets of this table, without headers and total. */
        public long rowCount() {
            return rows;
        }

        /** Sheets this table occupies so far. */
        public int sheetCount() {
            return sheetNumber;
        }

        private void checkOpen() {
            if (closed) {
                throw new IllegalStateException("XLSX report already closed");
            }
            if (totalWritten) {
                throw new IllegalStateException("Sheet '" + table.name() + "' already has its total row");
            }
        }

        private void startSheet() {
            sheetNumber++;
            sheet = workbook.createSheet(sheetName(table.name(), sheetNumber));
            sheetRows = 0;
            filtered = false;
            List<ReportColumn> columns = table.columns();
            Row header = sheet.createRow(0);
            for (int i = 0; i < columns.size(); i++) {
                Cell cell = header.createCell(i);
                cell.setCellValue(columns.get(i).header());
                cell.setCellStyle(headerStyle);
                // Fixed widths: autoSizeColumn is slow with SXSSF and sees only the row window.
                sheet.setColumnWidth(i, columns.get(i).widthChars() * 256);
            }
            sheet.createFreezePane(0, 1);
        }

        private void finishSheet() {
            if (!filtered) {
                sheet.setAutoFilter(new CellRangeAddress(0, sheetRows, 0, table.columns().size() - 1));
                filtered = true;
            }
        }

        private String text(int column, ColumnType type, Object value) {
            if (value != lastValues[column]) {
                lastTexts[column] = cellText(type, value);
                lastValues[column] = value;
            }
            return lastTexts[column];
        }

        private void writeCells(Row row, Object[] values, CellStyle[] styles) {
            List<ReportColumn> columns = table.columns();
            for (int i = 0; i < values.length; i++) {
                ColumnType type = columns.get(i).type();
                Object value = values[i];
                if (value == null) {
                    continue;
                }
                Cell cell = row.createCell(i);
                cell.setCellStyle(styles[type.ordinal()]);
                switch (type) {
                    case TEXT, ID, INSTANT -> cell.setCellValue(text(i, type, value));
                    case INTEGER -> cell.setCellValue(((Number) value).longValue());
                    // The one place money becomes a double: Excel has no other number type.
                    case USD -> cell.setCellValue(value instanceof BigInteger big ? CellValues.usd(big).doubleValue()
                            : ((Number) value).longValue() / (double) Money.MICROS_PER_USD);
                }
            }
        }
    }

    /** The text of a text, id or instant cell; immutable values, so the same object has the same text. */
    private static String cellText(ColumnType type, Object value) {
        return type == ColumnType.INSTANT ? value.toString() : SpreadsheetText.neutralize(value.toString());
    }

    /** {@code name} for the first sheet, {@code name (n)} after, shortened to Excel's 31 characters. */
    static String sheetName(String name, int sheetNumber) {
        if (sheetNumber == 1) {
            return name;
        }
        String suffix = " (" + sheetNumber + ")";
        return name.substring(0, Math.min(name.length(), MAX_SHEET_NAME_LENGTH - suffix.length())) + suffix;
    }
}
