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
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.apache.poi.util.DefaultTempFileCreationStrategy;
import org.apache.poi.util.TempFile;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import org.springframework.util.FileSystemUtils;

/**
 * Keeps report files in one folder per period under {@code billing.reports.root}, for example
 * {@code reports/2026-10/cost-report-2026-10.csv}.
 * <p>
 * The files of one job's run ({@link #writeAll}: a CSV and its workbook, say) are first written
 * completely to temporary files and fsynced, then swapped into the folder together with the
 * rewritten {@value #MANIFEST} (name, size and SHA-256 of every report file): each file is renamed
 * over its target in one atomic step, so readers see the old or the new version, never half a
 * file, and if any content or any rename fails, the folder and its manifest are put back as they
 * were. So a folder never holds files of two revisions of a run side by side. Writers of the same
 * folder are serialised across threads and processes by a lock file; writing the contents runs in
 * parallel.
 * <p>
 * Temporary files (the store's own, the cost report renderer's, POI's) live in
 * {@code <root>/}{@value #TEMPORARY_FOLDER}{@code /<pid>-<process start>/}, one folder per process,
 * never in {@code java.io.tmpdir}; at start-up the folders of processes that no longer run (killed
 * mid-write, say) are removed. The hidden folder is no period: no listing, pack or download sees it.
 */
@Component
public class ReportStore implements InitializingBean, DisposableBean {

    /** The hidden folder under the root that holds every temporary file, one sub-folder per process. */
    public static final String TEMPORARY_FOLDER = ".tmp";

    private static final Pattern PROCESS_FOLDER = Pattern.compile("([0-9]+)-([0-9]+)");

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

    private final Path temporaries;

    public ReportStore(@Value("${billing.reports.root}") Path root) {
        this.root = root;
        this.temporaries = root.resolve(TEMPORARY_FOLDER).resolve(processFolderName(ProcessHandle.current()));
    }

    /** One file of a run for {@link #writeAll}. */
    public record Content(String fileName, ContentWriter writer) {
    }

    /**
     * At start-up: removes what processes that died left in the temporary folder, and sends POI's
     * temporary files (SXSSF rows) to this process's folder instead of {@code java.io.tmpdir}.
     */
    @Override
    public void afterPropertiesSet() {
        removeTemporariesOfDeadProcesses();
        TempFile.setTempFileCreationStrategy(new DefaultTempFileCreationStrategy(temporaries.resolve("poi").toFile()));
    }

    /** At a normal shutdown: this process's temporary folder goes too (a killed one's goes at the next start). */
    @Override
    public void destroy() {
        FileSystemUtils.deleteRecursively(temporaries.toFile());
    }

    /**
     * Deletes the temporary folders of processes that are no longer running: a folder is named
     * after its process's id and start time, so a later process that got the same id does not
     * keep a dead one's files. Folders of live processes, this one included, are left alone.
     */
    public void removeTemporariesOfDeadProcesses() {
        Path folder = root.resolve(TEMPORARY_FOLDER);
        if (!Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> entries = Files.list(folder)) {
            for (Path entry : entries.toList()) {
                var name = PROCESS_FOLDER.matcher(entry.getFileName().toString());
                if (name.matches() && !isRunning(Long.parseLong(name.group(1)), Long.parseLong(name.group(2)))) {
                    FileSystemUtils.deleteRecursively(entry);
                    log.info("Removed the temporary files of process {}, which is no longer running: {}", name.group(1), entry);
                }
            }
        }
        catch (IOException | RuntimeException ex) {
            log.warn("Could not remove the temporary files of dead processes under {}: {}", folder, ex.toString());
        }
    }

    /** This process's temporary folder, {@code <root>/.tmp/<pid>-<start>}; it may not exist yet. */
    public Path temporaryDirectory() {
        return temporaries;
    }

    /**
     * A new empty temporary file in this process's temporary folder, for content that is rendered
     * before it is stored; the caller deletes it. Whatever a killed process leaves there is removed
     * by the next start.
     */
    public Path createTemporaryFile(String prefix, String suffix) throws IOException {
        Files.createDirectories(temporaries);
        return Files.createTempFile(temporaries, prefix, suffix);
    }

    /** A new empty temporary folder in this process's temporary folder, which is made first if need be. */
    public Path createTemporaryDirectory(String prefix) throws IOException {
        Files.createDirectories(temporaries);
        return Files.createTempDirectory(temporaries, prefix);
    }

    private static String processFolderName(ProcessHandle process) {
        return process.pid() + "-" + process.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
    }

    private static boolean isRunning(long pid, long startMillis) {
        return ProcessHandle.of(pid)
                .filter(ProcessHandle::isAlive)
                .map(process -> startMillis == 0 || process.info().startInstant().map(Instant::toEpochMilli)
                        .map(start -> start == startMillis).orElse(true))
                .orElse(false);
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
        return writeAll(period, List.of(new Content(fileName, writer))).get(0);
    }

