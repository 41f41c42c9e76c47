package io.billingbatch.financepack;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import io.billingbatch.access.Role;
import io.billingbatch.api.ServerTestSupport;
import io.billingbatch.batch.PeriodJobParameters;
import io.billingbatch.ledger.ReportPeriod;
import io.billingbatch.report.ReportFile;
import io.billingbatch.report.ReportStore;
import org.junit.jupiter.api.Test;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.InvalidJobParametersException;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.launch.JobInstanceAlreadyCompleteException;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.util.FileSystemUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The finance-pack job in the shared server context, so its pack can be compared with the download. */
class FinancePackJobTest extends ServerTestSupport {

    @Autowired
    JobOperator jobOperator;

    @Autowired
    Job financePackJob;

    @Autowired
    ReportStore store;

    @Test
    void storesTheMonthsPackThroughTheReportStore() throws Exception {
        givenReports("2032-03");

        JobExecution execution = jobOperator.start(financePackJob, parameters("2032-03", 1));

        assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(financePackJob.getName()).isEqualTo("finance-pack");
        Path pack = store.directory("2032-03").resolve("finance-pack-2032-03.zip");
        byte[] packBytes = Files.readAllBytes(pack);
        assertThat(unzip(packBytes).keySet()).containsExactly("cost-report-2032-03.csv", "reconciliation-2032-03.csv",
                "manifest.json", "2032-03-28/cost-report-2032-03-28.csv", "2032-03-28/manifest.json");
        assertThat(unzip(packBytes).get("cost-report-2032-03.csv"))
                .isEqualTo(Files.readAllBytes(store.directory("2032-03").resolve("cost-report-2032-03.csv")));
        ReportFile listed = store.readManifest("2032-03").orElseThrow().files().stream()
                .filter(file -> file.name().equals("finance-pack-2032-03.zip")).findFirst().orElseThrow();
        assertThat(listed.size()).isEqualTo(packBytes.length);
        assertThat(execution.getStepExecutions()).singleElement()
                .satisfies(step -> assertThat(step.getWriteCount()).isEqualTo(5));

        Reply download = get("/v1.0/reports/2032-03/pack", token(Role.FINANCE));
        assertThat(download.bytes()).as("the download of the same reports is the same pack").isEqualTo(packBytes);
    }

    @Test
    void refusesASecondRunOfACompletedMonthAndANewRevisionNeverPacksTheOlderPack() throws Exception {
        givenReports("2032-06");
        assertThat(jobOperator.start(financePackJob, parameters("2032-06", 1)).getStatus()).isEqualTo(BatchStatus.COMPLETED);
        byte[] first = Files.readAllBytes(store.directory("2032-06").resolve("finance-pack-2032-06.zip"));

        assertThatThrownBy(() -> jobOperator.start(financePackJob, parameters("2032-06", 1)))
                .isInstanceOf(JobInstanceAlreadyCompleteException.class);

        assertThat(jobOperator.start(financePackJob, parameters("2032-06", 2)).getStatus()).isEqualTo(BatchStatus.COMPLETED);
        byte[] second = Files.readAllBytes(store.directory("2032-06").resolve("finance-pack-2032-06.zip"));
        assertThat(unzip(second).keySet()).noneMatch(name -> name.contains("finance-pack"));
        assertThat(new String(unzip(second).get("manifest.json"), StandardCharsets.UTF_8)).doesNotContain("finance-pack");
        assertThat(second).isEqualTo(first);
    }

    @Test
    void aPackNeverHoldsAProvisionalReport() throws Exception {
        givenReports("2032-09");
        // a day's month-to-date report whose final run has not replaced it yet
        store.write("2032-09-30", "cost-report-2032-09-30-provisional.csv", out -> out.write("so far".getBytes(StandardCharsets.UTF_8)));

        JobExecution execution = jobOperator.start(financePackJob, parameters("2032-09", 1));

        assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        Map<String, byte[]> entries = unzip(Files.readAllBytes(store.directory("2032-09").resolve("finance-pack-2032-09.zip")));
        assertThat(entries.keySet()).containsExactly("cost-report-2032-09.csv", "reconciliation-2032-09.csv",
                "manifest.json", "2032-09-28/cost-report-2032-09-28.csv", "2032-09-28/manifest.json");
    }

    @Test
    void refusesADayAndFailsAMonthWithoutReports() throws Exception {
        assertThatThrownBy(() -> jobOperator.start(financePackJob, parameters("2032-07-01", 1)))
                .isInstanceOf(InvalidJobParametersException.class).hasMessageContaining("month");

        FileSystemUtils.deleteRecursively(store.directory("2032-08"));
        JobExecution empty = jobOperator.start(financePackJob, parameters("2032-08", 1));

        assertThat(empty.getStatus()).isEqualTo(BatchStatus.FAILED);
        assertThat(empty.getExitStatus().getExitDescription()).contains("No reports to pack for month 2032-08");
        assertThat(store.directory("2032-08")).doesNotExist();
    }

    private void givenReports(String month) throws IOException {
        FileSystemUtils.deleteRecursively(store.directory(month));
        Files.createDirectories(store.directory(month).getParent());
        try (var days = Files.list(store.directory(month).getParent())) { // every day folder of the month, from earlier runs too
            for (Path day : days.filter(folder -> folder.getFileName().toString().startsWith(month + "-")).toList()) {
                FileSystemUtils.deleteRecursively(day);
            }
        }
        store.write(month, "cost-report-" + month + ".csv", out -> out.write(("cost of " + month).getBytes(StandardCharsets.UTF_8)));
        store.write(month, "reconciliation-" + month + ".csv", out -> out.write("findings".getBytes(StandardCharsets.UTF_8)));
        store.write(month + "-28", "cost-report-" + month + "-28.csv", out -> out.write("a day".getBytes(StandardCharsets.UTF_8)));
    }

    private static JobParameters parameters(String period, long revision) {
        return new PeriodJobParameters(ReportPeriod.parse(period, "UTC"), revision).toJobParameters();
    }

    private static Map<String, byte[]> unzip(byte[] zip) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                entries.put(entry.getName(), in.readAllBytes());
            }
        }
        return entries;
    }
}
