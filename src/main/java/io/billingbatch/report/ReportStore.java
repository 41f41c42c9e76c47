package io.billingbatch.report;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Keeps report files in one folder per period under {@code billing.reports.root}, for example
 * {@code reports/2026-10/cost-report-2026-10.csv}.
 * <p>
 * A file is written to a hidden temp file in the same folder, fsynced and renamed over the
 * target in one atomic step, so readers see the old or the new version, never half a file;
 * a failed write leaves the previous version and the manifest untouched. After each write the
 * folder's {@value #MANIFEST} is rewritten (atomically too) with name, size and SHA-256 of
 * every report file. Writers of the same folder are serialised across threads and processes
 * by a lock file; writing the content itself runs in parallel.
 */
@Component
public class ReportStore {

    public static final String MANIFEST = "manifest.json";

    private static final String LOCK_FILE = ".manifest.lock";

    private static final Pattern PERIOD = Pattern.compile("[0-9]{4}-[0-9]{2}(-[0-9]{2})?");

    /** Plain names only: no separators, not hidden, short enough for the temp file name to fit. */
    private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._() -]{0,199}");

    private static final int BUFFER_SIZE = 64 * 1024;

    /** Our own mapper, not the application's: the manifest format is a file contract, not API style. */
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** In-JVM side of the folder lock; a FileLock alone throws when two threads of one JVM try it. */
    private static final ConcurrentMap<Path, Object> FOLDER_MONITORS = new ConcurrentHashMap<>();

    private static final Logger log = LoggerFactory.getLogger(ReportStore.class);

    private final Path root;

    public ReportStore(@Value("${billing.reports.root}") Path root) {
        this.root = root;
    }

    /**
     * The folder of a period, {@code root/period}; it may not exist yet.
     * @param period {@code yyyy-MM} or {@code yyyy-MM-dd}
     * @throws IllegalArgumentException for anything else, such as {@code ../x}
     */
    public Path directory(String period) {
        if (!isPeriod(period)) {
            throw new IllegalArgumentException("Report period must be a month or day like 2026-10 or 2026-10-05, was '" + period + "'");
        }
        return root.resolve(period);
    }

    /**
     * Writes one report file atomically and updates the folder's manifest.
     * @param fileName a plain file name such as {@code cost-report-2026-10.csv}
     * @param writer writes the content to the stream it is given
     * @return the written file
     * @throws IllegalArgumentException for an invalid period or file name
     * @throws ReportStoreException if writing failed; the previous version of the file stays
     */
    public Path write(String period, String fileName, ContentWriter writer) {
        Path folder = directory(period);
        checkFileName(fileName);
        if (fileName.equals(MANIFEST)) {
            throw new IllegalArgumentException(MANIFEST + " is written by the report store itself");
        }
        Path target = folder.resolve(fileName);
        Path temp = null;
        try {
            Files.createDirectories(folder);
            temp = tempFile(folder, fileName);
            writeAndSync(temp, writer);
            synchronized (FOLDER_MONITORS.computeIfAbsent(folder.toAbsolutePath().normalize(), key -> new Object())) {
                try (FileChannel lockChannel = FileChannel.open(folder.resolve(LOCK_FILE), StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE); FileLock lock = lockChannel.lock()) {
                    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    temp = null;
                    writeManifest(period, folder);
                }
            }
            log.info("Wrote report {} for period {}", fileName, period);
            return target;
        }
        catch (IOException | RuntimeException ex) {
            throw new ReportStoreException("Could not write report file", period, fileName, ex);
        }
        finally {
            deleteTemp(temp);
        }
    }

    /**
     * Removes one report file, if it is there, and updates the folder's manifest.
     * @return whether there was a file to remove
     * @throws IllegalArgumentException for an invalid period or file name
     * @throws ReportStoreException if it could not be removed
     */
    public boolean delete(String period, String fileName) {
        Path folder = directory(period);
        checkFileName(fileName);
        if (fileName.equals(MANIFEST)) {
            throw new IllegalArgumentException(MANIFEST + " is written by the report store itself");
        }
        if (!Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        try {
            synchronized (FOLDER_MONITORS.computeIfAbsent(folder.toAbsolutePath().normalize(), key -> new Object())) {
                try (FileChannel lockChannel = FileChannel.open(folder.resolve(LOCK_FILE), StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE); FileLock lock = lockChannel.lock()) {
                    if (!Files.deleteIfExists(folder.resolve(fileName))) {
                        return false;
                    }
                    writeManifest(period, folder);
                }
            }
            log.info("Removed report {} of period {}", fileName, period);
            return true;
        }
        catch (IOException | RuntimeException ex) {
            throw new ReportStoreException("Could not remove report file", period, fileName, ex);
        }
    }

    /**
     * The report files of a period as they are on disk now, sorted by name, hashing each file
     * (cost grows with their size); empty if the folder does not exist. Hidden files and the
     * manifest itself are not report files.
     */
    public List<ReportFile> list(String period) {
        Path folder = directory(period);
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try {
            List<Path> files;
            try (Stream<Path> entries = Files.list(folder)) {
                files = entries.filter(file -> isReportFile(file)).sorted().toList();
            }
            List<ReportFile> reportFiles = new ArrayList<>(files.size());
            for (Path file : files) {
                reportFiles.add(describe(file));
            }
            return reportFiles;
        }
        catch (IOException ex) {
            throw new ReportStoreException("Could not list report files", period, null, ex);
        }
    }

    /** The manifest last written for the period, if any. */
    public Optional<Manifest> readManifest(String period) {
        Optional<Path> manifest = find(period, MANIFEST);
        if (manifest.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readValue(Files.readAllBytes(manifest.get()), Manifest.class));
        }
        catch (IOException | JacksonException ex) {
            throw new ReportStoreException("Could not read the manifest", period, MANIFEST, ex);
        }
    }

    /**
     * The file of a period by name, if it exists; for serving downloads without letting a
     * request name escape the reports root. Only a regular file in a real (not symlinked) period
     * folder is found: a symlink anywhere below the root, or a path whose real location is not
     * under the root's real location, is treated as absent.
     * @throws IllegalArgumentException for an invalid period or file name
     */
    public Optional<Path> find(String period, String fileName) {
        checkFileName(fileName);
        Optional<Path> folder = existingDirectory(period);
        if (folder.isEmpty()) {
            return Optional.empty();
        }
        Path file = folder.get().resolve(fileName);
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        return insideRoot(file);
    }

    /**
     * The folder of a period if it exists as a real folder under the root (not a symlink, not
     * resolving elsewhere).
     * @throws IllegalArgumentException for an invalid period
     */
    public Optional<Path> existingDirectory(String period) {
        Path folder = directory(period);
        if (!Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        return insideRoot(folder);
    }

    /**
     * The periods that have a folder under the root, newest first ({@code 2026-11} before
     * {@code 2026-10-31} before {@code 2026-10}); symlinked folders are left out.
     */
    public List<String> periods() {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(root)) {
            return entries.filter(entry -> Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS))
                    .map(entry -> entry.getFileName().toString())
                    .filter(ReportStore::isPeriod)
                    .sorted(Comparator.reverseOrder())
                    .toList();
        }
        catch (IOException ex) {
            throw new ReportStoreException("Could not list the period folders of " + root, null, null, ex);
        }
    }

    /** A real month ({@code 2026-10}) or day ({@code 2026-10-05}); {@code 2026-13} only looks like one. */
    static boolean isPeriod(String name) {
        if (name == null || !PERIOD.matcher(name).matches()) {
            return false;
        }
        try {
            if (name.length() == 7) {
                java.time.YearMonth.parse(name);
            }
            else {
                java.time.LocalDate.parse(name);
            }
            return true;
        }
        catch (java.time.format.DateTimeParseException ex) {
            return false;
        }
    }

    /** The path itself if its real location is under the root's real location, else empty. */
    private Optional<Path> insideRoot(Path path) {
        try {
            Path realRoot = root.toRealPath();
            Path real = path.toRealPath();
            return real.startsWith(realRoot) && !real.equals(realRoot) ? Optional.of(real) : Optional.empty();
        }
        catch (IOException ex) {
            return Optional.empty();
        }
    }

    private static void checkFileName(String fileName) {
        if (fileName == null || !FILE_NAME.matcher(fileName).matches() || fileName.contains("..")) {
            throw new IllegalArgumentException("Report file name must be a plain name of letters, digits, '.', '-', '_', "
                    + "' ', '(' and ')' not starting with '.', was '" + fileName + "'");
        }
    }

    private static boolean isReportFile(Path file) {
        String name = file.getFileName().toString();
        return !name.startsWith(".") && !name.equals(MANIFEST) && Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS);
    }

    /** Size and hash from one read, so they always describe the same version of the file. */
    private static ReportFile describe(Path file) throws IOException {
        MessageDigest sha256 = sha256();
        long size = 0;
        byte[] buffer = new byte[BUFFER_SIZE];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                sha256.update(buffer, 0, n);
                size += n;
            }
        }
        return new ReportFile(file.getFileName().toString(), size, HexFormat.of().formatHex(sha256.digest()));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        }
        catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException("Every Java runtime has SHA-256", ex);
        }
    }

    /** Called under the folder lock, after a report file was moved into place. */
    private void writeManifest(String period, Path folder) throws IOException {
        byte[] json = manifestJson(new Manifest(period, list(period)));
        Path temp = tempFile(folder, MANIFEST);
        try {
            writeAndSync(temp, out -> out.write(json));
            Files.move(temp, folder.resolve(MANIFEST), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
            temp = null;
            syncDirectory(folder);
        }
        finally {
            deleteTemp(temp);
        }
    }

    /** The bytes of a manifest as {@value #MANIFEST} holds them. */
    static byte[] manifestJson(Manifest manifest) {
        return JSON.writeValueAsBytes(manifest);
    }

    private static Path tempFile(Path folder, String fileName) {
        return folder.resolve("." + fileName + "." + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36)
                + ".tmp");
    }

    private static void writeAndSync(Path file, ContentWriter writer) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), BUFFER_SIZE);
            writer.writeTo(new KeepOpenOutputStream(out));
            out.flush();
            channel.force(true);
        }
    }

    /** Makes the renames durable where the platform allows it (Linux does; Windows cannot open folders). */
    private static void syncDirectory(Path folder) {
        try (FileChannel channel = FileChannel.open(folder, StandardOpenOption.READ)) {
            channel.force(true);
        }
        catch (IOException ex) {
            log.debug("Cannot fsync folder {}: {}", folder, ex.toString());
        }
    }

    private static void deleteTemp(Path temp) {
        if (temp == null) {
            return;
        }
        try {
            Files.deleteIfExists(temp);
        }
        catch (IOException ex) {
            log.warn("Could not delete temp file {}: {}", temp, ex.toString());
        }
    }

    /** Lets a content writer close its stream (many do) without closing the file before the fsync. */
    private static final class KeepOpenOutputStream extends FilterOutputStream {

        KeepOpenOutputStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            out.write(bytes, offset, length);
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}
