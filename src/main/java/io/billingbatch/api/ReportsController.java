package io.billingbatch.api;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import io.billingbatch.access.ApiAudit;
import io.billingbatch.access.ApiPrincipal;
import io.billingbatch.access.Role;
import io.billingbatch.report.FinancePack;
import io.billingbatch.report.Manifest;
import io.billingbatch.report.ReportFile;
import io.billingbatch.report.ReportStore;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Finance downloads: the report folders, their files (with size and SHA-256 from the manifest)
 * and the monthly finance pack, for admin and finance tokens. Every name from the request is
 * checked by {@link ReportStore}, which only finds real files under the reports root.
 */
@RestController
@RequestMapping("/v1.0/reports")
class ReportsController {

    static final String XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    private final ReportStore store;

    private final FinancePack financePack;

    private final ApiAudit audit;

    ReportsController(ReportStore store, FinancePack financePack, ApiAudit audit) {
        this.store = store;
        this.financePack = financePack;
        this.audit = audit;
    }

    /** The periods that have reports, newest first. */
    record ReportPeriods(List<String> periods) {
    }

    /** One period's report files. */
    record ReportListing(String period, List<ReportEntry> files, String pack) {
    }

    record ReportEntry(String name, long size, String sha256, Instant created, String url) {
    }

    @GetMapping(params = "!period")
    ReportPeriods periods(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal) {
        principal.require("reading reports", Role.ADMIN, Role.FINANCE);
        return new ReportPeriods(store.periods());
    }

    @GetMapping(params = "period")
    ReportListing files(@RequestParam String period, @RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal)
            throws IOException {
        principal.require("reading reports", Role.ADMIN, Role.FINANCE);
        return listing(period);
    }

    private ReportListing listing(String period) throws IOException {
        if (store.existingDirectory(period).isEmpty()) {
            throw ApiException.notFound("no reports for period " + period);
        }
        Manifest manifest = store.readManifest(period).orElseGet(() -> new Manifest(period, store.list(period)));
        List<ReportEntry> entries = new ArrayList<>();
        for (ReportFile file : manifest.files()) {
            Optional<Path> path = store.find(period, file.name());
            if (path.isPresent()) {
                BasicFileAttributes attributes = Files.readAttributes(path.get(), BasicFileAttributes.class,
                        LinkOption.NOFOLLOW_LINKS);
                entries.add(new ReportEntry(file.name(), file.size(), file.sha256(), attributes.creationTime().toInstant(),
                        "/v1.0/reports/" + period + "/" + file.name()));
            }
        }
        String pack = period.length() == 7 ? "/v1.0/reports/" + period + "/pack" : null;
        return new ReportListing(period, entries, pack);
    }

    @GetMapping("/{month}/pack")
    void pack(@PathVariable String month, @RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal,
            HttpServletResponse response) throws IOException {
        principal.require("downloading reports", Role.ADMIN, Role.FINANCE);
        String fileName = FinancePack.fileName(month);
        List<FinancePack.Entry> entries = financePack.entries(month);
        if (entries.isEmpty()) {
            throw ApiException.notFound("no reports for month " + month);
        }
        audit.record(principal, "report.download", month + "/pack", fileName);
        attachment(response, "application/zip", fileName);
        // Streamed: the pack is never held in memory nor stored for a download.
        OutputStream out = response.getOutputStream();
        financePack.write(month, entries, out);
        out.flush();
    }

    @GetMapping("/{period}/{file}")
    void download(@PathVariable String period, @PathVariable String file,
            @RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal, HttpServletResponse response)
            throws IOException {
        principal.require("downloading reports", Role.ADMIN, Role.FINANCE);
        Path path = store.find(period, file).orElseThrow(() -> ApiException.notFound("no report " + file + " for period " + period));
        audit.record(principal, "report.download", period + "/" + file, null);
        // Size and bytes from one open file: a job may replace the report (atomic rename) meanwhile.
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            attachment(response, contentType(file), file);
            response.setContentLengthLong(channel.size());
            Channels.newInputStream(channel).transferTo(response.getOutputStream());
        }
    }

    static String contentType(String fileName) {
        String name = fileName.toLowerCase(Locale.ROOT);
        if (name.endsWith(".csv")) {
            return "text/csv; charset=UTF-8";
        }
        if (name.endsWith(".xlsx")) {
            return XLSX;
        }
        if (name.endsWith(".json")) {
            return "application/json";
        }
        if (name.endsWith(".zip")) {
            return "application/zip";
        }
        return "application/octet-stream";
    }

    private static void attachment(HttpServletResponse response, String contentType, String fileName) {
        response.setContentType(contentType);
        response.setHeader(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment().filename(fileName).build().toString());
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setHeader(HttpHeaders.CACHE_CONTROL, "private, no-store");
    }
}
