package io.billingbatch.statements;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

import org.apache.fontbox.ttf.TTFParser;
import org.apache.fontbox.ttf.TrueTypeFont;
import org.apache.pdfbox.io.RandomAccessReadBuffer;

/**
 * The TrueType fonts a statement embeds (as subsets): DejaVu Sans and Sans Bold (Latin with accents,
 * Greek, Cyrillic, Hebrew, Arabic; from the {@code jasperreports-fonts} artifact) and Droid Sans
 * Fallback for CJK (kept in {@code resources/fonts}). Their bytes are read once; each thread parses
 * its own copies, since a parsed font reads its glyphs lazily and is not thread-safe.
 */
final class StatementFonts {

    private static final String DEJAVU = "/net/sf/jasperreports/fonts/dejavu/";

    private static final byte[] REGULAR = read(DEJAVU + "DejaVuSans.ttf");

    private static final byte[] BOLD = read(DEJAVU + "DejaVuSans-Bold.ttf");

    private static final byte[] FALLBACK = read("/fonts/DroidSansFallbackFull.ttf");

    private static final ThreadLocal<StatementFonts> PER_THREAD = ThreadLocal.withInitial(StatementFonts::new);

    final TrueTypeFont regular;

    final TrueTypeFont bold;

    final TrueTypeFont fallback;

    private StatementFonts() {
        this.regular = parse(REGULAR);
        this.bold = parse(BOLD);
        this.fallback = parse(FALLBACK);
    }

    static StatementFonts forThisThread() {
        return PER_THREAD.get();
    }

    /** Whether the font has a glyph for the code point. */
    static boolean hasGlyph(TrueTypeFont font, int codePoint) {
        try {
            return font.getUnicodeCmapLookup().getGlyphId(codePoint) > 0;
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private static TrueTypeFont parse(byte[] bytes) {
        try {
            return new TTFParser().parse(new RandomAccessReadBuffer(bytes));
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Could not read a statement font", ex);
        }
    }

    private static byte[] read(String resource) {
        try (InputStream in = StatementFonts.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("The statement font " + resource + " is not on the class path");
            }
            return in.readAllBytes();
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Could not read the statement font " + resource, ex);
        }
    }
}
