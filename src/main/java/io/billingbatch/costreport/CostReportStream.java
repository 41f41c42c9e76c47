package io.billingbatch.costreport;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.billingbatch.ledger.ReportPeriod;
import io.billingbatch.report.ContentWriter;
import io.billingbatch.report.CsvReportWriter;
import io.billingbatch.report.ReportStore;
import io.billingbatch.report.XlsxReportWriter;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds a run's CSV and XLSX from the lines of the aggregation step as their chunks commit, each
 * on a thread of its own, so the files are rendered while PostgreSQL stores the next chunks instead
 * of after publishing. The result is used only if the stream saw every line the run stored: see
 * {@link #isWhole()}; otherwise the files step renders the files from the table as before.
 * <p>
 * The lines are fed in the aggregation query's order, which is the order the table is read back
 * in ({@code account_id, type}); the summary sheet gets its totals per type once the input ends.
 * Not reusable; {@link #discard()} releases the temp files.
 */
final class CostReportStream {

    private static final Logger logger = LoggerFactory.getLogger(CostReportStream.class);

    /** Chunks a renderer may lag behind before the chunk thread waits for it. */
    private static final int QUEUED_CHUNKS = 16;

    private static final List<CostLine> END = List.of();

    /** The aggregation query has answered: the renderers may take a core now. */
    private static final List<CostLine> BEGIN = new ArrayList<>();

    private final ReportPeriod period;

    /** Gives the CSV's temp file, under the reports root's hidden folder (never java.io.tmpdir). */
    private final ReportStore store;

    private final CsvRenderer csv = new CsvRenderer();

    private final WorkbookRenderer workbook = new WorkbookRenderer();

    private final AtomicBoolean begun = new AtomicBoolean();

    private volatile boolean broken;

    private volatile boolean inputEnded;

    private volatile long fed;

    private volatile long expected = -1;

    private CostReportStream(ReportPeriod period, ReportStore store) {
        this.period = period;
        this.store = store;
    }

    static CostReportStream start(ReportPeriod period, ReportStore store) {
        CostReportStream stream = new CostReportStream(period, store);
        stream.csv.start("cost-report-csv");
        stream.workbook.start("cost-report-xlsx");
        return stream;
    }

    /**
     * The first line was read, so the aggregation query is done: the renderers set up their
     * writers (loading POI on a cold JVM) while the first chunk is processed and stored. Before,
     * they take no CPU: while the query runs, PostgreSQL's parallel workers need every core.
     */
    void begin() {
        if (!begun.getAndSet(true)) {
            csv.put(BEGIN);
            workbook.put(BEGIN);
        }
    }

    /** Lines of a committed chunk, in order; called on the chunk's thread after its commit. */
    void accept(List<? extends CostLine> lines) {
        if (broken || inputEnded || lines.isEmpty()) {
            return;
        }
        fed += lines.size();
        List<CostLine> copy = List.copyOf(lines);
        csv.put(copy);
        workbook.put(copy);
    }

    /** The stream can no longer be trusted to hold every stored line (for example after a rollback). */
    void invalidate() {
        broken = true;
    }

    /**
     * The aggregation step ended: the stream is whole only if the step completed without a
     * rollback and every line it wrote was fed.
     */
    void endInput(boolean completed, long writeCount, long rollbackCount) {
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
    boolean isWhole() {
        if (!inputEnded || broken) {
            return false;
        }
        try {
            csv.done.join();
            workbook.done.join();
        }
        catch (RuntimeException ex) {
            logger.warn("Rendering the cost report from the aggregation stream failed; rendering it from the table", ex);
            return false;
        }
        return !broken && expected == fed;
    }

    /** The CSV's content; only after {@link #isWhole()} said true. */
    ContentWriter csvContent() {
        return csv::writeTo;
    }

    /** The workbook's content under the given title block; only after {@link #isWhole()} said true. */
    ContentWriter workbookContent(io.billingbatch.report.ReportTitle title) {
        return out -> {
            workbook.writer.title(title);
            workbook.writeTo(out);
        };
    }

    /** Releases the temp files once the renderers stopped; safe to call more than once and at any time. */
    void discard() {
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

        private final BlockingQueue<List<CostLine>> queue = new ArrayBlockingQueue<>(QUEUED_CHUNKS);

        final CompletableFuture<Void> done = new CompletableFuture<>();

        void start(String name) {
            Thread thread = new Thread(this, name);
            thread.setDaemon(true);
            thread.start();
        }

        /** Waits while the renderer is behind (bounding the memory), never once it has stopped. */
        void put(List<CostLine> lines) {
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
                List<CostLine> lines = queue.take();
                if (lines != END || !broken) { // a period without lines still gets its files (headers only)
                    open();
                    for (; lines != END; lines = queue.take()) {
                        if (broken) {
                            continue; // drain to the end: the result will not be used
                        }
                        for (CostLine line : lines) { // BEGIN has none
                            line(line);
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

        abstract void line(CostLine line);

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
            file = store.createTemporaryFile("cost-report-", ".csv.tmp");
            out = new BufferedOutputStream(Files.newOutputStream(file), 64 * 1024);
            writer = new CsvReportWriter(out, CostReportFiles.LINES);
        }

        @Override
        void line(CostLine line) {
            writer.row(CostReportFiles.lineRow(period, line));
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

        private final Map<String, long[]> totals = new TreeMap<>();

        private XlsxReportWriter writer;

        private XlsxReportWriter.SheetWriter summary;

        private XlsxReportWriter.SheetWriter accounts;

        @Override
        void open() {
            writer = new XlsxReportWriter(target);
            summary = CostReportFiles.summarySheet(writer, CostReportFiles.SUMMARY);
            accounts = writer.sheet(CostReportFiles.LINES);
        }

        @Override
        void line(CostLine line) {
            accounts.row(CostReportFiles.lineRow(period, line));
            long[] total = totals.computeIfAbsent(line.type(), type -> new long[3]);
            total[0] = Math.addExact(total[0], line.records()); // never wraps around silently
            total[1] = Math.addExact(total[1], line.billableUnits());
            total[2] = Math.addExact(total[2], line.cost());
        }

        /** The summary sheet as the table gives it: one row per type in type order, then the total. */
        @Override
        void finish() {
            long records = 0;
            long cost = 0;
            for (Map.Entry<String, long[]> total : totals.entrySet()) {
                long[] sums = total.getValue();
                summary.row(total.getKey(), sums[0], sums[1], sums[2]);
                records = Math.addExact(records, sums[0]);
                cost = Math.addExact(cost, sums[2]);
            }
            summary.total("total", records, null, cost); // units of different types do not add up
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
