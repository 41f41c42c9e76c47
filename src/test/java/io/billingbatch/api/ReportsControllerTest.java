package io.billingbatch.api;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import io.billingbatch.access.Role;
import io.billingbatch.report.Manifest;
import io.billingbatch.report.ReportFile;
import io.billingbatch.report.ReportStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.util.FileSystemUtils;

import static org.assertj.core.api.Assertions.assertThat;

/** Finance downloads over real HTTP, including the raw paths a client would normalise away. */
class ReportsControllerTest extends ServerTestSupport {

    static final String MONTH = "2031-01";

    static final String DAY = "2031-01-15";

    /** A period folder that is a symlink to a folder outside the reports root. */
    static final String LINKED_MONTH = "2031-02";

    static final String SECRET = "TOP-SECRET-OUTSIDE-THE-REPORTS-ROOT";

    @Autowired
    ReportStore store;

    String finance;

    Path outside;

    @BeforeEach
    void givenReportsOfAMonthAndFilesOutsideTheRoot() throws IOException {
        finance = token(Role.FINANCE);
        Path root = store.directory(MONTH).getParent();
        FileSystemUtils.deleteRecursively(store.directory(MONTH));
        FileSystemUtils.deleteRecursively(store.directory(DAY));
        Files.deleteIfExists(store.directory(LINKED_MONTH));
        store.write(MONTH, "cost-report-2031-01.csv", out -> out.write("type,cost_usd\ncall,6.000000\n".getBytes(StandardCharsets.UTF_8)));
        store.write(MONTH, "cost-report-2031-01.xlsx", out -> out.write(new byte[] { 'P', 'K', 3, 4, 0, 1, 2, (byte) 0xff }));
        store.write(MONTH, "findings-2031-01.json", out -> out.write("{\"findings\":[]}".getBytes(StandardCharsets.UTF_8)));
        store.write(MONTH, "finance-pack-2031-01.zip", out -> out.write("an older pack".getBytes(StandardCharsets.UTF_8)));
        store.write(DAY, "cost-report-2031-01-15.csv", out -> out.write("type,cost_usd\nsms,0.008000\n".getBytes(StandardCharsets.UTF_8)));

        outside = root.toAbsolutePath().getParent().resolve("outside-reports-root");
        FileSystemUtils.deleteRecursively(outside);
        Files.createDirectories(outside);
        Files.writeString(outside.resolve("secret.csv"), SECRET);
        Files.createSymbolicLink(store.directory(MONTH).resolve("leak.csv"), outside.resolve("secret.csv"));
        Files.createSymbolicLink(store.directory(LINKED_MONTH), outside);
    }

    @Test
    void listsThePeriodsThatHaveReportsNewestFirst() {
        Reply reply = get("/v1.0/reports", finance);

        assertThat(reply.status()).isEqualTo(200);
        List<String> periods = new ArrayList<>();
        reply.json().get("periods").forEach(period -> periods.add(period.asString()));
        assertThat(periods).containsSubsequence(DAY, MONTH).doesNotContain(LINKED_MONTH);
        assertThat(periods).isSortedAccordingTo(Comparator.reverseOrder());
    }

    @Test
    void listsTheFilesOfAPeriodWithSizeAndChecksumFromTheManifest() {
        Reply reply = get("/v1.0/reports?period=" + MONTH, finance);

        assertThat(reply.status()).isEqualTo(200);
        Manifest manifest = store.readManifest(MONTH).orElseThrow();
        JsonNode files = reply.json().get("files");
        assertThat(files).hasSize(manifest.files().size());
        for (int i = 0; i < files.size(); i++) {
            ReportFile expected = manifest.files().get(i);
            JsonNode file = files.get(i);
            assertThat(file.get("name").asString()).isEqualTo(expected.name());
            assertThat(file.get("size").asLong()).isEqualTo(expected.size());
            assertThat(file.get("sha256").asString()).isEqualTo(expected.sha256());
            assertThat(file.get("created").asString()).matches("\\d{4}-\\d{2}-\\d{2}T.*Z");
            assertThat(file.get("url").asString()).isEqualTo("/v1.0/reports/" + MONTH + "/" + expected.name());
        }
        assertThat(reply.json().get("pack").asString()).isEqualTo("/v1.0/reports/" + MONTH + "/pack");
        assertThat(reply.text()).doesNotContain("leak.csv");
    }

