package io.billingbatch.report;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds a run's CSV and XLSX from the items a chunk step stores, as their chunks commit, each file
 * on a thread of its own, so the files are rendered while the database stores the next chunks
 * instead of after publishing. Fed by {@link StreamedReportWriter}; the result is used only if the
 * stream saw every item the run stored (see {@link #isWhole()}), otherwise the job renders its files
 * from its table, in the same order and with the same {@link Layout}, so both give the same bytes.
 * Not reusable; {@link #discard()} releases the temp files.
 *
 * @param <T> the items of the step, in the order the files list them
 */
public final class StreamedReport<T> {

    /**
     * How items become the files: {@code lines} is the CSV and the workbook's sheet of items, one
     * {@code row} per item; {@code summaryTable} (null for none) is a sheet before it, filled by a
     * fresh {@code summary} once every item is in. {@code name} prefixes the threads and temp files.
     */
    public record Layout<T>(String name, ReportTable lines, Function<T, Object[]> row, ReportTable summaryTable,
            Supplier<Summary<T>> summary,
            java.util.function.BiFunction<XlsxReportWriter, ReportTable, XlsxReportWriter.SheetWriter> summarySheet) {

        /** A layout whose summary sheet is a plain sheet of {@code summaryTable}. */
        public Layout(String name, ReportTable lines, Function<T, Object[]> row, ReportTable summaryTable,
                Supplier<Summary<T>> summary) {
            this(name, lines, row, summaryTable, summary, XlsxReportWriter::sheet);
        }
    }

    /** A summary sheet's figures, taken item by item on the workbook's thread and written at the end. */
    public interface Summary<T> {

        void add(T item);

        void writeTo(XlsxReportWriter.SheetWriter sheet);
    }

    private static final Logger logger = LoggerFactory.getLogger(StreamedReport.class);

    /** Chunks a renderer may lag behind before the chunk thread waits for it. */
    private static final int QUEUED_CHUNKS = 16;

    private static final List<Object> END = List.of();

    /** The step's query has answered: the renderers may take a core now. */
    private static final List<Object> BEGIN = new ArrayList<>();

    private final Layout<T> layout;

    /** Gives the CSV's temp file, under the reports root's hidden folder (never java.io.tmpdir). */
    private final ReportStore store;

    private final CsvRenderer csv = new CsvRenderer();

    private final WorkbookRenderer workbook = new WorkbookRenderer();

    private final AtomicBoolean begun = new AtomicBoolean();

    private volatile boolean broken;

    private volatile boolean inputEnded;

    private volatile long fed;

    private volatile long expected = -1;

    private StreamedReport(Layout<T> layout, ReportStore store) {
        this.layout = layout;
        this.store = store;
    }

    /** Starts both renderers; they take no CPU until {@link #begin()}. */
    public static <T> StreamedReport<T> start(Layout<T> layout, ReportStore store) {
        StreamedReport<T> stream = new StreamedReport<>(layout, store);
        stream.csv.start(layout.name() + "-csv");
        stream.workbook.start(layout.name() + "-xlsx");
        return stream;
    }

    /**
     * The first item was read, so the step's query is done: the renderers set up their
     * writers (loading POI on a cold JVM) while the first chunk is processed and stored. Before,
     * they take no CPU: while the query runs, PostgreSQL's parallel workers need every core.
     */
    public void begin() {
        if (!begun.getAndSet(true)) {
            csv.put(BEGIN);
            workbook.put(BEGIN);
        }
    }

    /** Items of a committed chunk, in order; called on the chunk's thread after its commit. */
    public void accept(List<? extends T> lines) {
        if (broken || inputEnded || lines.isEmpty()) {
            return;
        }
        fed += lines.size();
        List<Object> copy = List.copyOf(lines);
        csv.put(copy);
        workbook.put(copy);
    }

    /** The stream can no longer be trusted to hold every stored line (for example after a rollback). */
    public void invalidate() {
        broken = true;
    }

    /**
     * The step ended: the stream is whole only if the step completed without a rollback and every
     * item it wrote was fed.
     */
    public void endInput(boolean completed, long writeCount, long rollbackCount) {
        if (inputEnded) {
            return;
        }
        if (!completed || rollbackCount != 0 || writeCount != fed) {
            broken = true;
        }
        expected = writeCount;
        inputEnded = true;
        csv.put(END);
        workbook.put(END);
    }

    /** Waits for the rendering; true if both files hold exactly the lines the run stored. */
    public boolean isWhole() {
        if (!inputEnded || broken) {
            return false;
        }
        try {
            csv.done.join();
            workbook.done.join();
        }
        catch (RuntimeException ex) {
            logger.warn("Rendering {} from the step's stream failed; rendering it from the table", layout.name(), ex);
            return false;
        }
        return !broken && expected == fed;
    }

    /** The CSV's content; only after {@link #isWhole()} said true. */
    public ContentWriter csvContent() {
        return csv::writeTo;
    }

    /** The workbook's content under the given title block (none when null); only after {@link #isWhole()} said true. */
    public ContentWriter workbookContent(ReportTitle title) {
        return workbookContent(title, writer -> {
        });
    }

    /** Same as {@link #workbookContent(ReportTitle)}, with more (small) sheets added just before the workbook is written. */
    public ContentWriter workbookContent(ReportTitle title, java.util.function.Consumer<XlsxReportWriter> more) {
        return out -> {
            workbook.writer.title(title);
            more.accept(workbook.writer);
            workbook.writeTo(out);
        };
    }

    /** Releases the temp files once the renderers stopped; safe to call more than once and at any time. */
    public void discard() {
        broken = true;
        if (!inputEnded) {
            inputEnded = true;
            csv.abort();
            workbook.abort();
        }
        csv.done.handle((ignored, failure) -> csv.release());
        workbook.done.handle((ignored, failure) -> workbook.release());
    }

    /** Renders the lines of its queue on a thread of its own. */
    private abstract class Renderer implements Runnable {

        private final BlockingQueue<List<Object>> queue = new ArrayBlockingQueue<>(QUEUED_CHUNKS);

        final CompletableFuture<Void> done = new CompletableFuture<>();

        void start(String name) {
            Thread thread = new Thread(this, name);
            thread.setDaemon(true);
            thread.start();
        }

        /** Waits while the renderer is behind (bounding the memory), never once it has stopped. */
        void put(List<Object> lines) {
            try {
                while (!queue.offer(lines, 100, TimeUnit.MILLISECONDS)) {
                    if (done.isDone()) {
                        return;
                    }
                }
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                broken = true;
            }
        }

        void abort() {
            queue.clear();
            queue.offer(END);
        }

        @Override
        public void run() {
            try {
                List<Object> lines = queue.take();
                if (lines != END || !broken) { // a period without lines still gets its files (headers only)
                    open();
                    for (; lines != END; lines = queue.take()) {
                        if (broken) {
                            continue; // drain to the end: the result will not be used
                        }
                        for (Object line : lines) { // BEGIN has none
                            @SuppressWarnings("unchecked")
                            T item = (T) line;
                            line(item);
                        }
                    }
                    if (!broken) {
                        finish();
                    }
                }
                done.complete(null);
            }
            catch (Throwable ex) {
                broken = true;
                queue.clear();
                done.completeExceptionally(ex);
            }
        }

        abstract void open() throws IOException;

        abstract void line(T line);

        abstract void finish() throws IOException;

        abstract void writeTo(OutputStream out) throws IOException;

        /** Called once the renderer stopped. */
        abstract Void release();
    }

    /** The CSV goes to a temp file, copied into the report store once the run is published. */
    private final class CsvRenderer extends Renderer {

        private Path file;

        private OutputStream out;

        private CsvReportWriter writer;

        @Override
        void open() throws IOException {
            file = store.createTemporaryFile(layout.name() + "-", ".csv.tmp");
            out = new BufferedOutputStream(Files.newOutputStream(file), 64 * 1024);
            writer = new CsvReportWriter(out, layout.lines());
        }

        @Override
        void line(T line) {
            writer.row(layout.row().apply(line));
        }

        @Override
        void finish() throws IOException {
            writer.close();
            out.close();
        }

        @Override
        void writeTo(OutputStream target) throws IOException {
            Files.copy(file, target);
        }

        @Override
        Void release() {
            try {
                if (out != null) {
                    out.close();
                }
                if (file != null) {
                    Files.deleteIfExists(file);
                }
            }
            catch (IOException ex) {
                logger.warn("Could not delete temp file {}: {}", file, ex.toString());
            }
            return null;
        }
    }

    /**
     * The workbook stays in POI's streaming form (rows in its temp files) and is written straight
     * into the report store's file once the run is published.
     */
    private final class WorkbookRenderer extends Renderer {

        private final DeferredOutputStream target = new DeferredOutputStream();

        private Summary<T> totals;

        private XlsxReportWriter writer;

        private XlsxReportWriter.SheetWriter summary;

        private XlsxReportWriter.SheetWriter items;

        @Override
        void open() {
            writer = new XlsxReportWriter(target);
            totals = layout.summaryTable() == null ? null : layout.summary().get();
            summary = totals == null ? null : layout.summarySheet().apply(writer, layout.summaryTable());
            items = writer.sheet(layout.lines());
        }

        @Override
        void line(T line) {
            items.row(layout.row().apply(line));
            if (totals != null) {
                totals.add(line);
            }
        }

        /** The summary sheet, once every item is in. */
        @Override
        void finish() {
            if (totals != null) {
                totals.writeTo(summary);
            }
        }

        @Override
        void writeTo(OutputStream out) throws IOException {
            target.target = out;
            try {
                writer.close();
            }
            finally {
                target.target = null;
            }
        }

        @Override
        Void release() {
            if (writer != null) {
                writer.discard(); // POI's temp files; nothing after the workbook was written
            }
            return null;
        }
    }

    /** Where the workbook goes when it is finally written; nothing is written before. */
    private static final class DeferredOutputStream extends OutputStream {

        private volatile OutputStream target;

        @Override
        public void write(int b) throws IOException {
            target().write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            target().write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            OutputStream out = target;
            if (out != null) {
                out.flush();
            }
        }

        private OutputStream target() throws IOException {
            OutputStream out = target;
            if (out == null) {
                throw new IOException("The streamed workbook is not being written to a report file");
            }
            return out;
        }
    }
}
