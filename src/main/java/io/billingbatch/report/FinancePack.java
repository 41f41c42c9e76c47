package io.billingbatch.report;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.springframework.stereotype.Component;

/**
 * The monthly finance pack: one zip with every report of a month, the month folder's files at
 * the top and each day folder ({@code 2026-10-05/...}) of the month under its own name, each
 * folder with its {@value ReportStore#MANIFEST}. Entries come in a fixed order (month first,
 * then days; files by name, the manifest last) with a fixed time, so the same reports always
 * give the same bytes. A pack never contains an earlier pack: finance-pack files are left out,
 * and so are their lines in the packed manifests. Provisional (month-to-date) reports are left out
 * the same way: a pack holds the period's results only.
 */
@Component
public class FinancePack {

    private static final Pattern MONTH = Pattern.compile("\\d{4}-\\d{2}");

    private static final Pattern PACK_FILE = Pattern.compile("finance-pack-.*\\.zip");

    private static final Pattern PROVISIONAL_FILE = Pattern.compile(".*-provisional\\.[a-z]+");

    private static final int BUFFER_SIZE = 64 * 1024;

    private final ReportStore store;

    public FinancePack(ReportStore store) {
        this.store = store;
    }

    /** One entry of a pack: its name inside the zip and where its bytes come from. */
    public record Entry(String name, Path file, byte[] content) {
    }

    /** The pack's file name for a month, {@code finance-pack-2026-10.zip}. */
    public static String fileName(String month) {
        return "finance-pack-" + checkMonth(month) + ".zip";
    }

    public static boolean isPack(String fileName) {
        return PACK_FILE.matcher(fileName).matches();
    }

    /** A provisional (month-to-date) report, such as {@code cost-report-2026-11-provisional.csv}: never in a pack. */
    public static boolean isProvisional(String fileName) {
        return PROVISIONAL_FILE.matcher(fileName).matches();
    }

    /**
     * What the month's pack holds, in pack order; empty when the month has no reports.
     * @throws IllegalArgumentException unless {@code month} is a month such as {@code 2026-10}
     */
    public List<Entry> entries(String month) {
        checkMonth(month);
        List<String> folders = store.periods().stream()
                .filter(period -> period.equals(month) || period.startsWith(month + "-"))
                .sorted()
                .toList();
        List<Entry> entries = new ArrayList<>();
        for (String period : folders) {
            String prefix = period.equals(month) ? "" : period + "/";
            Manifest manifest = store.readManifest(period).orElseGet(() -> new Manifest(period, store.list(period)));
            List<ReportFile> packed = new ArrayList<>();
            for (ReportFile file : manifest.files()) {
                if (isPack(file.name()) || isProvisional(file.name())) {
                    continue;
                }
                Optional<Path> path = store.find(period, file.name());
                if (path.isPresent()) {
                    packed.add(file);
                    entries.add(new Entry(prefix + file.name(), path.get(), null));
                }
            }
            if (!packed.isEmpty()) {
                entries.add(new Entry(prefix + ReportStore.MANIFEST, null,
                        ReportStore.manifestJson(new Manifest(period, packed))));
            }
            if (period.equals(month)) {
                entries.addAll(statements(month));
            }
        }
        return entries;
    }

    /**
     * The month's statement PDFs, {@code statements/<file>} (and {@code statements-<zone>/...}): their
     * SHA-256 are in the month's {@code statements-<month>.csv}, which the manifest lists.
     */
    private List<Entry> statements(String month) {
        Optional<Path> folder = store.existingDirectory(month);
        if (folder.isEmpty()) {
            return List.of();
        }
        List<Entry> entries = new ArrayList<>();
        try (var subfolders = java.nio.file.Files.list(folder.get())) {
            for (Path sub : subfolders.filter(path -> STATEMENTS_FOLDER.matcher(path.getFileName().toString()).matches()
                    && java.nio.file.Files.isDirectory(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)).sorted().toList()) {
                try (var pdfs = java.nio.file.Files.list(sub)) {
                    for (Path pdf : pdfs.filter(path -> path.getFileName().toString().endsWith(".pdf")
                            && java.nio.file.Files.isRegularFile(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)).sorted().toList()) {
                        entries.add(new Entry(sub.getFileName() + "/" + pdf.getFileName(), pdf, null));
                    }
                }
            }
        }
        catch (java.io.IOException ex) {
            throw new java.io.UncheckedIOException("Could not list the statements of " + month, ex);
        }
        return entries;
    }

    private static final Pattern STATEMENTS_FOLDER = Pattern.compile("statements(-[A-Za-z0-9_+-]+)?");

    /** Writes a zip of {@code entries} to {@code out} and finishes it; {@code out} stays open. */
    public void write(String month, List<Entry> entries, OutputStream out) throws IOException {
        LocalDateTime entryTime = YearMonth.parse(checkMonth(month)).atDay(1).atStartOfDay();
        ZipOutputStream zip = new ZipOutputStream(out);
        byte[] buffer = new byte[BUFFER_SIZE];
        for (Entry entry : entries) {
            ZipEntry zipEntry = new ZipEntry(entry.name());
            zipEntry.setTimeLocal(entryTime);
            zip.putNextEntry(zipEntry);
            if (entry.content() != null) {
                zip.write(entry.content());
            }
            else {
                try (InputStream in = Files.newInputStream(entry.file(), LinkOption.NOFOLLOW_LINKS)) {
                    for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                        zip.write(buffer, 0, n);
                    }
                }
            }
            zip.closeEntry();
        }
        zip.finish();
        zip.flush();
    }

    private static String checkMonth(String month) {
        if (month == null || !MONTH.matcher(month).matches()) {
            throw new IllegalArgumentException("a finance pack is made for a month like 2026-10, not '" + month + "'");
        }
        try {
            YearMonth.parse(month);
        }
        catch (DateTimeParseException ex) {
            throw new IllegalArgumentException("'" + month + "' is not a valid month");
        }
        return month;
    }
}
