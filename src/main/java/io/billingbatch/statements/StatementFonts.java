package io.billingbatch.statements;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

import org.apache.fontbox.ttf.TTFParser;
import org.apache.fontbox.ttf.TTFSubsetter;
import org.apache.fontbox.ttf.TrueTypeFont;
import org.apache.pdfbox.io.RandomAccessReadBuffer;

/**
 * The TrueType fonts a statement embeds (as subsets): DejaVu Sans and Sans Bold (Latin with accents,
 * Greek, Cyrillic, Hebrew, Arabic; from the {@code jasperreports-fonts} artifact) and Droid Sans
 * Fallback for CJK (kept in {@code resources/fonts}). Their bytes are read once; each thread parses
 * its own copies, since a parsed font reads its glyphs lazily and is not thread-safe.
 * <p>
 * Most statements need only Latin glyphs, and PDFBox's cost of embedding a font grows with the font
 * (loading one builds the widths of all its 6,000 glyphs before the subset is made). So each DejaVu
 * face is also cut once, at start, to its Latin core ({@link #CORE}: ASCII, Latin-1, Latin
 * Extended-A, the usual punctuation); a statement embeds the core's subset, and the whole face's
 * subset only when its text has a glyph outside the core (the same glyphs either way).
 */
final class StatementFonts {

    private static final String DEJAVU = "/net/sf/jasperreports/fonts/dejavu/";

    private static final byte[] REGULAR = read(DEJAVU + "DejaVuSans.ttf");

    private static final byte[] BOLD = read(DEJAVU + "DejaVuSans-Bold.ttf");

    private static final byte[] FALLBACK = read("/fonts/DroidSansFallbackFull.ttf");

    /** The code points of the core faces. */
    static final int[][] CORE = { { 0x20, 0x7E }, { 0xA0, 0x17F }, { 0x2010, 0x2027 }, { 0x2030, 0x203A }, { 0x20AC, 0x20AC } };

    private static final byte[] CORE_REGULAR = core(REGULAR);

    private static final byte[] CORE_BOLD = core(BOLD);

    private static final ThreadLocal<StatementFonts> PER_THREAD = ThreadLocal.withInitial(StatementFonts::new);

    final TrueTypeFont regular;

    final TrueTypeFont bold;

    final TrueTypeFont fallback;

    final TrueTypeFont coreRegular;

    final TrueTypeFont coreBold;

    private StatementFonts() {
        this.regular = parse(REGULAR);
        this.bold = parse(BOLD);
        this.fallback = parse(FALLBACK);
        this.coreRegular = parse(CORE_REGULAR);
        this.coreBold = parse(CORE_BOLD);
    }

    /** The face cut to the {@link #CORE} code points: a TrueType font of its own, with the same glyphs. */
    private static byte[] core(byte[] face) {
        try (TrueTypeFont font = parse(face)) {
            TTFSubsetter subsetter = new TTFSubsetter(font);
            for (int[] range : CORE) {
                for (int codePoint = range[0]; codePoint <= range[1]; codePoint++) {
                    if (hasGlyph(font, codePoint)) {
                        subsetter.add(codePoint);
                    }
                }
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            subsetter.writeToStream(out);
            return out.toByteArray();
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Could not cut a statement font to its core", ex);
        }
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
