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
import java.util.concurrent.atomic.AtomicBoolean;

import io.billingbatch.ledger.Money;
import org.apache.poi.ss.usermodel.Cell;
import org.apache.poi.ss.usermodel.PrintSetup;
import org.apache.poi.ss.usermodel.Sheet;
import org.apache.poi.ss.util.CellReference;
import org.apache.poi.xddf.usermodel.chart.AxisCrosses;
import org.apache.poi.xddf.usermodel.chart.AxisPosition;
import org.apache.poi.xddf.usermodel.chart.BarDirection;
import org.apache.poi.xddf.usermodel.chart.ChartTypes;
import org.apache.poi.xddf.usermodel.chart.XDDFBarChartData;
import org.apache.poi.xddf.usermodel.chart.XDDFCategoryAxis;
import org.apache.poi.xddf.usermodel.chart.XDDFDataSourcesFactory;
import org.apache.poi.xddf.usermodel.chart.XDDFValueAxis;
import org.apache.poi.xssf.usermodel.XSSFChart;
import org.apache.poi.xssf.usermodel.XSSFDrawing;
import org.apache.poi.ss.usermodel.CellStyle;
import org.apache.poi.ss.usermodel.Font;
import org.apache.poi.ss.usermodel.Row;
import org.apache.poi.ss.util.CellRangeAddress;
import org.apache.poi.ss.util.WorkbookUtil;
import org.apache.poi.xssf.streaming.SXSSFSheet;
import org.apache.poi.xssf.streaming.SXSSFWorkbook;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes report tables as sheets of one XLSX workbook with POI's streaming SXSSF: rows are
 * kept in compressed temp files (at most {@value #ROW_ACCESS_WINDOW} in memory), strings are
 * inline (no shared-strings table), and the temp files are always disposed on {@link #close()}.
 * <p>
 * Every sheet has a bold, frozen header row of the columns' labels in words
 * ({@link ReportColumn#label()}; the CSV keeps the machine headers), an autofilter over header and
 * data rows, column widths that fit the longest text or number written (counted as the rows are
 * written, never by POI's autoSizeColumn, which is slow and sees only the row window) and a print
 * setup: landscape, one page wide, the header row repeated on every page. Amounts are numeric cells
 * holding every micro-dollar, shown in {@value #USD_FORMAT} (cents); whole numbers numeric in
 * {@value #INTEGER_FORMAT}, instants ISO-8601 text and text neutralised by
 * {@link SpreadsheetText#neutralize}. A table with more data rows than fit on one sheet continues
 * on sheets named {@code <name> (2)}, {@code <name> (3)}...
 * <p>
 * A summary sheet ({@link #summary}) is small: its rows are kept until {@link #close()}, which
 * writes them under the workbook's {@link #title(ReportTitle) title block} with its bar charts
 * ({@link SheetWriter#chart}).
 * <p>
 * The workbook is written to the stream on {@link #close()}, which does not close the stream:
 * it belongs to the caller. Not thread-safe.
 */
public final class XlsxReportWriter implements Closeable {

    /** Excel currency format of USD amounts: dollars and cents; the cell's value keeps every micro-dollar. */
    public static final String USD_FORMAT = "\"$\"#,##0.00";

    /** Widest column the writer makes, in characters (longer text overflows or is cut, as in any sheet). */
    static final int MAX_FIT_CHARS = 80;

    public static final String INTEGER_FORMAT = "#,##0";

    /** Rows per sheet in the XLSX format, header included. */
    public static final int MAX_SHEET_ROWS = 1_048_576;

    public static final int DEFAULT_MAX_DATA_ROWS_PER_SHEET = MAX_SHEET_ROWS - 1;

    /** Excel's limit on sheet name length. */
    static final int MAX_SHEET_NAME_LENGTH = 31;

    static final int ROW_ACCESS_WINDOW = 200;

    /** Narrowest chart, in characters of column width. */
    static final int CHART_MIN_CHARS = 48;

    /** Width a chart gives each bar beyond the narrowest, in characters (a month's 31 days: 70). */
    static final int CHART_CHARS_PER_BAR = 2;

    private final OutputStream out;

    private final int maxDataRowsPerSheet;

    private final SXSSFWorkbook workbook;

    private final CellStyle headerStyle;

    private final CellStyle titleStyle;

    private ReportTitle title;

    private final CellStyle[] dataStyles = new CellStyle[ColumnType.values().length];

    private final CellStyle[] totalStyles = new CellStyle[ColumnType.values().length];

    private final List<SheetWriter> sheets = new ArrayList<>();

    private boolean closed;

    private static final Logger log = LoggerFactory.getLogger(XlsxReportWriter.class);

    private static final AtomicBoolean WARM_UP_STARTED = new AtomicBoolean();

    /**
     * Writes a small workbook (a summary with its chart, a sheet of every column type) to nowhere, once
     * per JVM, on a thread of its own: the first workbook of a process otherwise pays seconds to load,
     * verify and link POI's and XMLBeans' classes (about 2 s of a command's run at any size, measured
     * on a 2-core machine), and a job that calls this when it starts pays them while its first steps
     * wait for PostgreSQL. Returns at once; a failure here is logged and changes nothing but the wait.
     */
    public static void warmUpInBackground() {
        if (!WARM_UP_STARTED.compareAndSet(false, true)) {
            return;
        }
        Thread warmUp = new Thread(() -> {
            try (XlsxReportWriter xlsx = new XlsxReportWriter(OutputStream.nullOutputStream())) {
                SheetWriter summary = xlsx.summary(new ReportTable("Summary", List.of(ReportColumn.text("item", 10),
                        ReportColumn.integer("count", 10), ReportColumn.usd("usd"))))
                        .chart("Warm-up", 0, 1, "Item", "Count", row -> true);
                summary.row("item", 1L, 1L);
                summary.total("total", 1L, BigInteger.ONE);
                xlsx.sheet(new ReportTable("Rows", List.of(ReportColumn.id("id"), ReportColumn.text("text", 10),
                        ReportColumn.instant("instant"), ReportColumn.integer("count", 10), ReportColumn.usd("usd"))))
                        .row(java.util.UUID.randomUUID(), "text", Instant.EPOCH, 1L, 1L);
            }
            catch (IOException | RuntimeException ex) {
                log.warn("Could not warm up the XLSX writer: {}", ex.toString());
            }
        }, "xlsx-warm-up");
        warmUp.setPriority(Thread.MIN_PRIORITY);
        warmUp.start();
    }

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
        Font large = workbook.createFont();
        large.setBold(true);
        large.setFontHeightInPoints((short) 14);
        this.titleStyle = style(large, (short) 0);
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
        SheetWriter sheet = new SheetWriter(table, false);
        sheets.add(sheet);
        return sheet;
    }

    /**
     * Starts the workbook's summary sheet: a small table whose rows are kept in memory and written
     * on {@link #close()}, under the title block, with its charts.
     */
    public SheetWriter summary(ReportTable table) {
        if (closed) {
            throw new IllegalStateException("XLSX report already closed");
        }
        WorkbookUtil.validateSheetName(table.name());
        SheetWriter sheet = new SheetWriter(table, true);
        sheets.add(sheet);
        return sheet;
    }

    /**
     * The first summary sheet started (the workbook's Summary), for charts of the rows of a later one
     * ({@link SheetWriter#chart(String, SheetWriter, int, int, String, String, java.util.function.Predicate)}).
     * @throws IllegalStateException if no summary sheet was started
     */
    public SheetWriter firstSummary() {
        return sheets.stream().filter(sheet -> sheet.buffered).findFirst()
                .orElseThrow(() -> new IllegalStateException("The workbook has no summary sheet"));
    }

    /** The title block of the summary sheet; may be given any time before {@link #close()}. */
    public XlsxReportWriter title(ReportTitle title) {
        this.title = title;
        return this;
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
                if (sheet.buffered) {
                    sheet.writeBuffered();
                }
                else {
                    sheet.finishSheet();
                }
            }
            // once every summary's rows are placed: a chart may show another summary sheet's rows
            for (SheetWriter sheet : sheets) {
                if (sheet.buffered) {
                    sheet.drawCharts();
                }
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
     * current one is full. Obtained from {@link XlsxReportWriter#sheet} or {@link XlsxReportWriter#summary}.
     */
    public final class SheetWriter {

        private final ReportTable table;

        /** A summary sheet: rows kept until the workbook closes, then written under the title block. */
        private final boolean buffered;

        private final List<Object[]> bufferedRows = new ArrayList<>();

        private Object[] bufferedTotal;

        private final List<Chart> charts = new ArrayList<>();

        private SXSSFSheet sheet;

        private int sheetNumber;

        /** The header row's index on the current sheet: 0, or below the title block of a summary. */
        private int headerRow;

        /** Data rows on the current sheet. */
        private int sheetRows;

        private long rows;

        /** Whether the current sheet has its autofilter, which is set once its data rows are known. */
        private boolean filtered;

        private boolean totalWritten;

        /** The row under a summary's table (and a blank row) where its charts begin. */
        private int chartsTop;

        /** Per column the last text value and its cell text: a value repeated on every row is formatted once. */
        private final Object[] lastValues;

        private final String[] lastTexts;

        /** Per column the widest content of the current sheet, in characters. */
        private final int[] widths;

        private SheetWriter(ReportTable table, boolean buffered) {
            this.table = table;
            this.buffered = buffered;
            this.lastValues = new Object[table.columns().size()];
            this.lastTexts = new String[table.columns().size()];
            this.widths = new int[table.columns().size()];
            if (buffered) {
                sheetNumber = 1;
                sheet = workbook.createSheet(table.name());
                // the summary sheets come first, in the order they were started, whenever they are
                workbook.setSheetOrder(table.name(), (int) sheets.stream().filter(other -> other.buffered).count());
            }
            else {
                startSheet();
            }
        }

        /**
         * Writes one data row, one value per column in column order.
         * @throws IllegalArgumentException if the row does not fit the table's columns
         * @throws IllegalStateException after the total row or after the workbook was closed
         */
        public SheetWriter row(Object... values) {
            checkOpen();
            table.checkRow(values, rows + 1);
            if (buffered) {
                bufferedRows.add(values.clone());
                rows++;
                return this;
            }
            if (sheetRows == maxDataRowsPerSheet) {
                finishSheet();
                startSheet();
            }
            writeCells(sheet.createRow(headerRow + sheetRows + 1), values, dataStyles);
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
            if (buffered) {
                bufferedTotal = values.clone();
                totalWritten = true;
                return;
            }
            if (sheetRows + 2 > MAX_SHEET_ROWS) {
                finishSheet();
                startSheet();
            }
            finishSheet();
            writeCells(sheet.createRow(sheetRows + 1), values, totalStyles);
            totalWritten = true;
        }

        /**
         * Adds a column chart of a summary sheet's data rows (not its total): one bar per row, labelled by
         * the row's value in {@code categoryColumn}, as high as its value in {@code valueColumn}.
         * @param rowFilter which data rows to chart, by their values
         */
        public SheetWriter chart(String title, int categoryColumn, int valueColumn, String categoryAxisTitle,
                String valueAxisTitle, java.util.function.Predicate<Object[]> rowFilter) {
            return chart(title, this, categoryColumn, valueColumn, categoryAxisTitle, valueAxisTitle, rowFilter);
        }

        /**
         * Same as {@link #chart(String, int, int, String, String, java.util.function.Predicate)}, of the data rows
         * of another summary sheet of the workbook (its series refer to that sheet's cells): a Summary can show
         * the chart of a table that lives on a sheet of its own. Charts are drawn below the table, side by side
         * in the order they were added.
         */
        public SheetWriter chart(String title, SheetWriter source, int categoryColumn, int valueColumn,
                String categoryAxisTitle, String valueAxisTitle, java.util.function.Predicate<Object[]> rowFilter) {
            if (!buffered || !source.buffered) {
                throw new IllegalStateException("Charts are drawn on a summary sheet of a summary sheet's rows, not on '"
                        + table.name() + "' of '" + source.table.name() + "'");
            }
            charts.add(new Chart(title, source, categoryColumn, valueColumn, categoryAxisTitle, valueAxisTitle,
                    rowFilter));
            return this;
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
            writeHeader(0);
        }

        private void writeHeader(int rowIndex) {
            headerRow = rowIndex;
            List<ReportColumn> columns = table.columns();
            java.util.Arrays.fill(widths, 0);
            Row header = sheet.createRow(rowIndex);
            for (int i = 0; i < columns.size(); i++) {
                Cell cell = header.createCell(i);
                String label = columns.get(i).label();
                cell.setCellValue(label);
                cell.setCellStyle(headerStyle);
                fit(i, label.length() + 3); // room for the filter's drop-down button
            }
            sheet.createFreezePane(0, rowIndex + 1);
            PrintSetup print = sheet.getPrintSetup();
            print.setLandscape(true);
            print.setFitWidth((short) 1);
            print.setFitHeight((short) 0);
            sheet.setFitToPage(true);
            sheet.setAutobreaks(true);
            sheet.setRepeatingRows(new CellRangeAddress(rowIndex, rowIndex, -1, -1));
        }

        private void finishSheet() {
            if (!filtered) {
                sheet.setAutoFilter(new CellRangeAddress(headerRow, headerRow + sheetRows, 0, table.columns().size() - 1));
                filtered = true;
                // widths are written with the sheet when the workbook closes, so they can be set last
                for (int i = 0; i < widths.length; i++) {
                    sheet.setColumnWidth(i, Math.min(widths[i] + 2, MAX_FIT_CHARS) * 256);
                }
            }
        }

        /** Writes a summary sheet's title block, header, rows, total and charts: called on close. */
        private void writeBuffered() {
            int rowIndex = 0;
            if (title != null) {
                Cell name = sheet.createRow(rowIndex++).createCell(0);
                name.setCellValue(title.report());
                name.setCellStyle(titleStyle);
                for (ReportTitle.Line line : title.lines()) {
                    Row row = sheet.createRow(rowIndex++);
                    Cell label = row.createCell(0);
                    label.setCellValue(line.label());
                    label.setCellStyle(headerStyle);
                    row.createCell(1).setCellValue(line.value());
                }
                rowIndex++; // a blank row between the title block and the table
            }
            writeHeader(rowIndex);
            if (title != null) {
                for (ReportTitle.Line line : title.lines()) {
                    fit(0, line.label().length());
                }
            }
            for (Object[] values : bufferedRows) {
                writeCells(sheet.createRow(headerRow + sheetRows + 1), values, dataStyles);
                sheetRows++;
            }
            finishSheet();
            int next = headerRow + sheetRows + 1;
            if (bufferedTotal != null) {
                writeCells(sheet.createRow(next++), bufferedTotal, totalStyles);
                finishSheet();
            }
            chartsTop = next + 1;
        }

        /**
         * Draws a summary sheet's charts below its table, side by side with a blank column between them, so
         * that a Summary with two charts still prints on one landscape page; called on close, once every
         * summary is written.
         */
        private void drawCharts() {
            int left = 0;
            for (Chart chart : charts) {
                left = drawChart(chart, chartsTop, left) + 1;
            }
        }

        /**
         * Draws a chart below the table, from row {@code top} and column {@code left} on; returns the column
         * right of it. It spans the columns that give it {@value #CHART_MIN_CHARS} characters or, for many bars
         * (a month's days), {@value #CHART_CHARS_PER_BAR} per bar.
         */
        private int drawChart(Chart spec, int top, int left) {
            SheetWriter source = spec.source();
            ReportTable table = source.table;
            List<String> categories = new ArrayList<>();
            List<Double> values = new ArrayList<>();
            int first = -1;
            int last = -1;
            for (int i = 0; i < source.bufferedRows.size(); i++) {
                Object[] values0 = source.bufferedRows.get(i);
                if (!spec.rowFilter().test(values0)) {
                    continue;
                }
                int rowIndex = source.headerRow + 1 + i;
                first = first < 0 ? rowIndex : first;
                last = rowIndex;
                Object category = values0[spec.categoryColumn()];
                categories.add(category == null ? "" : category.toString());
                values.add(chartValue(table.columns().get(spec.valueColumn()).type(), values0[spec.valueColumn()]));
            }
            if (categories.isEmpty()) {
                return left - 1;
            }
            String sheetRef = "'" + source.sheet.getSheetName().replace("'", "''") + "'!";
            if (sheet.getDrawingPatriarch() == null) {
                sheet.createDrawingPatriarch();
            }
            XSSFDrawing drawing = sheet.getDrawingPatriarch();
            int height = 16;
            int chars = Math.max(CHART_MIN_CHARS, (categories.size() + 4) * CHART_CHARS_PER_BAR);
            int width = 0;
            for (int fitted = 0; fitted < chars; width++) {
                fitted += sheet.getColumnWidth(left + width) / 256; // the table's widths, set before; the default beyond
            }
            XSSFChart chart = drawing.createChart(drawing.createAnchor(0, 0, 0, 0, left, top, left + width, top + height));
            chart.setTitleText(spec.title());
            chart.setTitleOverlay(false);
            XDDFCategoryAxis categoryAxis = chart.createCategoryAxis(AxisPosition.BOTTOM);
            categoryAxis.setTitle(spec.categoryAxisTitle());
            XDDFValueAxis valueAxis = chart.createValueAxis(AxisPosition.LEFT);
            valueAxis.setTitle(spec.valueAxisTitle());
            valueAxis.setCrosses(AxisCrosses.AUTO_ZERO);
            ColumnType valueType = table.columns().get(spec.valueColumn()).type();
            valueAxis.setNumberFormat(valueType == ColumnType.USD ? "\"$\"#,##0" : INTEGER_FORMAT);
            var data = (XDDFBarChartData) chart.createData(ChartTypes.BAR, categoryAxis, valueAxis);
            data.setBarDirection(BarDirection.COL);
            data.setVaryColors(false);
            boolean contiguous = last - first + 1 == categories.size();
            var series = data.addSeries(
                    contiguous ? XDDFDataSourcesFactory.fromArray(categories.toArray(String[]::new),
                            sheetRef + range(first, last, spec.categoryColumn()))
                            : XDDFDataSourcesFactory.fromArray(categories.toArray(String[]::new)),
                    contiguous ? XDDFDataSourcesFactory.fromArray(values.toArray(Double[]::new),
                            sheetRef + range(first, last, spec.valueColumn()))
                            : XDDFDataSourcesFactory.fromArray(values.toArray(Double[]::new)));
            series.setTitle(table.columns().get(spec.valueColumn()).label(), null);
            // an explicit fill: without one LibreOffice draws the axes but no bars
            series.setFillProperties(new org.apache.poi.xddf.usermodel.XDDFSolidFillProperties(
                    org.apache.poi.xddf.usermodel.XDDFColor.from(new byte[] { (byte) 0x2f, (byte) 0x6d, (byte) 0xb5 })));
            chart.plot(data);
            return left + width;
        }

        private static String range(int firstRow, int lastRow, int column) {
            return new CellReference(firstRow, column, true, true).formatAsString() + ":"
                    + new CellReference(lastRow, column, true, true).formatAsString();
        }

        private String text(int column, ColumnType type, Object value) {
            if (value != lastValues[column]) {
                lastTexts[column] = cellText(type, value);
                lastValues[column] = value;
                fit(column, lastTexts[column].length());
            }
            return lastTexts[column];
        }

        private void fit(int column, int chars) {
            if (chars > widths[column]) {
                widths[column] = chars;
            }
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
                    case INTEGER -> {
                        long number = ((Number) value).longValue();
                        fit(i, groupedLength(number));
                        cell.setCellValue(number);
                    }
                    // The one place money becomes a double: Excel has no other number type.
                    case USD -> {
                        if (value instanceof BigInteger big) {
                            fit(i, big.toString().length() + 4);
                            cell.setCellValue(CellValues.usd(big).doubleValue());
                        }
                        else {
                            long micros = ((Number) value).longValue();
                            fit(i, groupedLength(micros / Money.MICROS_PER_USD) + 4); // "$" and ".00"
                            cell.setCellValue(micros / (double) Money.MICROS_PER_USD);
                        }
                    }
                }
            }
        }
    }

    /** A column chart of the rows of a summary sheet ({@code source}: the one it is drawn on, or another). */
    private record Chart(String title, SheetWriter source, int categoryColumn, int valueColumn, String categoryAxisTitle,
            String valueAxisTitle, java.util.function.Predicate<Object[]> rowFilter) {
    }

    private static double chartValue(ColumnType type, Object value) {
        if (value == null) {
            return 0;
        }
        if (type == ColumnType.USD) {
            return value instanceof BigInteger big ? CellValues.usd(big).doubleValue()
                    : ((Number) value).longValue() / (double) Money.MICROS_PER_USD;
        }
        return ((Number) value).doubleValue();
    }

    /** Characters of a whole number with thousands separators, such as {@code -1,234,567} (11). */
    static int groupedLength(long value) {
        int digits = 1;
        long rest = value == Long.MIN_VALUE ? Long.MAX_VALUE : Math.abs(value);
        while (rest >= 10) {
            rest /= 10;
            digits++;
        }
        return digits + (digits - 1) / 3 + (value < 0 ? 1 : 0);
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
