package io.billingbatch.report;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.apache.poi.ss.usermodel.Cell;
import org.apache.poi.ss.usermodel.DataFormatter;
import org.apache.poi.ss.usermodel.Row;
import org.apache.poi.ss.usermodel.Sheet;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;

/** Reading workbooks back in tests. */
public final class Workbooks {

    /** The title lines that name the run, not the content: they differ between two runs of one period. */
    private static final Set<String> RUN_LINES = Set.of("Revision", "Generated at", "Job execution");

    private Workbooks() {
    }

    /**
     * Every sheet's name and every row's cells as text (formatted as shown, plus the exact value of a number),
     * without the title lines that name the run: two runs of the same content compare equal.
     */
    public static List<String> content(byte[] xlsx) {
        DataFormatter formatter = new DataFormatter();
        List<String> lines = new ArrayList<>();
        try (XSSFWorkbook workbook = new XSSFWorkbook(new ByteArrayInputStream(xlsx))) {
            for (Sheet sheet : workbook) {
                lines.add("sheet " + sheet.getSheetName());
                for (Row row : sheet) {
                    Cell first = row.getCell(0);
                    if (first != null && RUN_LINES.contains(first.toString())) {
                        continue;
                    }
                    StringBuilder line = new StringBuilder().append(row.getRowNum()).append(':');
                    for (Cell cell : row) {
                        line.append(' ').append(formatter.formatCellValue(cell)).append('=').append(cell);
                    }
                    lines.add(line.toString());
                }
            }
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return lines;
    }

    /** The cells (first row, last row, first column, last column) each chart of the sheet is anchored to, in drawing order. */
    public static List<int[]> chartAnchors(org.apache.poi.xssf.usermodel.XSSFSheet sheet) {
        List<int[]> rows = new ArrayList<>();
        for (var shape : sheet.getDrawingPatriarch().getShapes()) {
            if (shape instanceof org.apache.poi.xssf.usermodel.XSSFGraphicFrame frame) {
                var anchor = (org.apache.poi.xssf.usermodel.XSSFClientAnchor) frame.getAnchor();
                rows.add(new int[] { anchor.getRow1(), anchor.getRow2(), anchor.getCol1(), anchor.getCol2() });
            }
        }
        return rows;
    }

    /** The index of the header row of the sheet: the first row whose first cell is {@code label}. */
    public static int headerRow(Sheet sheet, String label) {
        for (Row row : sheet) {
            Cell first = row.getCell(0);
            if (first != null && label.equals(first.toString())) {
                return row.getRowNum();
            }
        }
        throw new AssertionError("no row starting with '" + label + "' on sheet " + sheet.getSheetName());
    }
}
