package io.billingbatch.statements;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;

import io.billingbatch.batch.PeriodJobParameters;
import io.billingbatch.ledger.LedgerAmountBound;
import io.billingbatch.ledger.ReportPeriod;
import io.billingbatch.report.CsvReportWriter;
import io.billingbatch.report.ReportColumn;
import io.billingbatch.report.ReportStore;
import io.billingbatch.report.ReportTable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;
import org.springframework.util.FileSystemUtils;

/**
 * Renders every statement of the month into a folder of its own under the reports root's temporary
 * folder (on all cores), then swaps it in place of {@code reports/<month>/statements/} and writes
 * the index through the report store. A restart renders them all again: nothing is half there.
 */
class StatementsTasklet implements Tasklet {

    static final ReportTable INDEX = ReportTable.of("Statements", ReportColumn.id("account_id"),
            ReportColumn.id("customer_id"), ReportColumn.text("account_name", 30), ReportColumn.text("status", 10),
            ReportColumn.text("reason", 60), ReportColumn.text("file", 60), ReportColumn.text("sha256", 64),
            ReportColumn.usd("opening_usd"), ReportColumn.usd("credits_usd"), ReportColumn.usd("charges_usd"),
            ReportColumn.usd("other_debits_usd"), ReportColumn.usd("closing_usd"));

    private static final Logger logger = LoggerFactory.getLogger(StatementsTasklet.class);

    private final JdbcStatements statements;

    private final StatementFiles files;

    private final ReportStore store;

    private final LedgerAmountBound amountBound;

    StatementsTasklet(JdbcStatements statements, StatementFiles files, ReportStore store, LedgerAmountBound amountBound) {
        this.statements = statements;
        this.files = files;
        this.store = store;
        this.amountBound = amountBound;
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) throws Exception {
        var jobExecution = chunkContext.getStepContext().getStepExecution().getJobExecution();
        ReportPeriod period = PeriodJobParameters.from(jobExecution.getJobParameters()).period();
        String what = "statements " + period.key() + " (" + period.zone().getId() + ")";
        Statement.Source source = statements.publishedReconciliation(period).orElseThrow(() -> new IllegalStateException(
                what + ": the month has no published reconciliation; run reconciliation --period=" + period.key()
                        + " first (a statement shows its figures)"));
        List<Statement> all = statements.statements(period, source, amountBound.maxMicros());
        Path work = store.createTemporaryDirectory("statements-"); // the process's temporary folder may not exist yet
        try {
            Path rendered = Files.createDirectory(work.resolve("new"));
            Map<java.util.UUID, String> hashes = render(all, rendered);
            swapIn(period, rendered, work);
            store.write(period.key(), StatementFiles.indexName(period), out -> {
                try (CsvReportWriter csv = new CsvReportWriter(out, INDEX)) {
                    for (Statement s : all) {
                        csv.row(s.accountId(), s.customerId(), s.accountName(), s.issued() ? "issued" : "withheld",
                                s.withheldReason(), s.issued() ? StatementFiles.folderName(period) + "/" + s.fileName() : null,
                                hashes.get(s.accountId()), s.opening(), s.credits(), s.totalCharges(), s.otherDebits(), s.closing());
                    }
                }
            });
        }
        finally {
            FileSystemUtils.deleteRecursively(work);
        }
        long issued = all.stream().filter(Statement::issued).count();
        contribution.incrementWriteCount(issued);
        jobExecution.getExecutionContext().putLong("statementsIssued", issued);
        jobExecution.getExecutionContext().putLong("statementsWithheld", all.size() - issued);
        logger.info("{}: {} statement(s) issued, {} withheld (reconciliation revision {})", what, issued,
                all.size() - issued, source.revision());
        return RepeatStatus.FINISHED;
    }

    /** Writes the issued statements' PDFs into {@code folder} on every core; returns each file's SHA-256. */
    private static Map<java.util.UUID, String> render(List<Statement> all, Path folder) throws InterruptedException {
        Map<java.util.UUID, String> hashes = new ConcurrentHashMap<>();
        ForkJoinPool pool = new ForkJoinPool(Runtime.getRuntime().availableProcessors());
        try {
            pool.submit(() -> all.parallelStream().filter(Statement::issued).forEach(statement -> {
                MessageDigest sha256 = sha256();
                try (OutputStream out = new DigestOutputStream(new BufferedOutputStream(
                        Files.newOutputStream(folder.resolve(statement.fileName())), 64 * 1024), sha256)) {
                    StatementPdf.write(statement, out);
                }
                catch (IOException ex) {
                    throw new UncheckedIOException("Could not write the statement of account " + statement.accountId(), ex);
                }
                hashes.put(statement.accountId(), HexFormat.of().formatHex(sha256.digest()));
            })).get();
        }
        catch (ExecutionException ex) {
            throw ex.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(ex.getCause());
        }
        finally {
            pool.shutdown();
        }
        return hashes;
    }

    /** Replaces the month's statements folder by the rendered one: two renames on the same file system. */
    private void swapIn(ReportPeriod period, Path rendered, Path work) throws IOException {
        Path target = files.folder(period);
        Files.createDirectories(target.getParent());
        Path old = work.resolve("old");
        if (Files.exists(target)) {
            Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
        }
        try {
            Files.move(rendered, target, StandardCopyOption.ATOMIC_MOVE);
        }
        catch (IOException ex) {
            if (Files.exists(old)) {
                Files.move(old, target, StandardCopyOption.ATOMIC_MOVE); // the previous statements stay
            }
            throw ex;
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        }
        catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
