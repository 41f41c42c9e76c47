package io.billingbatch.statements;

import java.io.IOException;
import java.io.OutputStream;
import java.text.Bidi;
import java.time.YearMonth;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.GregorianCalendar;
import java.util.List;
import java.util.Locale;
import java.util.TimeZone;

import io.billingbatch.ledger.Money;
import io.billingbatch.reconciliation.ReconciliationFiles;

import org.apache.fontbox.ttf.TrueTypeFont;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.font.PDType0Font;

/**
 * Renders one statement as a one-page A4 PDF (more pages when the top-ups run over) with its fonts
 * embedded as subsets, so any name prints: accents and most scripts with DejaVu Sans, CJK with the
 * fallback font, right-to-left text laid out in visual order (java.text.Bidi). Amounts are exact
 * USD (six decimals, thousands separators), the reconciliation's figures.
 */
final class StatementPdf {

    private static final float MARGIN = 50;

    private static final float RIGHT = PDRectangle.A4.getWidth() - MARGIN;

    private static final DateTimeFormatter MONTH_NAME = DateTimeFormatter.ofPattern("MMMM yyyy", Locale.ENGLISH);

    private final PDDocument document = new PDDocument();

    private final StatementFonts fonts = StatementFonts.forThisThread();

    private final PDType0Font regular;

    private final PDType0Font bold;

    private PDType0Font fullRegular;

    private PDType0Font fullBold;

    private PDType0Font fallback;

    private PDPageContentStream content;

    private float y;

    private StatementPdf() throws IOException {
        regular = PDType0Font.load(document, fonts.coreRegular, true);
        bold = PDType0Font.load(document, fonts.coreBold, true);
    }

    /** Writes the statement's PDF to {@code out}, which stays open. */
    static void write(Statement statement, OutputStream out) throws IOException {
        StatementPdf pdf = new StatementPdf();
        try (PDDocument document = pdf.document) {
            pdf.render(statement);
            var info = document.getDocumentInformation();
            info.setTitle("Statement " + statement.period().key() + " " + statement.accountId());
            info.setCreator("billing-batch");
            Calendar created = new GregorianCalendar(TimeZone.getTimeZone("UTC"), Locale.ROOT);
            created.setTimeInMillis(statement.period().end().toEpochMilli()); // the same statement, the same file
            info.setCreationDate(created);
            document.save(out);
        }
    }

    private void render(Statement s) throws IOException {
        newPage();
        text(MARGIN, "Statement of account", 18, true);
        y -= 26;
        String zone = s.period().zone().getId();
        text(MARGIN, MONTH_NAME.format(YearMonth.parse(s.period().key())) + " (" + zone + ")", 12, false);
        y -= 26;
        line("Account", s.accountName() == null ? "" : s.accountName(), true);
        line("Account ID", s.accountId().toString(), false);
        line("Customer ID", s.customerId() == null ? "" : s.customerId().toString(), false);
        line("Period", s.period().start() + " to " + s.period().end() + " (" + s.period().key() + ", " + zone + ")", false);
        y -= 12;
        amount("Opening balance", s.opening(), true);
        amount("Credits", s.credits(), false);
        y -= 6;
        text(MARGIN, "Charges", 11, true);
        y -= 16;
        text(MARGIN + 12, "Type", 9, true);
        right(330, "Records", 9, true);
        right(430, "Units", 9, true);
        right(RIGHT, "Cost (USD)", 9, true);
        y -= 14;
        for (Statement.Charge charge : s.charges()) {
            text(MARGIN + 12, label(charge.type()), 10, false);
            right(330, charge.records() == null ? "-" : grouped(charge.records()), 10, false);
            right(430, charge.units() == null ? "-" : grouped(charge.units()) + " " + unit(charge.type()), 10, false);
            right(RIGHT, usd(charge.cost()), 10, false);
            y -= 14;
        }
        amount("Total charges", s.totalCharges(), false);
        amount("Other debits", s.otherDebits(), false);
        amount("Closing balance", s.closing(), true);
        y -= 10;
        text(MARGIN, "Top-ups this month", 11, true);
        y -= 16;
        if (s.topUps().isEmpty()) {
            text(MARGIN + 12, "None", 10, false);
            y -= 14;
        }
        for (Statement.TopUp topUp : s.topUps()) {
            if (y < MARGIN + 40) {
                newPage();
            }
            text(MARGIN + 12, topUp.posted().toString(), 10, false);
            text(260, "auto_top_up".equals(topUp.kind()) ? "automatic top-up" : "top-up", 10, false);
            right(RIGHT, usd(topUp.amount()) + " USD", 10, false);
            y -= 14;
        }
        y -= 12;
        if (y < MARGIN + 30) {
            newPage();
        }
        text(MARGIN, "Amounts in USD. These are the figures of the reconciliation of " + s.period().key() + " (" + zone
                + "), revision " + s.source().revision() + ", job execution " + s.source().jobExecutionId() + ":", 8, false);
        y -= 11;
        text(MARGIN, ReconciliationFiles.baseName(s.period()) + ".csv / .xlsx; " + grouped(s.ledgerRows())
                + " ledger row(s) posted in the period.", 8, false);
        content.close();
    }