    @Test
    void downloadsEachKindWithItsContentTypeAsAnAttachment() throws Exception {
        Map<String, String> types = new LinkedHashMap<>();
        types.put("cost-report-2031-01.csv", "text/csv;charset=UTF-8");
        types.put("cost-report-2031-01.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        types.put("findings-2031-01.json", "application/json");
        types.put("finance-pack-2031-01.zip", "application/zip");
        types.put("manifest.json", "application/json");
        Manifest manifest = store.readManifest(MONTH).orElseThrow();

        for (Map.Entry<String, String> type : types.entrySet()) {
            Reply reply = get("/v1.0/reports/" + MONTH + "/" + type.getKey(), finance);

            assertThat(reply.status()).as(type.getKey()).isEqualTo(200);
            assertThat(reply.header("Content-Type").replace(" ", "")).isEqualTo(type.getValue());
            assertThat(reply.header("Content-Disposition")).isEqualTo("attachment; filename=\"" + type.getKey() + "\"");
            byte[] onDisk = Files.readAllBytes(store.directory(MONTH).resolve(type.getKey()));
            assertThat(reply.bytes()).isEqualTo(onDisk);
            manifest.files().stream().filter(file -> file.name().equals(type.getKey())).findFirst()
                    .ifPresent(file -> assertThat(sha256(reply.bytes())).isEqualTo(file.sha256()));
        }
        assertThat(manifest.files()).extracting(ReportFile::name).contains("cost-report-2031-01.csv");
    }

    @Test
    void refusesRequestsWithoutATokenAndCustomerTokens() {
        assertThat(get("/v1.0/reports").status()).isEqualTo(401);
        assertThat(get("/v1.0/reports/" + MONTH + "/cost-report-2031-01.csv").status()).isEqualTo(401);
        assertThat(get("/v1.0/reports/" + MONTH + "/pack").status()).isEqualTo(401);

        String customer = customerToken(UUID.randomUUID());
        for (String path : List.of("/v1.0/reports", "/v1.0/reports?period=" + MONTH,
                "/v1.0/reports/" + MONTH + "/cost-report-2031-01.csv", "/v1.0/reports/" + MONTH + "/pack")) {
            Reply reply = get(path, customer);
            assertThat(reply.status()).as(path).isEqualTo(403);
            assertThat(reply.json().get("error").asString()).isEqualTo("permission_denied");
            assertThat(reply.text()).doesNotContain("6.000000");
        }
        assertThat(get("/v1.0/reports/" + MONTH + "/cost-report-2031-01.csv", token(Role.ADMIN)).status()).isEqualTo(200);
    }

    @Test
    void answers404ForUnknownPeriodsAndFilesAnd400ForMalformedOnes() {
        assertThat(get("/v1.0/reports?period=1999-01", finance).status()).isEqualTo(404);
        assertThat(get("/v1.0/reports/" + MONTH + "/nothing.csv", finance).status()).isEqualTo(404);
        assertThat(get("/v1.0/reports/1999-01/pack", finance).status()).isEqualTo(404);
        assertThat(get("/v1.0/reports?period=2031", finance).status()).isEqualTo(400);
        assertThat(get("/v1.0/reports?period=..", finance).status()).isEqualTo(400);
        assertThat(get("/v1.0/reports/" + DAY + "/pack", finance).status()).isEqualTo(400);
        assertThat(get("/v1.0/reports/" + MONTH + "/.manifest.lock", finance).status()).isEqualTo(400);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "/v1.0/reports/2031-01/../../outside-reports-root/secret.csv",
            "/v1.0/reports/2031-01/..%2F..%2Foutside-reports-root%2Fsecret.csv",
            "/v1.0/reports/2031-01/..%2f..%2foutside-reports-root%2fsecret.csv",
            "/v1.0/reports/2031-01/%2e%2e/%2e%2e/outside-reports-root/secret.csv",
            "/v1.0/reports/%2e%2e/outside-reports-root/secret.csv",
            "/v1.0/reports/2031-01/%2e%2e%2f%2e%2e%2foutside-reports-root%2fsecret.csv",
            "/v1.0/reports/2031-01/..\\..\\outside-reports-root\\secret.csv",
            "/v1.0/reports/2031-01/..%5C..%5Coutside-reports-root%5Csecret.csv",
            "/v1.0/reports/2031-01//etc/passwd",
            "/v1.0/reports/2031-01/%2Fetc%2Fpasswd",
            "/v1.0/reports/2031-01/%2e%2e",
            "/v1.0/reports/..%2F..%2Fpom.xml/x",
            "/v1.0/reports?period=..%2F..%2Foutside-reports-root",
            "/v1.0/reports?period=%2Fetc",
            "/v1.0/reports/2031-01/leak.csv",
            "/v1.0/reports/2031-02/secret.csv",
            "/v1.0/reports?period=2031-02",
            "/v1.0/reports/2031-02/pack",
    })
    void noPathEscapesTheReportsRoot(String rawPath) throws IOException {
        RawReply reply = rawGet(rawPath, finance);

        assertThat(reply.status()).as(rawPath + " -> " + reply.text()).isIn(400, 404);
        assertThat(reply.text()).doesNotContain(SECRET).doesNotContain("root:x:0:0");
    }

