package io.billingbatch.statements;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.billingbatch.access.Role;
import io.billingbatch.api.ServerTestSupport;
import io.billingbatch.batch.PeriodJobParameters;
import io.billingbatch.launch.PeriodJobLauncher;
import io.billingbatch.launch.PeriodJobLauncher.LaunchOutcome;
import io.billingbatch.ledger.LedgerFixture;
import io.billingbatch.ledger.ReportPeriod;
import io.billingbatch.report.FinancePack;
import io.billingbatch.report.ReportFile;
import io.billingbatch.report.ReportStore;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.font.PDFont;
import org.apache.pdfbox.text.PDFTextStripper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The statements job on a month no other test posts in, and the endpoint that serves a statement,
 * over real HTTP (the server tests' one context).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StatementsJobTest extends ServerTestSupport {

    static final ReportPeriod MARCH = ReportPeriod.parse("2025-03", "UTC");

    static final Instant FEBRUARY = Instant.parse("2025-02-10T00:00:00Z");

    static final Instant DAY = Instant.parse("2025-03-12T10:00:00Z");

    @Autowired
    PeriodJobLauncher launcher;

    @Autowired
    Job costReportJob;

    @Autowired
    Job reconciliationJob;

    @Autowired
    Job statementsJob;

    @Autowired
    ReportStore reportStore;

    @Autowired
    FinancePack financePack;

    UUID zoeCustomer = UUID.randomUUID();

    UUID zoe;

    UUID yamada;

    UUID shalom;

    UUID broken;

    JobExecution statements;

    @BeforeAll
    void aMonthWithCleanAccountsUnicodeNamesAndOneWithAFinding() throws Exception {
        LedgerFixture ledger = new LedgerFixture(jdbc);
        zoe = ledger.account("Zoë Müller-Øster & Søn", zoeCustomer);
        ledger.topUp(zoe, 150_000_000, FEBRUARY);
        ledger.call(zoe, 125, DAY);
        ledger.call(zoe, 60, DAY.plusSeconds(60));
        ledger.sms(zoe, DAY.plusSeconds(120));
        ledger.number(zoe, DAY.plusSeconds(180));
        ledger.topUp(zoe, 20_000_000, DAY.plusSeconds(240));
        yamada = ledger.account("山田太郎 株式会社");
        ledger.topUp(yamada, 10_000_000, DAY);
        ledger.sms(yamada, DAY.plusSeconds(5));
        shalom = ledger.account("שלום עליכם בע\"מ");
        ledger.topUp(shalom, 5_000_000, FEBRUARY);
        broken = ledger.account("Broken Chain");
        ledger.topUp(broken, 100_000_000, FEBRUARY);
        UUID altered = ledger.call(broken, 10, DAY);
        ledger.sms(broken, DAY.plusSeconds(5));
        jdbc.update("UPDATE billing_billings SET amount_credit = -100000 WHERE id = ?", altered); // was -200000

        PeriodJobParameters march = new PeriodJobParameters(MARCH, 1);
        for (Job job : List.of(costReportJob, reconciliationJob, statementsJob)) {
            LaunchOutcome outcome = launcher.launch(job, march, true);
            JobExecution execution = ((LaunchOutcome.Ran) outcome).execution();
            assertThat(execution.getStatus()).as(job.getName()).isEqualTo(BatchStatus.COMPLETED);
            statements = execution;
        }
    }

    @Test
    void aStatementShowsTheReconciliationsFiguresForItsAccount() throws Exception {
        Map<String, Object> figures = jdbc.queryForMap("""
                SELECT a.* FROM reconciliation_accounts a JOIN published_runs p ON p.job_instance_id = a.job_instance_id
                WHERE p.job_name = 'reconciliation' AND p.period = '2025-03' AND p.zone = 'UTC' AND a.account_id = ?""", zoe);
        assertThat(figures.get("finding_kinds")).isEqualTo("");

        String text = text(pdf(zoe));

        assertThat(text).contains("Statement of account", "March 2025 (UTC)", "Zoë Müller-Øster & Søn", zoe.toString(),
                zoeCustomer.toString());
        assertThat(text).contains("Opening balance " + usd(figures, "opening") + " USD")
                .contains("Credits " + usd(figures, "credits") + " USD")
                .contains("Closing balance " + usd(figures, "closing") + " USD")
                .contains("Other debits " + usd(figures, "other_debits") + " USD");
        assertThat(figures.get("opening")).isEqualTo(150_000_000L);
        assertThat(figures.get("credits")).isEqualTo(20_000_000L);
        assertThat(figures.get("closing")).isEqualTo(150_000_000L + 20_000_000L - 3_700_000L - 8_000L - 5_000_000L);
        // charges by type: records and units from the cost report, the cost the reconciliation's
        assertThat(text).contains("Calls 2 185 s " + usd(figures, "charges_call"))
                .contains("SMS 1 1 msg " + usd(figures, "charges_sms"))
                .contains("Numbers 1 1 " + usd(figures, "charges_number"))
                .contains("Total charges " + StatementPdf.usd(3_700_000L + 8_000L + 5_000_000L) + " USD");
        assertThat(text).contains("2025-03-12T10:04:00Z top-up 20.000000 USD");
        assertThat(text).contains("revision 1");
    }

    @Test
    void aProcessWhoseTemporaryFolderDoesNotExistYetWritesItsStatements() throws Exception {
        // a command line process runs statements as its first job: nothing has made its temporary folder yet
        org.springframework.util.FileSystemUtils.deleteRecursively(reportStore.temporaryDirectory());

        LaunchOutcome outcome = launcher.launch(statementsJob, new PeriodJobParameters(MARCH, 1), true);

        JobExecution execution = ((LaunchOutcome.Ran) outcome).execution();
        assertThat(execution.getStatus()).as(execution.getExitStatus().getExitDescription()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(pdf(zoe)).exists();
    }

    @Test
    void anyNamePrintsWithItsFontsEmbedded() throws Exception {
        assertThat(text(pdf(yamada))).contains("山田太郎 株式会社");
        assertThat(text(pdf(shalom))).contains("שלום עליכם");
        for (UUID account : List.of(zoe, yamada, shalom)) {
            try (PDDocument document = Loader.loadPDF(pdf(account).toFile())) {
                for (var name : document.getPage(0).getResources().getFontNames()) {
                    PDFont font = document.getPage(0).getResources().getFont(name);
                    assertThat(font.isEmbedded()).as("%s in the statement of %s", font.getName(), account).isTrue();
                }
            }
        }
    }

    @Test
    void anAccountWithFindingsIsWithheldWithTheReasonAndHasNoPdf() throws Exception {
        assertThat(Files.exists(folder().resolve(StatementFiles.fileName(MARCH, broken)))).isFalse();
        List<String> index = Files.readAllLines(reportStore.directory("2025-03").resolve("statements-2025-03.csv"));
        assertThat(index.get(0)).isEqualTo("account_id,customer_id,account_name,status,reason,file,sha256,opening_usd,"
                + "credits_usd,charges_usd,other_debits_usd,closing_usd");
        assertThat(index).anySatisfy(line -> assertThat(line).startsWith(broken + ",").contains(",withheld,")
                .contains("the reconciliation has findings for this account: ").contains("chain_break"));
        assertThat(index).anySatisfy(line -> assertThat(line).startsWith(zoe + ",").contains(",issued,")
                .contains("statements/statement-2025-03-" + zoe + ".pdf"));
        assertThat(statements.getExecutionContext().getLong("statementsWithheld")).isGreaterThanOrEqualTo(1);
        // the index is in the month's manifest, the PDFs in the finance pack
        assertThat(reportStore.readManifest("2025-03").orElseThrow().files()).extracting(ReportFile::name)
                .contains("statements-2025-03.csv");
        assertThat(financePack.entries("2025-03")).extracting(FinancePack.Entry::name)
                .contains("statements-2025-03.csv", "statements/statement-2025-03-" + zoe + ".pdf")
                .doesNotContain("statements/statement-2025-03-" + broken + ".pdf");
    }

    @Test
    void aCustomerGetsItsOwnStatementAndAnothersIsA404() throws Exception {
        String path = "/v1.0/billing_accounts/" + zoe + "/statements/2025-03";
        Reply own = get(path, customerToken(zoeCustomer));
        assertThat(own.status()).isEqualTo(200);
        assertThat(own.header("Content-Type")).isEqualTo("application/pdf");
        assertThat(own.bytes()).isEqualTo(Files.readAllBytes(pdf(zoe)));

        Reply another = get(path, customerToken(UUID.randomUUID()));
        assertThat(another.status()).isEqualTo(404);
        assertThat(another.json().get("message").asText()).isEqualTo("billing account " + zoe + " does not exist");

        assertThat(get(path, token(Role.ADMIN)).status()).isEqualTo(200);
        assertThat(get(path, token(Role.FINANCE)).status()).isEqualTo(200);
        assertThat(get(path).status()).isEqualTo(401);
        assertThat(get("/v1.0/billing_accounts/" + broken + "/statements/2025-03", token(Role.ADMIN)).status())
                .as("withheld").isEqualTo(404);
        assertThat(get("/v1.0/billing_accounts/" + zoe + "/statements/2025-13", token(Role.ADMIN)).status()).isEqualTo(400);
    }

    private Path folder() {
        return reportStore.directory("2025-03").resolve("statements");
    }

    private Path pdf(UUID account) {
        return folder().resolve(StatementFiles.fileName(MARCH, account));
    }

    private static String text(Path pdf) throws Exception {
        try (PDDocument document = Loader.loadPDF(pdf.toFile())) {
            return new PDFTextStripper().getText(document).replaceAll("[ \\t]+", " ");
        }
    }

    private static String usd(Map<String, Object> figures, String column) {
        return StatementPdf.usd(((Number) figures.get(column)).longValue());
    }
}
