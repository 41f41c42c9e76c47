package io.billingbatch.launch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.billingbatch.ledger.ReportPeriod;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class LaunchDefinitionTest {

    @TempDir
    Path folder;

    @Test
    void theShippedDefinitionsLoadAndPlanYesterdayAndLastMonth() {
        LaunchDefinition nightly = LaunchDefinition.load(Path.of("jobs/nightly.properties"));
        LaunchDefinition monthly = LaunchDefinition.load(Path.of("jobs/monthly.properties"));
        Instant firedAt = Instant.parse("2026-12-01T02:00:00Z");

        assertThat(nightly.plan(firedAt)).extracting(step -> step.getKey() + " " + step.getValue().key())
                .containsExactly("cost-report 2026-11-30", "reconciliation 2026-11-30", "auto-topup 2026-12-01",
                        "spend-anomalies 2026-11-30", "runway 2026-12-01");
        assertThat(monthly.plan(firedAt)).extracting(step -> step.getKey() + " " + step.getValue().key())
                .containsExactly("cost-report 2026-11", "reconciliation 2026-11", "statements 2026-11",
                        "finance-pack 2026-11", "verify-seals 2026-11");
        assertThat(nightly.cron().next(java.time.LocalDateTime.parse("2026-12-01T02:00:01")))
                .isEqualTo(java.time.LocalDateTime.parse("2026-12-02T02:00:00"));
    }

    @Test
    void verifySealsRunsForAPeriodThatHasEndedLikeTheReportJobs() throws IOException {
        LaunchDefinition monthly = LaunchDefinition.load(write("cron=0 0 3 1 * *\njobs=reconciliation,verify-seals\n"
                + "reconciliation.period=previous-month\nverify-seals.period=previous-month\n"));

        assertThat(monthly.plan(Instant.parse("2026-12-01T03:00:00Z"))).extracting(step -> step.getKey() + " " + step.getValue().key())
                .containsExactly("reconciliation 2026-11", "verify-seals 2026-11");
        assertThatIllegalArgumentException().isThrownBy(() -> LaunchDefinition.load(write("cron=0 0 3 1 * *\n"
                + "jobs=verify-seals\nverify-seals.period=current-month\n")))
                .withMessageContaining("field verify-seals.period 'current-month': verify-seals reports a period once it has ended");
    }

    @Test
    void periodsAreReadInTheDefinitionsZone() throws IOException {
        LaunchDefinition tokyo = LaunchDefinition.load(write("cron=0 0 1 * * *\nzone=Asia/Tokyo\njobs=cost-report\n"));

        List<Map.Entry<String, ReportPeriod>> plan = tokyo.plan(Instant.parse("2026-11-30T16:00:00Z")); // Dec 1st, 01:00 in Tokyo

        assertThat(plan).singleElement().satisfies(step -> {
            assertThat(step.getValue().key()).isEqualTo("2026-11-30");
            assertThat(step.getValue().zone().getId()).isEqualTo("Asia/Tokyo");
        });
    }

    @Test
    void anAutoTopUpMayBeADryRun() throws IOException {
        LaunchDefinition plan = LaunchDefinition.load(write("cron=0 0 2 * * *\njobs=cost-report,auto-topup\nauto-topup.dry-run=true\n"));
        LaunchDefinition real = LaunchDefinition.load(write("cron=0 0 2 * * *\njobs=auto-topup\nauto-topup.dry-run=false\n"));

        assertThat(plan.dryRunJobs()).containsExactly("auto-topup");
        assertThat(real.dryRunJobs()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "zone=UTC\\njobs=cost-report                                  | field cron is required",
            "cron=every night\\njobs=cost-report                          | field cron 'every night' is not a cron expression",
            "cron=0 0 2 * * *\\nzone=Moon/Base\\njobs=cost-report          | field zone zone 'Moon/Base' is not a known IANA time zone",
            "cron=0 0 2 * * *\\njobs=cost-report,payroll                  | field jobs 'payroll' is not a job",
            "cron=0 0 2 * * *\\njobs=cost-report\\ncost-report.period=yesterday | field cost-report.period 'yesterday'",
            "cron=0 0 2 * * *\\njobs=auto-topup\\nauto-topup.period=previous-month | field auto-topup.period 'previous-month': auto-topup runs for a day",
            "cron=0 0 2 * * *\\njobs=auto-topup\\nauto-topup.dry-run=maybe | field auto-topup.dry-run 'maybe' is not true or false",
            "cron=0 0 2 * * *\\njobs=cost-report\\nauto-topup.dry-run=true | field auto-topup.dry-run is set but jobs does not name auto-topup",
            "cron=0 0 2 * * *\\njobs=cost-report\\ncost-report.dry-run=true | field cost-report.dry-run is not a field",
            "cron=0 0 2 * * *\\njobs=cost-report\\nretries=3               | field retries is not a field",
            "cron=0 0 2 * * *\\njobs=cost-report\\ncost-report.period=previous-day\\ncost-report.period=previous-month | field cost-report.period is given twice ('previous-day', then 'previous-month'): give it once",
            "cron=0 0 2 * * *\\njobs=cost-report\\ncost-report.period=current-month | field cost-report.period 'current-month': cost-report reports a period once it has ended",
            "cron=0 0 2 * * *\\njobs=reconciliation\\nreconciliation.period=today | field reconciliation.period 'today': reconciliation reports a period once it has ended",
            "cron=0 0 3 1 * *\\njobs=finance-pack\\nfinance-pack.period=current-month | field finance-pack.period 'current-month': finance-pack reports a period once it has ended" })
    void aBadDefinitionIsRefusedNamingTheFileAndTheField(String content, String reason) throws IOException {
        Path file = write(content.replace("\\n", "\n"));

        assertThatIllegalArgumentException().isThrownBy(() -> LaunchDefinition.load(file))
                .withMessageStartingWith(file.toString() + ": ")
                .withMessageContaining(reason);
    }

    Path write(String content) throws IOException {
        Path file = folder.resolve("definition.properties");
        Files.writeString(file, content);
        return file;
    }
}