    @Test
    void thePackHoldsEveryReportOfTheMonthWithItsManifestsButNoOlderPack() throws IOException {
        Reply reply = get("/v1.0/reports/" + MONTH + "/pack", finance);

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.header("Content-Type")).isEqualTo("application/zip");
        assertThat(reply.header("Content-Disposition")).isEqualTo("attachment; filename=\"finance-pack-2031-01.zip\"");
        Map<String, byte[]> entries = unzip(reply.bytes());
        assertThat(entries.keySet()).containsExactly(
                "cost-report-2031-01.csv", "cost-report-2031-01.xlsx", "findings-2031-01.json", "manifest.json",
                "2031-01-15/cost-report-2031-01-15.csv", "2031-01-15/manifest.json");
        for (String name : List.of("cost-report-2031-01.csv", "cost-report-2031-01.xlsx", "findings-2031-01.json")) {
            assertThat(entries.get(name)).as(name).isEqualTo(Files.readAllBytes(store.directory(MONTH).resolve(name)));
        }
        assertThat(entries.get("2031-01-15/cost-report-2031-01-15.csv"))
                .isEqualTo(Files.readAllBytes(store.directory(DAY).resolve("cost-report-2031-01-15.csv")));
        assertThat(entries.get("2031-01-15/manifest.json")).isEqualTo(Files.readAllBytes(store.directory(DAY).resolve("manifest.json")));
        JsonNode packedManifest = JSON.readTree(entries.get("manifest.json"));
        List<String> listed = new ArrayList<>();
        packedManifest.get("files").forEach(file -> {
            listed.add(file.get("name").asString());
            assertThat(file.get("sha256").asString()).isEqualTo(sha256(entries.get(file.get("name").asString())));
        });
        assertThat(listed).containsExactly("cost-report-2031-01.csv", "cost-report-2031-01.xlsx", "findings-2031-01.json");

        assertThat(get("/v1.0/reports/" + MONTH + "/pack", finance).bytes()).as("same reports, same bytes").isEqualTo(reply.bytes());
    }

    static Map<String, byte[]> unzip(byte[] zip) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                entries.put(entry.getName(), in.readAllBytes());
            }
        }
        return entries;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        }
        catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
    }

    record RawReply(int status, String text) {
    }

    /** Sends the path exactly as given, which java.net.http and browsers would normalise or encode. */
    RawReply rawGet(String rawPath, String bearer) throws IOException {
        try (Socket socket = new Socket("localhost", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + rawPath + " HTTP/1.1\r\nHost: localhost:" + port + "\r\nAuthorization: Bearer " + bearer
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            in.transferTo(response);
            String text = response.toString(StandardCharsets.ISO_8859_1);
            String statusLine = text.lines().findFirst().orElse("");
            assertThat(statusLine).startsWith("HTTP/1.1 ");
            return new RawReply(Integer.parseInt(statusLine.substring(9, 12)), text);
        }
    }
}