    /**
     * Writes the files of one run together: every content is written in full (in parallel) before
     * any of them replaces its previous version, then all are swapped in with the manifest under
     * the folder lock. If a content or a rename fails, the folder and manifest stay (or are put back)
     * as they were, so the folder never holds a new file beside an old one of the same run.
     * @return the written files, in the order given
     * @throws IllegalArgumentException for an invalid period or file name, or a name given twice
     * @throws ReportStoreException naming the file that could not be written; nothing was changed
     */
    public List<Path> writeAll(String period, List<Content> contents) {
        Path folder = directory(period);
        Set<String> names = new HashSet<>();
        for (Content content : contents) {
            checkFileName(content.fileName());
            if (content.fileName().equals(MANIFEST)) {
                throw new IllegalArgumentException(MANIFEST + " is written by the report store itself");
            }
            if (!names.add(content.fileName())) {
                throw new IllegalArgumentException("Report file " + content.fileName() + " given twice");
            }
        }
        String allNames = String.join(", ", contents.stream().map(Content::fileName).toList());
        Path swap;
        try {
            Files.createDirectories(folder);
            swap = Files.createTempDirectory(createdTemporaries(), "swap-");
        }
        catch (IOException ex) {
            throw new ReportStoreException("Could not prepare the report files", period, allNames, ex);
        }
        try {
            List<Path> written = writeContents(period, contents, swap);
            synchronized (FOLDER_MONITORS.computeIfAbsent(folder.toAbsolutePath().normalize(), key -> new Object())) {
                try (FileChannel lockChannel = FileChannel.open(folder.resolve(LOCK_FILE), StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE); FileLock lock = lockChannel.lock()) {
                    swapIn(period, folder, contents, written, swap);
                }
            }
            log.info("Wrote report {} for period {}", allNames, period);
            return contents.stream().map(content -> folder.resolve(content.fileName())).toList();
        }
        catch (IOException | RuntimeException ex) {
            throw ex instanceof ReportStoreException stored ? stored
                    : new ReportStoreException("Could not write report files", period, allNames, ex);
        }
        finally {
            FileSystemUtils.deleteRecursively(swap.toFile());
        }
    }

    /** Writes every content to its file in the swap folder, all but the first on other threads. */
    private static List<Path> writeContents(String period, List<Content> contents, Path swap) {
        List<Path> files = contents.stream().map(content -> swap.resolve("new-" + content.fileName())).toList();
        List<CompletableFuture<Void>> others = new ArrayList<>();
        for (int i = 1; i < contents.size(); i++) {
            Content content = contents.get(i);
            Path file = files.get(i);
            others.add(CompletableFuture.runAsync(() -> writeContent(period, content, file)));
        }
        try {
            if (!contents.isEmpty()) {
                writeContent(period, contents.get(0), files.get(0));
            }
        }
        finally {
            for (CompletableFuture<Void> other : others) {
                other.exceptionally(failure -> null).join(); // never leave a writer thread behind
            }
        }
        for (CompletableFuture<Void> other : others) {
            try {
                other.join();
            }
            catch (CompletionException ex) {
                throw ex.getCause() instanceof RuntimeException runtime ? runtime : ex;
            }
        }
        return files;
    }

    private static void writeContent(String period, Content content, Path file) {
        try {
            writeAndSync(file, content.writer());
        }
        catch (IOException | RuntimeException ex) {
            throw new ReportStoreException("Could not write report file", period, content.fileName(), ex);
        }
    }

    /**
     * Called under the folder lock: keeps the current version of each target (a hard link, or a
     * copy where links are not supported), renames the new files over their targets, rewrites the
     * manifest; on any failure renames the kept versions back. The manifest needs no keeping: it is
     * replaced last, by one rename, so when that fails it was never replaced.
     */
    private void swapIn(String period, Path folder, List<Content> contents, List<Path> written, Path swap)
            throws IOException {
        for (Content content : contents) {
            Path target = folder.resolve(content.fileName());
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
                throw new ReportStoreException("Could not write report file: something other than a file is in its place",
                        period, content.fileName(), null);
            }
        }
        List<Path> targets = new ArrayList<>();
        List<Path> kept = new ArrayList<>();
        for (Content content : contents) {
            Path target = folder.resolve(content.fileName());
            targets.add(target);
            kept.add(keep(target, swap.resolve("old-" + content.fileName())));
        }
        int moved = 0;
        try {
            for (; moved < targets.size(); moved++) {
                Files.move(written.get(moved), targets.get(moved), StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            }
            writeManifest(period, folder);
        }
        catch (IOException | RuntimeException ex) {
            for (int i = moved - 1; i >= 0; i--) {
                restore(kept.get(i), targets.get(i));
            }
            throw ex;
        }
    }

    /** A copy of the file as it is now (null if there is none), to put back if the swap fails. */
    private static Path keep(Path file, Path copy) throws IOException {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        try {
            Files.createLink(copy, file);
        }
        catch (IOException | UnsupportedOperationException ex) {
            Files.copy(file, copy, StandardCopyOption.COPY_ATTRIBUTES);
        }
        return copy;
    }

    private static void restore(Path kept, Path target) {
        try {
            if (kept == null) {
                Files.deleteIfExists(target);
            }
            else {
                Files.move(kept, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        catch (IOException ex) {
            log.error("Could not put back the previous version of {}: {}", target, ex.toString());
        }
    }

    private Path createdTemporaries() throws IOException {
        Files.createDirectories(temporaries);
        return temporaries;
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
        Path temp = Files.createTempFile(createdTemporaries(), "manifest-", ".json");
        try {
            Files.delete(temp); // written anew below with CREATE_NEW
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
