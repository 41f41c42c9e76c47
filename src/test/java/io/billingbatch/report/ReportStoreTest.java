package io.billingbatch.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReportStoreTest {

    @TempDir
    Path root;

    @Test
    void writesFilesIntoThePeriodFolderAndListsThemInTheManifest() throws Exception {
        // given
        var store = new ReportStore(root);
        byte[] csv = "a,b\n1,2\n".getBytes(StandardCharsets.UTF_8);
        byte[] xlsx = "not really a workbook".getBytes(StandardCharsets.UTF_8);

        // when
        Path written = store.write("2026-10", "cost-report-2026-10.xlsx", out -> out.write(xlsx));
        store.write("2026-10", "cost-report-2026-10.csv", out -> out.write(csv));

        // then
        assertThat(written).isEqualTo(root.resolve("2026-10").resolve("cost-report-2026-10.xlsx"));
        assertThat(written).hasBinaryContent(xlsx);
        assertThat(root.resolve("2026-10").resolve(ReportStore.MANIFEST)).content(StandardCharsets.UTF_8).isEqualTo(
                "{\"period\":\"2026-10\",\"files\":["
                + "{\"name\":\"cost-report-2026-10.csv\",\"size\":" + csv.length + ",\"sha256\":\"" + sha256(csv) + "\"},"
                + "{\"name\":\"cost-report-2026-10.xlsx\",\"size\":" + xlsx.length + ",\"sha256\":\"" + sha256(xlsx) + "\"}"
                + "]}");
        List<ReportFile> expected = List.of(
                new ReportFile("cost-report-2026-10.csv", csv.length, sha256(csv)),
                new ReportFile("cost-report-2026-10.xlsx", xlsx.length, sha256(xlsx)));
        assertThat(store.readManifest("2026-10")).contains(new Manifest("2026-10", expected));
        assertThat(store.list("2026-10")).isEqualTo(expected);
        assertThat(store.find("2026-10", "cost-report-2026-10.csv")).contains(root.resolve("2026-10/cost-report-2026-10.csv"));
    }

    @Test
    void leavesHiddenFilesFoldersAndTheManifestOutOfTheManifest() throws Exception {
        // given
        var store = new ReportStore(root);
        Path folder = Files.createDirectories(root.resolve("2026-10-05"));
        Files.writeString(folder.resolve(".notes"), "hidden");
        Files.createDirectories(folder.resolve("archive"));

        // when
        store.write("2026-10-05", "topup-2026-10-05.csv", out -> out.write('x'));

        // then
        assertThat(store.readManifest("2026-10-05").orElseThrow().files())
                .extracting(ReportFile::name).containsExactly("topup-2026-10-05.csv");
    }

    @Test
    void replacesAnExistingFileAndUpdatesTheManifest() throws Exception {
        // given
        var store = new ReportStore(root);
        store.write("2026-10", "report.csv", out -> out.write("old".getBytes(StandardCharsets.UTF_8)));

        // when
        Path written = store.write("2026-10", "report.csv", out -> out.write("newer".getBytes(StandardCharsets.UTF_8)));

        // then
        assertThat(written).hasContent("newer");
        assertThat(store.readManifest("2026-10").orElseThrow().files())
                .containsExactly(new ReportFile("report.csv", 5, sha256("newer".getBytes(StandardCharsets.UTF_8))));
    }

    @Test
    void keepsThePreviousFileAndManifestWhenTheWriterFailsMidway() throws Exception {
        // given
        var store = new ReportStore(root);
        Path folder = root.resolve("2026-10");
        Path report = store.write("2026-10", "report.csv", out -> out.write("complete\n".getBytes(StandardCharsets.UTF_8)));
        byte[] manifest = Files.readAllBytes(folder.resolve(ReportStore.MANIFEST));

        // when
        assertThatThrownBy(() -> store.write("2026-10", "report.csv", out -> {
            out.write("half of a new versi".getBytes(StandardCharsets.UTF_8));
            out.flush();
            throw new IOException("database went away");
        }))
                // then
                .isInstanceOf(ReportStoreException.class)
                .hasMessageContaining("2026-10").hasMessageContaining("report.csv")
                .hasRootCauseMessage("database went away");
        assertThat(report).hasContent("complete\n");
        assertThat(folder.resolve(ReportStore.MANIFEST)).hasBinaryContent(manifest);
        assertThat(tempFiles(folder)).isEmpty();
    }

    @Test
    void swapsTheFilesOfARevisionInTogetherOrNotAtAll() throws Exception {
        // given: revision 1's CSV and workbook
        var store = new ReportStore(root);
        Path folder = root.resolve("2026-10");
        store.writeAll("2026-10", List.of(
                new ReportStore.Content("report.csv", out -> out.write("revision 1\n".getBytes(StandardCharsets.UTF_8))),
                new ReportStore.Content("report.xlsx", out -> out.write("workbook 1".getBytes(StandardCharsets.UTF_8)))));
        byte[] manifest = Files.readAllBytes(folder.resolve(ReportStore.MANIFEST));

        // when: revision 2's CSV is fine but its workbook fails
        assertThatThrownBy(() -> store.writeAll("2026-10", List.of(
                new ReportStore.Content("report.csv", out -> out.write("revision 2\n".getBytes(StandardCharsets.UTF_8))),
                new ReportStore.Content("report.xlsx", out -> {
                    throw new IOException("Bad value for type long");
                }))))
                // then: nothing of revision 2 is in the folder or the manifest
                .isInstanceOf(ReportStoreException.class).hasMessageContaining("report.xlsx");
        assertThat(folder.resolve("report.csv")).hasContent("revision 1\n");
        assertThat(folder.resolve("report.xlsx")).hasContent("workbook 1");
        assertThat(folder.resolve(ReportStore.MANIFEST)).hasBinaryContent(manifest);
        assertThat(tempFiles(folder)).isEmpty();
        assertThat(temporaries(store)).isEmpty();
    }

    @Test
    void putsThePreviousFilesBackWhenTheSwapFailsAfterSomeWereRenamed() throws Exception {
        // given: revision 1, and a manifest that cannot be replaced (renamed last, after both files)
        var store = new ReportStore(root);
        Path folder = root.resolve("2026-10");
        store.writeAll("2026-10", List.of(
                new ReportStore.Content("report.csv", out -> out.write("revision 1\n".getBytes(StandardCharsets.UTF_8))),
                new ReportStore.Content("report.xlsx", out -> out.write("workbook 1".getBytes(StandardCharsets.UTF_8)))));
        Files.delete(folder.resolve(ReportStore.MANIFEST));
        Files.createDirectories(folder.resolve(ReportStore.MANIFEST).resolve("in-the-way"));

        // when
        assertThatThrownBy(() -> store.writeAll("2026-10", List.of(
                new ReportStore.Content("report.csv", out -> out.write("revision 2\n".getBytes(StandardCharsets.UTF_8))),
                new ReportStore.Content("report.xlsx", out -> out.write("workbook 2".getBytes(StandardCharsets.UTF_8))))))
                .isInstanceOf(ReportStoreException.class).hasMessageContaining("report.csv, report.xlsx");

        // then: both files are revision 1's again
        assertThat(folder.resolve("report.csv")).hasContent("revision 1\n");
        assertThat(folder.resolve("report.xlsx")).hasContent("workbook 1");
        assertThat(temporaries(store)).isEmpty();
    }

    @Test
    void keepsTemporariesUnderTheRootsHiddenFolderOutOfEveryListing() throws Exception {
        // given
        var store = new ReportStore(root);

        // when
        Path temp = store.createTemporaryFile("render-", ".csv");

        // then
        assertThat(temp).startsWith(root.resolve(ReportStore.TEMPORARY_FOLDER));
        assertThat(temp.getFileName().toString()).startsWith("render-");
        assertThat(store.periods()).isEmpty();
        Files.delete(temp);
    }

    @Test
    void removesTheTemporariesOfDeadProcessesAtStartUp() throws Exception {
        // given: what a process killed with kill -9 left, and what this live process holds
        Path dead = root.resolve(ReportStore.TEMPORARY_FOLDER).resolve("2147483646-1");
        Files.createDirectories(dead.resolve("poi"));
        Files.writeString(dead.resolve("cost-report-123.csv.tmp"), "a full copy of the CSV");
        Files.writeString(dead.resolve("poi").resolve("poi-sxssf-sheet.xml.gz"), "rows");
        var live = new ReportStore(root);
        Path held = live.createTemporaryFile("cost-report-", ".csv.tmp");

        // when: another process starts
        new ReportStore(root).removeTemporariesOfDeadProcesses();

        // then
        assertThat(dead).doesNotExist();
        assertThat(held).exists();
    }

    @Test
    void leavesNoFileBehindWhenTheFirstVersionFails() throws IOException {
        // given
        var store = new ReportStore(root);

        // when
        assertThatThrownBy(() -> store.write("2026-10", "report.csv", out -> {
            out.write('x');
            throw new IllegalStateException("bad row");
        })).isInstanceOf(ReportStoreException.class).hasCauseInstanceOf(IllegalStateException.class);

        // then
        assertThat(root.resolve("2026-10/report.csv")).doesNotExist();
        assertThat(root.resolve("2026-10").resolve(ReportStore.MANIFEST)).doesNotExist();
        assertThat(tempFiles(root.resolve("2026-10"))).isEmpty();
        assertThat(store.list("2026-10")).isEmpty();
    }

    @Test
    void writesReportsFromTheReportWritersEvenIfTheyCloseTheStream() throws IOException {
        // given
        var store = new ReportStore(root);
        var table = ReportTable.of("Top-ups", ReportColumn.text("account", 20), ReportColumn.usd("amount_usd"));

        // when
        Path csv = store.write("2026-10", "topup-2026-10.csv", out -> {
            try (var writer = new CsvReportWriter(out, table)) {
                writer.row("=acct", -2_500_000L);
            }
            out.close();
        });
        Path xlsx = store.write("2026-10", "topup-2026-10.xlsx", out -> {
            try (var writer = new XlsxReportWriter(out)) {
                writer.sheet(table).row("acct", 2_500_000L);
            }
        });

        // then
        assertThat(csv).hasContent("account,amount_usd\n'=acct,-2.500000\n");
        assertThat(Files.readAllBytes(xlsx)).startsWith((byte) 'P', (byte) 'K');
        assertThat(store.list("2026-10")).extracting(ReportFile::name)
                .containsExactly("topup-2026-10.csv", "topup-2026-10.xlsx");
    }

    @Test
    void keepsEveryFileInTheManifestWhenManyWritersShareAFolder() throws Exception {
        // given
        var store = new ReportStore(root);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Path>> writes = new ArrayList<>();

        // when
        try {
            for (int n = 0; n < 40; n++) {
                String name = "part-%02d.csv".formatted(n);
                byte[] content = ("content of " + name).getBytes(StandardCharsets.UTF_8);
                writes.add(pool.submit(() -> store.write("2026-10", name, out -> out.write(content))));
            }
            for (Future<Path> write : writes) {
                write.get();
            }
        }
        finally {
            pool.shutdownNow();
        }

        // then
        List<ReportFile> files = store.readManifest("2026-10").orElseThrow().files();
        assertThat(files).hasSize(40);
        assertThat(files).isEqualTo(store.list("2026-10"));
        assertThat(tempFiles(root.resolve("2026-10"))).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = { "../x", "2026-10/../../etc", "2026-1", "2026-10-5", "", "2026-10 ", "/2026-10", "2026-13",
            "2026-02-30" })
    void rejectsPeriodsThatCouldEscapeTheRoot(String period) {
        var store = new ReportStore(root);

        assertThatThrownBy(() -> store.directory(period)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.write(period, "a.csv", out -> out.write('x')))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.list(period)).isInstanceOf(IllegalArgumentException.class);
        assertThat(root).isEmptyDirectory();
    }

    @ParameterizedTest
    @ValueSource(strings = { "../a.csv", "a/b.csv", ".hidden.csv", "manifest.json", "a..csv", "" })
    void rejectsFileNamesOutsideTheFolderHiddenOrReserved(String fileName) {
        var store = new ReportStore(root);

        assertThatThrownBy(() -> store.write("2026-10", fileName, out -> out.write('x')))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(root).isEmptyDirectory();
    }

    @Test
    void findsNothingAndListsNothingForAnUnknownPeriod() {
        var store = new ReportStore(root);

        assertThat(store.directory("2026-10")).isEqualTo(root.resolve("2026-10"));
        assertThat(store.list("2026-10")).isEmpty();
        assertThat(store.readManifest("2026-10")).isEmpty();
        assertThat(store.find("2026-10", "report.csv")).isEmpty();
    }

    @Test
    void findsOnlyRealFilesInRealPeriodFoldersUnderTheRoot(@TempDir Path elsewhere) throws IOException {
        var store = new ReportStore(root.resolve("reports"));
        store.write("2026-10", "report.csv", out -> out.write('x'));
        Path secret = Files.writeString(elsewhere.resolve("secret.csv"), "secret");
        Files.createSymbolicLink(store.directory("2026-10").resolve("linked.csv"), secret);
        Files.createSymbolicLink(store.directory("2026-11"), elsewhere);

        assertThat(store.find("2026-10", "report.csv")).contains(store.directory("2026-10").resolve("report.csv").toRealPath());
        assertThat(store.find("2026-10", "linked.csv")).isEmpty();
        assertThat(store.find("2026-11", "secret.csv")).isEmpty();
        assertThat(store.existingDirectory("2026-11")).isEmpty();
        assertThat(store.list("2026-10")).extracting(ReportFile::name).containsExactly("report.csv");
        assertThat(store.periods()).containsExactly("2026-10");
    }

    @Test
    void listsPeriodFoldersNewestFirstAndIgnoresOtherFolders() throws IOException {
        var store = new ReportStore(root);
        for (String period : List.of("2026-09", "2026-10-05", "2026-10", "2026-11-01")) {
            store.write(period, "report.csv", out -> out.write('x'));
        }
        Files.createDirectories(root.resolve("not-a-period"));
        Files.createDirectories(root.resolve("2026-13")); // looks like a month, is not one

        assertThat(store.periods()).containsExactly("2026-11-01", "2026-10-05", "2026-10", "2026-09");
    }

    private static List<Path> temporaries(ReportStore store) throws IOException {
        Path folder = store.temporaryDirectory();
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(folder)) {
            return files.filter(Files::isRegularFile).toList();
        }
    }

    private static List<Path> tempFiles(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(file -> file.getFileName().toString().endsWith(".tmp")).toList();
        }
    }

    private static String sha256(byte[] content) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    }
}