    private void newPage() throws IOException {
        if (content != null) {
            content.close();
        }
        PDPage page = new PDPage(PDRectangle.A4);
        document.addPage(page);
        content = new PDPageContentStream(document, page);
        y = PDRectangle.A4.getHeight() - MARGIN - 10;
    }

    private void line(String label, String value, boolean boldValue) throws IOException {
        text(MARGIN, label, 10, true);
        text(MARGIN + 90, value, 10, boldValue);
        y -= 15;
    }

    private void amount(String label, long micros, boolean strong) throws IOException {
        text(MARGIN, label, 11, strong);
        right(RIGHT, usd(micros) + " USD", 11, strong);
        y -= 16;
    }

    private void right(float rightEdge, String text, float size, boolean strong) throws IOException {
        text(rightEdge - width(text, size, strong), text, size, strong);
    }

    /** Shows text at (x, y): in visual order, each run in the first font that has its glyphs. */
    private void text(float x, String text, float size, boolean strong) throws IOException {
        content.beginText();
        content.newLineAtOffset(x, y);
        for (Run run : runs(text, strong)) {
            content.setFont(run.font(), size);
            content.showText(run.text());
        }
        content.endText();
    }

    private float width(String text, float size, boolean strong) throws IOException {
        float width = 0;
        for (Run run : runs(text, strong)) {
            width += run.font().getStringWidth(run.text()) / 1000 * size;
        }
        return width;
    }

    private record Run(PDType0Font font, String text) {
    }

    private List<Run> runs(String logical, boolean strong) throws IOException {
        String text = visual(logical);
        List<Run> runs = new ArrayList<>();
        PDType0Font current = null;
        StringBuilder run = new StringBuilder();
        TrueTypeFont core = strong ? fonts.coreBold : fonts.coreRegular;
        TrueTypeFont primary = strong ? fonts.bold : fonts.regular;
        for (int i = 0; i < text.length(); ) {
            int codePoint = text.codePointAt(i);
            i += Character.charCount(codePoint);
            PDType0Font font;
            if (StatementFonts.hasGlyph(core, codePoint)) {
                font = strong ? bold : regular;
            }
            else if (StatementFonts.hasGlyph(primary, codePoint)) {
                font = full(strong);
            }
            else if (StatementFonts.hasGlyph(fonts.fallback, codePoint)) {
                font = fallback();
            }
            else {
                font = strong ? bold : regular;
                codePoint = Character.isWhitespace(codePoint) ? ' ' : '?';
            }
            if (font != current && !run.isEmpty()) {
                runs.add(new Run(current, run.toString()));
                run.setLength(0);
            }
            current = font;
            run.appendCodePoint(codePoint);
        }
        if (!run.isEmpty()) {
            runs.add(new Run(current, run.toString()));
        }
        return runs;
    }

    /** The whole DejaVu face, embedded (as a subset) only when a text needs a glyph outside its core. */
    private PDType0Font full(boolean strong) throws IOException {
        if (strong) {
            if (fullBold == null) {
                fullBold = PDType0Font.load(document, fonts.bold, true);
            }
            return fullBold;
        }
        if (fullRegular == null) {
            fullRegular = PDType0Font.load(document, fonts.regular, true);
        }
        return fullRegular;
    }

    private PDType0Font fallback() throws IOException {
        if (fallback == null) {
            fallback = PDType0Font.load(document, fonts.fallback, true); // only embedded when a name needs it
        }
        return fallback;
    }

    /** Text in the order it is drawn: right-to-left runs reversed (a PDF shows glyphs left to right). */
    static String visual(String logical) {
        char[] chars = logical.toCharArray();
        if (!Bidi.requiresBidi(chars, 0, chars.length)) {
            return logical;
        }
        Bidi bidi = new Bidi(logical, Bidi.DIRECTION_DEFAULT_LEFT_TO_RIGHT);
        int count = bidi.getRunCount();
        String[] runs = new String[count];
        byte[] levels = new byte[count];
        for (int i = 0; i < count; i++) {
            String run = logical.substring(bidi.getRunStart(i), bidi.getRunLimit(i));
            levels[i] = (byte) bidi.getRunLevel(i);
            runs[i] = (levels[i] & 1) == 1 ? new StringBuilder(run).reverse().toString() : run;
        }
        Bidi.reorderVisually(levels, 0, runs, 0, count);
        return String.join("", runs);
    }

    private static String label(String type) {
        return switch (type) {
            case "call" -> "Calls";
            case "sms" -> "SMS";
            case "number" -> "Numbers";
            default -> type;
        };
    }

    private static String unit(String type) {
        return switch (type) {
            case "call" -> "s";
            case "sms" -> "msg";
            default -> "";
        };
    }

    /** Exact USD with thousands separators: {@code -1,234.567890}. */
    static String usd(long micros) {
        String plain = Money.toUsd(micros);
        int dot = plain.indexOf('.');
        boolean negative = plain.startsWith("-");
        String whole = plain.substring(negative ? 1 : 0, dot);
        return (negative ? "-" : "") + grouped(Long.parseLong(whole)) + plain.substring(dot);
    }

    static String grouped(long value) {
        return String.format(Locale.ROOT, "%,d", value);
    }
}
